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
    public static PartDataset Build(PartDataset data, ICorruption corruption, int severity, ulong seed, CorruptionTable table) =>
        Build(new DatasetPixels(data), data, 0, data.Count, corruption, severity, seed, table);

    /// <summary>
    /// Images <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1 of <paramref name="px"/>
    /// corrupted (seeded by their index in the whole set, so a chunk equals the same rows of the whole), with
    /// <paramref name="like"/>'s masks, labels and taxonomy for those rows. Lets a caller corrupt a large test set chunk by
    /// chunk from one pixel copy, keeping memory flat.
    /// </summary>
    internal static PartDataset Build(DatasetPixels px, PartDataset like, int start, int count, ICorruption corruption, int severity, ulong seed, CorruptionTable table)
    {
        int size = 3 * px.Plane;
        var output = new float[(long)count * size];
        Parallel.For(0, count, k =>
        {
            int i = start + k;
            var y = corruption.Apply(px.Images.AsSpan(i * size, size), px.Width, px.Height, severity, ImageSeed(seed, corruption.Name, severity, i), table);
            y.CopyTo(output, (long)k * size);
        });
        using var scope = TorchSharp.torch.NewDisposeScope();
        var images = TorchSharp.torch.tensor(output, new long[] { count, 3, px.Height, px.Width }).to(like.Images.device);
        return new PartDataset(images, like.Masks.narrow(0, start, count).clone(), like.Labels.narrow(0, start, count).clone(), like.Taxonomy);
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
