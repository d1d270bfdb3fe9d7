using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>gaussian_noise</c>: x + N(0, c²) per value, clipped to [0,1]. c (σ) ImageNet .08,.12,.18,.26,.38;
/// CIFAR-10-C .04,.06,.08,.09,.10. Draws come from the repo's xoshiro generator, so values differ from numpy's stream.
/// </summary>
public sealed class GaussianNoise : ICorruption
{
    internal static readonly double[] ImageNetSigma = { .08, .12, .18, .26, .38 };
    internal static readonly double[] CifarSigma = { .04, .06, .08, .09, .10 };

    /// <inheritdoc/>
    public string Name => "gaussian_noise";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        double c = NoiseBlurSeverity.Pick(ImageNetSigma, CifarSigma, severity, table);
        var rng = new PartShapesRandom(seed);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(image[i] + c * rng.Normal());
        return o;
    }
}
