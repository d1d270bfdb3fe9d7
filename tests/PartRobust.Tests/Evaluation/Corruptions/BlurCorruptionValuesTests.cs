using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>Blur corruptions on tiny images, against values worked out independently.</summary>
public class BlurCorruptionValuesTests
{
    [Fact]
    public void Gaussian_blur_cifar_severity1_at_one_pixel_matches_hand_kernel()
    {
        // σ = 0.4 → radius int(4·0.4+0.5) = 2; weights exp(−x²/0.32) for x = −2..2:
        // e^{-12.5}, e^{-3.125}, 1, e^{-3.125}, e^{-12.5}; normalised.
        double e1 = Math.Exp(-3.125), e2 = Math.Exp(-12.5), z = 1 + 2 * e1 + 2 * e2;
        double[] k = { e2 / z, e1 / z, 1 / z, e1 / z, e2 / z };
        Assert.Equal(k, GaussianFilter.Kernel1D(0.4), new Tolerance(1e-15));

        // 5×4 image, single bright value at (x=1,y=0) in channel 1; output at (x=0,y=0) with 'nearest' borders:
        // rows: y+i clamped: i=−2,−1 → row 0; so vertical weight for row 0 is k[0]+k[1]+k[2].
        // cols: x+i for x=0: i=−2,−1,0 clamp to column 0, i=1 → column 1 (weight k[3]).
        int w = 5, h = 4;
        var img = new float[3 * w * h];
        img[w * h + 0 * w + 1] = 1f;
        var o = new GaussianBlur().Apply(img, w, h, 1, 0, CorruptionTable.Cifar10);
        double expected = (k[0] + k[1] + k[2]) * k[3];
        Assert.Equal(expected, o[w * h + 0], 6);
        Assert.Equal(0f, o[0]); // other channels untouched
        Assert.Equal((k[0] + k[1] + k[2]) * k[2], o[w * h + 1], 6); // at the bright pixel itself
    }

    sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
