using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// A preprocessed case, memory-mapped: training reads the patches it needs without loading the whole case.
    /// Image (C, D, H, W) float32; label (D, H, W) int16 with -1 outside the non-zero region. Thread-safe for reading.
    /// </summary>
    public sealed class PreprocessedCase : IDisposable
    {
        private readonly NpyArray _image, _label;

        internal PreprocessedCase(string folder, CaseRecord record)
        {
            Record = record;
            string stem = Path.Combine(folder, "cases", record.Name);
            _image = new NpyArray(stem + ".npy");
            _label = new NpyArray(stem + "_seg.npy");
            Shape = new Int3(record.Shape[0], record.Shape[1], record.Shape[2]);
            if (_image.Shape.Length != 4 || _image.Shape[0] != record.Channels || _image.Shape[1] != Shape.D || _image.Shape[2] != Shape.H || _image.Shape[3] != Shape.W || _label.Shape.Length != 3)
                throw new DataException(DataErrors.PreprocessedInvalid, _image.Path, "the arrays do not match " + record.Name + ".json");
            int[] flat = NpyFile.ReadAll<int>(stem + "_locations.npy", out _);
            var locations = new Dictionary<int, List<int>>();
            for (int i = 0; i + 1 < flat.Length; i += 2)
            {
                if (!locations.TryGetValue(flat[i], out List<int>? list)) locations[flat[i]] = list = new List<int>();
                list.Add(flat[i + 1]);
            }
            ForegroundLocations = locations.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value);
        }

        /// <summary>Its record (name, geometry, key).</summary>
        public CaseRecord Record { get; }

        /// <summary>The case's name.</summary>
        public string Name => Record.Name;

        /// <summary>(D, H, W).</summary>
        public Int3 Shape { get; }

        /// <summary>Input channels.</summary>
        public int Channels => Record.Channels;

        /// <summary>Sampled foreground voxels per class (linear indices into (D, H, W)), for oversampling; classes absent from the case have none.</summary>
        public IReadOnlyDictionary<int, IReadOnlyList<int>> ForegroundLocations { get; }

        /// <summary>
        /// Copies the block <paramref name="region"/> of channel <paramref name="channel"/> into <paramref name="target"/>
        /// (C order, region.Size), with 0 where the block leaves the volume.
        /// </summary>
        public void ReadImage(int channel, Box3 region, float[] target, int targetOffset = 0)
            => ReadBlock(_image, (long)channel * Shape.Volume, region, target, targetOffset, 0f);

        /// <summary>Copies a block of the label, with <paramref name="outside"/> where it leaves the volume (nnU-Net pads with -1).</summary>
        public void ReadLabel(Box3 region, short[] target, int targetOffset = 0, short outside = -1)
            => ReadBlock(_label, 0, region, target, targetOffset, outside);

        /// <summary>The whole image, (C, D, H, W).</summary>
        public float[] LoadImage()
        {
            var data = new float[Channels * Shape.Volume];
            for (int c = 0; c < Channels; c++) ReadImage(c, Box3.Whole(Shape), data, (int)(c * Shape.Volume));
            return data;
        }

        /// <summary>The whole label, (D, H, W).</summary>
        public short[] LoadLabel()
        {
            var data = new short[Shape.Volume];
            ReadLabel(Box3.Whole(Shape), data);
            return data;
        }

        private void ReadBlock<T>(NpyArray array, long baseIndex, Box3 region, T[] target, int targetOffset, T outside) where T : unmanaged
        {
            Int3 size = region.Size, start = region.Start;
            int w0 = Math.Max(0, start.W), w1 = Math.Min(Shape.W, start.W + size.W);
            for (int a = 0; a < size.D; a++)
                for (int b = 0; b < size.H; b++)
                {
                    int row = targetOffset + (a * size.H + b) * size.W;
                    int d = start.D + a, h = start.H + b;
                    bool inside = d >= 0 && d < Shape.D && h >= 0 && h < Shape.H && w1 > w0;
                    if (!inside) { Array.Fill(target, outside, row, size.W); continue; }
                    if (w0 > start.W) Array.Fill(target, outside, row, w0 - start.W);
                    if (start.W + size.W > w1) Array.Fill(target, outside, row + (w1 - start.W), start.W + size.W - w1);
                    array.Read(baseIndex + ((long)d * Shape.H + h) * Shape.W + w0, target, row + (w0 - start.W), w1 - w0);
                }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _image.Dispose();
            _label.Dispose();
        }
    }

    /// <summary>A folder written by <see cref="Preprocessor.Run"/>: its plan, fingerprint and cases.</summary>
    public sealed class PreprocessedDataset : IDisposable
    {
        private readonly Dictionary<string, PreprocessedCase> _open = new Dictionary<string, PreprocessedCase>(StringComparer.Ordinal);

        private PreprocessedDataset(string folder, PreprocessingPlan plan, DatasetFingerprint fingerprint, IReadOnlyList<CaseRecord> cases)
        {
            Folder = folder;
            Plan = plan;
            Fingerprint = fingerprint;
            Cases = cases;
        }

        /// <summary>The folder.</summary>
        public string Folder { get; }

        /// <summary>The plan the cases were made with.</summary>
        public PreprocessingPlan Plan { get; }

        /// <summary>The dataset's fingerprint.</summary>
        public DatasetFingerprint Fingerprint { get; }

        /// <summary>Every case's record, in the fingerprint's order (sorted by name).</summary>
        public IReadOnlyList<CaseRecord> Cases { get; }

        /// <summary>Opens a preprocessed folder; E4201 when something is missing or damaged (run the preprocessing again).</summary>
        public static PreprocessedDataset Open(string folder)
        {
            string plan = Path.Combine(folder, "plan.json"), fingerprint = Path.Combine(folder, "dataset_fingerprint.json");
            foreach (string file in new[] { plan, fingerprint })
                if (!File.Exists(file)) throw new DataException(DataErrors.PreprocessedInvalid, file, "missing: run 'e2enet dataset preprocess' first");
            DatasetFingerprint f = DataJson.Read<DatasetFingerprint>(fingerprint);
            var cases = f.Cases.Select(name =>
            {
                string path = Path.Combine(folder, "cases", name + ".json");
                if (!File.Exists(path)) throw new DataException(DataErrors.PreprocessedInvalid, path, "missing: the preprocessing did not finish; run it again");
                return DataJson.Read<CaseRecord>(path);
            }).ToList();
            return new PreprocessedDataset(folder, DataJson.Read<PreprocessingPlan>(plan), f, cases);
        }

        /// <summary>The case named <paramref name="name"/>, mapped on first use and kept open until disposal.</summary>
        public PreprocessedCase Case(string name)
        {
            lock (_open)
            {
                if (_open.TryGetValue(name, out PreprocessedCase? open)) return open;
                CaseRecord record = Cases.FirstOrDefault(c => c.Name == name) ?? throw new DataException(DataErrors.InvalidSettings, Folder, $"no preprocessed case '{name}'");
                return _open[name] = new PreprocessedCase(Folder, record);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            lock (_open)
            {
                foreach (PreprocessedCase c in _open.Values) c.Dispose();
                _open.Clear();
            }
        }
    }
}
