using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Onnx.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace E2ENet.Onnx.Runtime
{
    /// <summary>
    /// One ONNX Runtime session over an E2ENet graph (one float32 input, one float32 output): runs (B, C, D, H, W) arrays.
    /// Created on the CPU, or on CUDA when asked and loadable (see <see cref="Create(byte[], ExecutionDevice, string?, Action{string}?, int, bool, string?)"/>).
    /// </summary>
    public sealed class OnnxRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly SessionOptions _options;
        private readonly string _input;
        private readonly string _output;

        private OnnxRunner(InferenceSession session, SessionOptions options, string provider, string? file)
        {
            _session = session;
            _options = options;
            Provider = provider;
            File = file;
            if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count != 1)
            {
                int inputs = session.InputMetadata.Count, outputs = session.OutputMetadata.Count;
                session.Dispose();
                options.Dispose();
                throw new E2ENetOnnxException(OnnxErrors.RuntimeFailed, file, FormattableString.Invariant(
                    $"the graph has {inputs} input(s) and {outputs} output(s); an E2ENet graph has one of each: re-export it with e2enet export"));
            }
            _input = session.InputMetadata.Keys.Single();
            _output = session.OutputMetadata.Keys.Single();
        }

        /// <summary>The execution provider in use: <c>cpu</c> or <c>cuda</c>.</summary>
        public string Provider { get; }

        /// <summary>The model file, when it came from one (for messages).</summary>
        public string? File { get; }

        /// <summary>The graph input's name, element type and dimensions (-1 for a symbolic one).</summary>
        public (string Name, Type Element, int[] Dimensions) Input
            => (_input, _session.InputMetadata[_input].ElementType, _session.InputMetadata[_input].Dimensions);

        /// <summary>The graph output's name, element type and dimensions (-1 for a symbolic one).</summary>
        public (string Name, Type Element, int[] Dimensions) Output
            => (_output, _session.OutputMetadata[_output].ElementType, _session.OutputMetadata[_output].Dimensions);

        /// <summary>The model's <c>metadata_props</c>.</summary>
        public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

        /// <summary>
        /// Creates a session. <see cref="ExecutionDevice.Cuda"/> fails with E2E6301 when the CUDA provider cannot be loaded
        /// (the CPU package of this build has none; without a GPU, CUDA 13 or cuDNN 9 the GPU package cannot load it either;
        /// ONNX Runtime's list of available providers names CUDA even then, so only loading it proves anything);
        /// <see cref="ExecutionDevice.Auto"/> then falls back to the CPU and says so through <paramref name="note"/>.
        /// </summary>
        /// <param name="model">The encoded ONNX model.</param>
        /// <param name="device">Where to run.</param>
        /// <param name="file">The file it came from, for messages.</param>
        /// <param name="note">Receives a line when the device falls back.</param>
        /// <param name="threads">Intra-op threads (0: ONNX Runtime's default, one per core).</param>
        /// <param name="spinning">Let ONNX Runtime's intra-op threads spin-wait between runs (its default; off in benchmarks that bill CPU time).</param>
        /// <param name="profilePrefix">Trace every run to a profile file starting with this path (see <see cref="EndProfiling"/>); null: no profiling.</param>
        public static OnnxRunner Create(byte[] model, ExecutionDevice device, string? file = null, Action<string>? note = null, int threads = 0, bool spinning = true,
            string? profilePrefix = null)
        {
            if (device != ExecutionDevice.Cpu)
            {
                SessionOptions cuda = NewOptions(threads, spinning, profilePrefix);
                try
                {
                    cuda.AppendExecutionProvider_CUDA(0);
                    return new OnnxRunner(Open(model, cuda, file), cuda, "cuda", file);
                }
                catch (Exception e) when (e is OnnxRuntimeException || e is EntryPointNotFoundException || e is DllNotFoundException)
                {
                    cuda.Dispose();
                    string why = CudaProblem(e);
                    if (device == ExecutionDevice.Cuda)
                    {
                        throw new E2ENetOnnxException(OnnxErrors.DeviceUnavailable, file, why
                            + " Run on the CPU with --device cpu, or let it fall back with --device auto.", e);
                    }
                    note?.Invoke("CUDA is not usable here (" + why.TrimEnd('.') + "); running on the CPU.");
                }
            }
            SessionOptions options = NewOptions(threads, spinning, profilePrefix);
            return new OnnxRunner(Open(model, options, file), options, "cpu", file);
        }

        /// <summary>Runs the graph on a (B, C, D, H, W) float32 array; returns the output and its shape.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6303 when ONNX Runtime fails (e.g. out of memory).</exception>
        public float[] Run(float[] input, long[] shape, out long[] outputShape)
        {
            try
            {
                using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
                using var runOptions = new RunOptions();
                using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, new[] { _input }, new[] { value }, new[] { _output });
                OrtValue output = outputs[0];
                outputShape = output.GetTensorTypeAndShape().Shape;
                return output.GetTensorDataAsSpan<float>().ToArray();
            }
            catch (OnnxRuntimeException e)
            {
                throw new E2ENetOnnxException(OnnxErrors.RuntimeFailed, File, "ONNX Runtime failed on an input of shape [" + string.Join(", ", shape) + "]: " + e.Message, e);
            }
        }

        /// <summary>Ends the profile of a session created with a profile prefix; returns the trace file ONNX Runtime wrote.</summary>
        public string EndProfiling() => _session.EndProfiling();

        /// <inheritdoc />
        public void Dispose()
        {
            _session.Dispose();
            _options.Dispose();
        }

        private static SessionOptions NewOptions(int threads, bool spinning, string? profilePrefix)
        {
            var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            if (profilePrefix != null)
            {
                options.EnableProfiling = true;
                options.ProfileOutputPathPrefix = profilePrefix;
            }
            if (threads > 0) options.IntraOpNumThreads = threads;
            if (!spinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return options;
        }

        private static InferenceSession Open(byte[] model, SessionOptions options, string? file)
        {
            try
            {
                return new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException e) when (!e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
            {
                throw new E2ENetOnnxException(OnnxErrors.RuntimeFailed, file, "ONNX Runtime cannot load the model: " + e.Message
                    + " (is the file an ONNX model of opset 13..21? re-export it with e2enet export)", e);
            }
        }

        private static string CudaProblem(Exception e)
        {
            if (!ExecutionDevices.GpuPackage)
            {
                return "this build of e2enet uses ONNX Runtime's CPU package, which has no CUDA execution provider; "
                    + "build it with -p:E2ENetOnnxDevice=cuda (Microsoft.ML.OnnxRuntime.Gpu) on a machine with an NVIDIA GPU, CUDA 13 and cuDNN 9.";
            }
            return "the CUDA execution provider could not be loaded (" + FirstLine(e.Message) + "): it needs an NVIDIA GPU with its driver, CUDA 13 "
                + "(libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10) and cuDNN 9 on the library path.";
        }

        private static string FirstLine(string text)
        {
            int end = text.IndexOfAny(new[] { '\r', '\n' });
            return (end < 0 ? text : text.Substring(0, end)).Trim();
        }
    }
}
