using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>glass_blur</c>: Gaussian blur (σ, scipy 'nearest'), quantise to uint8 by truncation, then
/// <c>iterations</c> passes over h = H−δ … δ+1 and w = W−δ … δ+1 (descending, so any image size works) that draw
/// dx, dy uniformly from −δ…δ−1 (numpy <c>randint(-δ, δ)</c>) and "swap" pixel (h,w) with (h+dy, w+dx), then blur
/// again and clip. The library's swap is a tuple assignment of numpy views, which copies rather than swaps
/// (see numpy/numpy#14428): (h,w) receives the neighbour's value and the neighbour keeps its own. We reproduce that.
/// (σ, δ, iterations) ImageNet (.7,1,2),(.9,2,1),(1,2,3),(1.1,3,2),(1.5,4,2); CIFAR-10-C (.05,1,1),(.25,1,1),(.4,1,1),
/// (.25,1,2),(.4,1,2). Draws from the repo's xoshiro generator (not numpy's stream).
/// </summary>
public sealed class GlassBlur : ICorruption
{
    internal static readonly (double Sigma, int Delta, int Iterations)[] ImageNetParams = { (.7, 1, 2), (.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2) };
    internal static readonly (double Sigma, int Delta, int Iterations)[] CifarParams = { (.05, 1, 1), (.25, 1, 1), (.4, 1, 1), (.25, 1, 2), (.4, 1, 2) };

    /// <inheritdoc/>
    public string Name => "glass_blur";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        var (sigma, delta, iterations) = NoiseBlurSeverity.Pick(ImageNetParams, CifarParams, severity, table);
        int plane = width * height;
        var x = GaussianFilter.ApplyNearest(GaussianFilter.ToDouble(image), 3, width, height, sigma);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Floor(x[i] * 255); // np.uint8(float) truncates
        var rng = new PartShapesRandom(seed);
        for (int it = 0; it < iterations; it++)
            for (int h = height - delta; h > delta; h--)
                for (int w = width - delta; w > delta; w--)
                {
                    int dx = rng.Next(2 * delta) - delta, dy = rng.Next(2 * delta) - delta;
                    int src = (h + dy) * width + (w + dx), dst = h * width + w;
                    for (int c = 0; c < 3; c++) x[c * plane + dst] = x[c * plane + src];
                }
        for (int i = 0; i < x.Length; i++) x[i] /= 255;
        var blurred = GaussianFilter.ApplyNearest(x, 3, width, height, sigma);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(blurred[i]);
        return o;
    }
}
