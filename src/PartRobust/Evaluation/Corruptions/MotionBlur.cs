using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>motion_blur</c> (its own numpy <c>_motion_blur</c>, not ImageMagick): angle a ~ U(−45°, 45°);
/// width = 2·radius + 1; weights k_i ∝ exp(−i²/2σ²) for i = 0…width−1 (a one-sided Gaussian, sum 1); output =
/// Σ k_i · shift(x, dx_i, dy_i) with dy_i = −ceil(i·sin a − 0.5), dx_i = −ceil(i·cos a − 0.5), where shift moves the
/// image by (dx, dy) and repeats the edge row/column (out[y,x] = x[clamp(y−dy), clamp(x−dx)]); the sum stops at the
/// first i whose |dy| ≥ H or |dx| ≥ W; clipped. (radius, σ) ImageNet (10,3),(15,5),(15,8),(15,12),(20,15);
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
        double angle = new PartShapesRandom(seed).Uniform(-45, 45) * Math.PI / 180;
        return Blur(image, width, height, radius, sigma, angle);
    }

    /// <summary>The blur for a given angle in radians (exposed for tests).</summary>
    internal static float[] Blur(ReadOnlySpan<float> image, int width, int height, int radius, double sigma, double angle)
    {
        int n = 2 * radius + 1, plane = width * height;
        var k = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) { k[i] = Math.Exp(-(double)i * i / (2 * sigma * sigma)); z += k[i]; }
        // point = (n·sin a, n·cos a), hypot = n, so i·point/hypot = i·(sin a, cos a).
        double sin = Math.Sin(angle), cos = Math.Cos(angle);
        var acc = new double[image.Length];
        for (int i = 0; i < n; i++)
        {
            int dy = -(int)Math.Ceiling(i * n * sin / Hypot(n * sin, n * cos) - 0.5);
            int dx = -(int)Math.Ceiling(i * n * cos / Hypot(n * sin, n * cos) - 0.5);
            if (Math.Abs(dy) >= height || Math.Abs(dx) >= width) break; // motion beyond the image: the library stops
            double wgt = k[i] / z;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                {
                    int sy = Math.Clamp(y - dy, 0, height - 1);
                    for (int x = 0; x < width; x++)
                        acc[c * plane + y * width + x] += wgt * image[c * plane + sy * width + Math.Clamp(x - dx, 0, width - 1)];
                }
        }
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(acc[i]);
        return o;
    }

    static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);
}
