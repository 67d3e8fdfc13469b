using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Nifti
{
    /// <summary>What nibabel (the independent reader) says about a NIfTI file.</summary>
    internal sealed record NibabelView(long[] Shape, double[][] Affine, double[] Zooms, int SFormCode, int QFormCode, string DType, float[] Values, double[][] QForm, double[][] SForm)
    {
        private const string Script = @"
import sys, json, numpy as np, nibabel as nib
img = nib.load(sys.argv[1]); h = img.header
data = np.asarray(img.get_fdata(dtype=np.float64), dtype=np.float32)
data.ravel(order='F').tofile(sys.argv[2])
print(json.dumps({'shape': list(img.shape), 'affine': img.affine.tolist(), 'zooms': [float(z) for z in h.get_zooms()],
  'sform_code': int(h['sform_code']), 'qform_code': int(h['qform_code']), 'dtype': str(h.get_data_dtype().newbyteorder('=').name),
  'qform': h.get_qform().tolist(), 'sform': h.get_sform().tolist()}))
";

        /// <summary>Loads <paramref name="path"/> with nibabel; Values are float32 in file order (i fastest).</summary>
        public static NibabelView Load(string path)
        {
            string values = Path.GetTempFileName();
            try
            {
                JsonElement json = PythonOracle.Json(Script, path, values);
                float[] data = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(values)).ToArray();
                return new NibabelView(
                    json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    Matrix(json.GetProperty("affine")),
                    json.GetProperty("zooms").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                    json.GetProperty("sform_code").GetInt32(),
                    json.GetProperty("qform_code").GetInt32(),
                    json.GetProperty("dtype").GetString()!,
                    data,
                    Matrix(json.GetProperty("qform")),
                    Matrix(json.GetProperty("sform")));
            }
            finally { File.Delete(values); }
        }

        private static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
    }
}
