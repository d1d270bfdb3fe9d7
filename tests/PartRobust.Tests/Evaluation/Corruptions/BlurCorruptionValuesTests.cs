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

/// <summary>Defocus, zoom and motion blur against values worked out by hand.</summary>
public class BlurGeometryValuesTests
{
    [Fact]
    public void Defocus_disk_kernel_radius_3_is_29_equal_cells_and_sums_to_1()
    {
        // r = 3 on the −8…8 grid: x²+y² ≤ 9 has 1 + 4·3 (axes) + 4·4 (|x|,|y| ∈ 1..2, x²+y² ≤ 8) = 29 cells.
        // alias σ = 0.1 with a 3-tap kernel: side weight e^{-50} ≈ 2e-22, so the blur changes nothing measurable.
        var (k, n) = DiskKernel.Make(3, 0.1);
        Assert.Equal(17, n);
        Assert.Equal(1.0, k.Sum(), 12);
        Assert.Equal(29, k.Count(v => Math.Abs(v - 1.0 / 29) < 1e-12));
        Assert.Equal(1.0 / 29, k[8 * 17 + 8 + 3], 12);  // (x=3, y=0) inside
        Assert.True(k[8 * 17 + 8 + 4] < 1e-15);          // (x=4, y=0) outside
        var (k10, n10) = DiskKernel.Make(10, 0.5);       // r > 8: grid −10…10, 5×5 anti-alias
        Assert.Equal(21, n10);
        // The disk touches the grid edge (±10, 0) and cv2.GaussianBlur's reflect-101 border mirrors inner cells
        // back in, so the library's kernel is not renormalised and sums to slightly more than 1.
        Assert.InRange(k10.Sum(), 1.001, 1.02);
    }

    [Fact]
    public void Defocus_on_a_flat_image_keeps_it_and_reflect101_maps_indices()
    {
        var img = Enumerable.Repeat(0.3f, 3 * 10 * 7).ToArray();
        var o = new DefocusBlur().Apply(img, 10, 7, 3, 0); // 17×17 kernel on a 10×7 image: repeated reflection
        Assert.All(o, v => Assert.Equal(0.3f, v, 5));
        Assert.Equal(1, ReflectBorderFilter.Reflect101(-1, 5));
        Assert.Equal(3, ReflectBorderFilter.Reflect101(5, 5));
        Assert.Equal(2, ReflectBorderFilter.Reflect101(-10, 5)); // −10 → 10 → −2 → 2
    }

    [Fact]
    public void Zoom_factors_follow_numpy_arange_lengths()
    {
        // numpy: len = ceil((stop − 1)/step) in doubles, e.g. (1.11 − 1)/0.01 = 11.000000000000009 → 12.
        Assert.Equal(12, ZoomBlur.Factors(1.11, .01).Length);
        Assert.Equal(16, ZoomBlur.Factors(1.16, .01).Length);
        Assert.Equal(11, ZoomBlur.Factors(1.21, .02).Length);
        Assert.Equal(13, ZoomBlur.Factors(1.26, .02).Length);
        Assert.Equal(11, ZoomBlur.Factors(1.31, .03).Length);
        Assert.Equal(7, ZoomBlur.Factors(1.06, .01).Length);
    }

    [Fact]
    public void Zoom_blur_keeps_a_flat_image_and_the_centre_of_a_symmetric_one()
    {
        var flat = Enumerable.Repeat(0.6f, 3 * 12 * 9).ToArray();
        Assert.All(new ZoomBlur().Apply(flat, 12, 9, 5, 0), v => Assert.Equal(0.6f, v, 5));
    }

    [Fact]
    public void Motion_blur_at_angle_zero_is_a_one_sided_horizontal_gaussian()
    {
        // a = 0: dy = 0, dx_i = −ceil(i − 0.5) = −i, so out[y,x] = Σ_i k_i · x[y, min(x + i, W−1)], k_i ∝ e^{−i²/2σ²}.
        int w = 40, h = 2;
        var img = new float[3 * w * h];
        img[5] = 1f; // channel 0, row 0, column 5
        var o = MotionBlur.Blur(img, w, h, radius: 2, sigma: 1, angleDegrees: 0);
        double z = 1 + Math.Exp(-0.5) + Math.Exp(-2) + Math.Exp(-4.5) + Math.Exp(-8);
        Assert.Equal(1 / z, o[5], 6);                     // i = 0
        Assert.Equal(Math.Exp(-0.5) / z, o[4], 6);        // x = 4 reads x + 1 = 5
        Assert.Equal(Math.Exp(-8) / z, o[1], 6);          // x = 1 reads x + 4
        Assert.Equal(0f, o[6]);
        Assert.Equal(0f, o[w + 5]);                       // row 1 untouched
    }
}

/// <summary>Glass blur's shuffle, seen through CIFAR severity 1 where the blur (σ = 0.05, radius 0) is the identity.</summary>
public class GlassBlurShuffleTests
{
    [Fact]
    public void Each_pixel_takes_an_original_neighbour_from_up_left_and_the_first_two_rows_and_columns_stay()
    {
        // δ = 1: dx, dy ∈ {−1, 0}; h, w run downwards from H−1/W−1 to 2, so sources (h−1|h, w−1|w) are still
        // original when read (they are visited later). Values are the uint8-truncated input.
        int w = 9, h = 7, plane = w * h;
        var img = new float[3 * plane];
        for (int i = 0; i < plane; i++) { img[i] = i / 100f; img[plane + i] = 0.5f + i / 200f; img[2 * plane + i] = 1 - i / 100f; }
        double Q(int c, int p) => Math.Floor(img[c * plane + p] * 255.0) / 255.0;
        var o = new GlassBlur().Apply(img, w, h, 1, 3, CorruptionTable.Cifar10);
        int moved = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (y < 2 || x < 2) { for (int c = 0; c < 3; c++) Assert.Equal(Q(c, p), o[c * plane + p], 5); continue; }
                var candidates = new[] { p, p - 1, p - w, p - w - 1 };
                int src = candidates.FirstOrDefault(s => Enumerable.Range(0, 3).All(c => Math.Abs(Q(c, s) - o[c * plane + p]) < 1e-5), -1);
                Assert.True(src >= 0, $"pixel ({x},{y}) is not an up/left neighbour's value");
                if (src != p) moved++;
            }
        Assert.InRange(moved, 15, 35); // 35 visited pixels, each moved with probability 3/4
    }
}
