using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>impulse_noise</c> = skimage <c>random_noise(mode='s&amp;p', amount=c)</c> (salt_vs_pepper 0.5):
/// every value (each channel independently, as skimage draws over the whole H×W×3 array) is replaced with
/// probability c, by 1 or 0 with equal odds. c ImageNet .03,.06,.09,.17,.27; CIFAR-10-C .01,.02,.03,.05,.07.
/// Draws from the repo's xoshiro generator (not numpy's stream).
/// </summary>
public sealed class ImpulseNoise : ICorruption
{
    internal static readonly double[] ImageNetAmount = { .03, .06, .09, .17, .27 };
    internal static readonly double[] CifarAmount = { .01, .02, .03, .05, .07 };

    /// <inheritdoc/>
    public string Name => "impulse_noise";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        double c = NoiseBlurSeverity.Pick(ImageNetAmount, CifarAmount, severity, table);
        var rng = new PartShapesRandom(seed);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++)
        {
            bool flipped = rng.NextDouble() <= c, salted = rng.NextDouble() < 0.5;
            o[i] = flipped ? (salted ? 1f : 0f) : NoiseBlurSeverity.Clip01(image[i]);
        }
        return o;
    }
}
