using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>motion_blur</c> (its own numpy <c>_motion_blur</c>, not ImageMagick): angle a ~ U(−45°, 45°);
/// width = 2·radius + 1; weights k_i ∝ exp(−i²/2σ²) for i = 0…width−1 (a one-sided Gaussian, sum 1); output =
/// Σ k_i · shift(x, dx_i, dy_i) with dy_i = −ceil(i·sin a − 0.5), dx_i = −ceil(i·cos a − 0.5), where shift moves the
/// image by (dx, dy) and repeats the edge row/column (out[y,x] = x[clamp(y−dy), clamp(x−dx)]); the sum stops at the
/// first i whose |dy| ≥ H or |dx| ≥ W (<see cref="ShiftMotionBlur"/>, shared with snow); clipped. (radius, σ) ImageNet (10,3),(15,5),(15,8),(15,12),(20,15);
/// CIFAR-10-C (6,1),(6,1.5),(6,2),(8,2),(9,2.5). Differences: hendrycks' original scripts (and make_cifar_c.py) call
/// Wand/ImageMagick <c>motion_blur</c> instead, which differs in kernel details; the angle comes from our xoshiro stream.
/// </summary>
public sealed class MotionBlur : ICorruption
{
    internal static readonly (int Radius, double Sigma)[] ImageNetParams = { (10, 3), (15, 5), (15, 8), (15, 12), (20, 15) };
    internal static readonly (int Radius, double Sigma)[] CifarParams = { (6, 1), (6, 1.5), (6, 2), (8, 2), (9, 2.5) };

    /// <inheritdoc/>
    public string Name => "motion_blur";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        var (radius, sigma) = NoiseBlurSeverity.Pick(ImageNetParams, CifarParams, severity, table);
        double angleDegrees = new PartShapesRandom(seed).Uniform(-45, 45);
        return Blur(image, width, height, radius, sigma, angleDegrees);
    }

    /// <summary>The blur of each channel for a given angle in degrees (exposed for tests).</summary>
    internal static float[] Blur(ReadOnlySpan<float> image, int width, int height, int radius, double sigma, double angleDegrees)
    {
        int plane = width * height;
        var o = new float[image.Length];
        var channel = new double[plane];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < plane; i++) channel[i] = image[c * plane + i];
            var blurred = ShiftMotionBlur.Apply(channel, width, height, radius, sigma, angleDegrees);
            for (int i = 0; i < plane; i++) o[c * plane + i] = NoiseBlurSeverity.Clip01(blurred[i]);
        }
        return o;
    }
}
