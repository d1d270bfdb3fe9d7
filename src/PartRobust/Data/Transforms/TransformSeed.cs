namespace PartRobust.Data.Transforms;

/// <summary>Derives the per-sample seed of an <see cref="IJointTransform"/> so that augmentation is reproducible.</summary>
public static class TransformSeed
{
    /// <summary>
    /// A well-mixed seed for sample <paramref name="sampleIndex"/> in <paramref name="epoch"/> of a run seeded with
    /// <paramref name="runSeed"/>: independent of worker thread and batch composition.
    /// </summary>
    public static ulong For(ulong runSeed, int epoch, long sampleIndex) =>
        PartShapesRandom.Mix(runSeed, 0x7472616E73666F72UL /* "transfor" */, (ulong)epoch, (ulong)sampleIndex);
}
