using System;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Host;

namespace E2ENet.Compiler.Tests.Errors
{
    /// <summary>Every library's exception prints the same line: <c>FILE: error ID: DETAIL</c>, then the descriptor's fix if it has one.</summary>
    public class E2ENetExceptionTests
    {
        private sealed class SomeLibraryException : E2ENetException
        {
            public SomeLibraryException(ErrorDescriptor error, string? file, string detail, Exception? inner = null)
                : base(error, file, detail, inner)
            {
            }
        }

        private static readonly ErrorDescriptor WithFix = new ErrorDescriptor("E9991", "Something wrong", "do this");
        private static readonly ErrorDescriptor WithoutFix = new ErrorDescriptor("E9992", "Something else");

        [Fact]
        public void The_message_is_file_id_detail_and_the_fix()
        {
            var e = new SomeLibraryException(WithFix, "data/a.nii", "byte 348: bad magic");
            Assert.Equal("data/a.nii: error E9991: byte 348: bad magic; fix: do this", e.Message);
            Assert.Equal("data/a.nii: error E9991: byte 348: bad magic", e.ShortMessage);
            Assert.Equal(("E9991", "data/a.nii", "byte 348: bad magic"), (e.Id, e.File, e.Detail));
            Assert.Same(WithFix, e.Error);
        }

        [Fact]
        public void Without_a_file_or_a_fix_those_parts_are_left_out()
        {
            Assert.Equal("error E9992: --fold 7 does not exist", new SomeLibraryException(WithoutFix, null, "--fold 7 does not exist").Message);
            Assert.Equal("error E9992: x", new SomeLibraryException(WithoutFix, "", "x").Message);
            Assert.Equal("run: error E9992: x", new SomeLibraryException(WithoutFix, "run", "x").ShortMessage);
        }

        [Fact]
        public void A_library_exception_is_an_E2ENetException_with_its_catalogues_descriptor()
        {
            var inner = new InvalidOperationException("inner");
            E2ENetException e = new HostException(HostErrors.InvalidBudget, null, "'8Q' is not a size", inner);
            Assert.Equal("error E2E7003: '8Q' is not a size; fix: " + HostErrors.InvalidBudget.Fix, e.Message);
            Assert.Same(inner, e.InnerException);
            Assert.Equal("E2E7003 Invalid memory budget", HostErrors.InvalidBudget.ToString());
        }
    }
}
