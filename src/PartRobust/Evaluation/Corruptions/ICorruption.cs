namespace PartRobust.Evaluation.Corruptions;

/// <summary>Which parameter table a corruption uses: ImageNet-C's (the paper's) or CIFAR-10-C's (for 32 px images).</summary>
public enum CorruptionTable
{
    /// <summary>ImageNet-C (hendrycks/robustness <c>make_imagenet_c.py</c>, as bethgelab/imagecorruptions).</summary>
    ImageNet,

    /// <summary>CIFAR-10-C (<c>make_cifar_c.py</c>).</summary>
    Cifar10,
}

/// <summary>
/// One common corruption (ImageNet-C and its four extras), behaving like bethgelab/imagecorruptions: a function of
/// (image, severity 1–5, seed) that is deterministic for a seed, keeps the image size and returns values in [0,1].
/// Images are planar float [3,H,W] in [0,1] of any size. Implementations are immutable and thread-safe.
/// </summary>
public interface ICorruption
{
    /// <summary>The imagecorruptions name, e.g. <c>gaussian_noise</c>, <c>jpeg_compression</c>.</summary>
    string Name { get; }

    /// <summary>The corrupted image, a new planar [3,H,W] array in [0,1].</summary>
    /// <param name="image">Planar RGB in [0,1], 3·W·H values.</param>
    /// <param name="width">Width W.</param>
    /// <param name="height">Height H.</param>
    /// <param name="severity">1 (mild) to 5 (harsh).</param>
    /// <param name="seed">All random draws come from this seed.</param>
    /// <param name="table">Parameter table.</param>
    float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet);
}
