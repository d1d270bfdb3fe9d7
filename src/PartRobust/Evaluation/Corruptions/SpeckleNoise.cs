using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>speckle_noise</c>: x + x·N(0, c²) per value, clipped to [0,1]. c ImageNet .15,.2,.35,.45,.6;
/// CIFAR-10-C .06,.1,.12,.16,.2. Draws from the repo's xoshiro generator (not numpy's stream).
/// </summary>
public sealed class SpeckleNoise : ICorruption
{
    internal static readonly double[] ImageNetScale = { .15, .2, .35, .45, .6 };
    internal static readonly double[] CifarScale = { .06, .1, .12, .16, .2 };

    /// <inheritdoc/>
    public string Name => "speckle_noise";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        double c = NoiseBlurSeverity.Pick(ImageNetScale, CifarScale, severity, table);
        var rng = new PartShapesRandom(seed);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(image[i] + image[i] * c * rng.Normal());
        return o;
    }
}
