using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;
using E2ENet.Onnx.Verification;

namespace E2ENet.Onnx.Tests
{
    /// <summary>--fp16: float16 weights and activations, instance norm and the output in float32, checked against float32.</summary>
    public class Fp16Tests
    {
        [Fact]
        public void An_fp16_export_is_half_the_size_passes_its_check_and_keeps_float32_at_its_edges()
        {
            ModelSpec spec = Support.NarrowModel("amos-ct.e2e", "AmosCtChannel", "widths.base=16", "widths.max=64");
            using ModelSource source = ModelSource.Random(spec, seed: 4);
            using var temp = new TempFolder();
            ExportResult half = OnnxExporter.Export(source, new ExportRequest { Out = temp["fp16"], Half = true, Tune = false });
            ExportResult full = OnnxExporter.Export(source, new ExportRequest { Out = temp["fp32"], Tune = false });

            Assert.Equal("fp16", half.Manifest.Precision);
            ExportCheck check = half.Manifest.Checks.Single(c => c.Name == "fp16");
            Assert.Equal("fp32", check.Against);
            Assert.InRange(check.RelativeError, 1e-7, ExportTolerances.Default.Half);
            Assert.Contains(half.Manifest.Checks, c => c.Name == "onnxruntime-fp32" && c.RelativeError < 1e-4);
            long halfBytes = new FileInfo(Path.Combine(temp["fp16"], "model.onnx")).Length, fullBytes = new FileInfo(Path.Combine(temp["fp32"], "model.onnx")).Length;
            Assert.True(halfBytes < fullBytes * 0.6, $"fp16 {halfBytes} bytes, fp32 {fullBytes}");

            // Input and output stay float32 (the checker's shape and type inference also proves instance norm gets float32).
            IReadOnlyList<string> ops = Support.CheckWithPythonOnnx(Path.Combine(temp["fp16"], "model.onnx"));
            Assert.Contains("Cast", ops);
            E2ENetBundle bundle = E2ENetBundle.Open(temp["fp16"]);
            using OnnxRunner runner = OnnxRunner.Create(bundle.ReadModel(), ExecutionDevice.Cpu);
            Assert.Equal("fp16", runner.Metadata["e2enet.precision"]);
            float[] input = ExportVerifier.RandomInput(1, spec.Input.Patch, 8, out long[] shape);
            float[] output = runner.Run(input, shape, out long[] outShape);
            Assert.Equal(new long[] { 1, spec.Classes, spec.Input.Patch.D, spec.Input.Patch.H, spec.Input.Patch.W }, outShape);
            Assert.InRange(ExportVerifier.RelativeError(output, ExportVerifier.Torch(source.Torch, input, shape)), 0, ExportTolerances.Default.Half);
        }
    }
}
