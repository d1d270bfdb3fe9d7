using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;

namespace PartRobust.Evaluation.Robustness;

/// <summary>A dataset with one corruption applied to every image at one severity (masks and labels unchanged).</summary>
public static class CorruptedDataset
{
    /// <summary>
    /// Corrupts every image of <paramref name="data"/> in parallel. Image i is corrupted with the seed
    /// <see cref="ImageSeed"/>(seed, name, severity, i), so the result does not depend on threads or batch sizes.
    /// The caller owns (disposes) the result.
    /// </summary>
    public static PartDataset Build(PartDataset data, ICorruption corruption, int severity, ulong seed, CorruptionTable table)
    {
        var px = new DatasetPixels(data);
        int size = 3 * px.Plane;
        var output = new float[px.Images.Length];
        Parallel.For(0, px.Count, i =>
        {
            var y = corruption.Apply(px.Images.AsSpan(i * size, size), px.Width, px.Height, severity, ImageSeed(seed, corruption.Name, severity, i), table);
            y.CopyTo(output, i * size);
        });
        return px.WithImages(output, data);
    }

    /// <summary>The seed of image <paramref name="index"/>'s corruption: a hash of (seed, name, severity, index).</summary>
    public static ulong ImageSeed(ulong seed, string name, int severity, int index) =>
        PartShapesRandom.Mix(seed, StableHash(name), (ulong)severity, (ulong)index);

    /// <summary>FNV-1a of the name's UTF-16 code units: fixed across processes (string.GetHashCode is not).</summary>
    static ulong StableHash(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
