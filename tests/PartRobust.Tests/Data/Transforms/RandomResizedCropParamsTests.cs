using PartRobust.Data;
using PartRobust.Data.Transforms;
using Xunit;

namespace PartRobust.Tests.Data.Transforms;

public sealed class RandomResizedCropParamsTests
{
    const double RMin = 3.0 / 4.0, RMax = 4.0 / 3.0;

    [Fact]
    public void Crops_respect_scale_ratio_and_image_bounds_over_many_seeds()
    {
        int W = 500, H = 375, n = 4000;
        double area = W * H, minFrac = 1, maxFrac = 0, centreX = 0, centreY = 0;
        for (int s = 0; s < n; s++)
        {
            var r = RandomResizedCropParams.Sample(W, H, 0.08, 1.0, RMin, RMax, new PartShapesRandom((ulong)s));
            Assert.True(r.X >= 0 && r.Y >= 0 && r.X + r.Width <= W && r.Y + r.Height <= H, $"seed {s}: {r} outside the image");
            int w = r.Width, h = r.Height;
            // w, h are sqrt(area·aspect), sqrt(area/aspect) rounded: each within 0.5 of an exact value.
            Assert.True((w + 0.5) * (h + 0.5) >= 0.08 * area && w * h <= area, $"seed {s}: area {w * h}");
            Assert.True((w + 0.5) / (h - 0.5) >= RMin && (w - 0.5) / (h + 0.5) <= RMax, $"seed {s}: ratio {w}/{h}");
            double frac = w * h / area;
            minFrac = Math.Min(minFrac, frac); maxFrac = Math.Max(maxFrac, frac);
            centreX += (r.X + w / 2.0) / W; centreY += (r.Y + h / 2.0) / H;
        }
        Assert.InRange(minFrac, 0.075, 0.1);  // the whole scale range is used
        Assert.InRange(maxFrac, 0.9, 1.0);
        Assert.InRange(centreX / n, 0.48, 0.52); // positions uniform: centres average to the middle
        Assert.InRange(centreY / n, 0.48, 0.52);
    }

    [Fact]
    public void Impossible_shapes_fall_back_to_a_ratio_clamped_centre_crop()
    {
        // 1000×10: any accepted h would be >= sqrt(0.08·10000/(4/3)) = 24.5 > 10, so all 10 attempts fail.
        // in_ratio 100 > 4/3 → h = 10, w = round(10·4/3) = 13, left = (1000 - 13)//2 = 493.
        for (ulong s = 0; s < 20; s++)
            Assert.Equal(new PixelRect(493, 0, 13, 10), RandomResizedCropParams.Sample(1000, 10, 0.08, 1, RMin, RMax, new PartShapesRandom(s)));
        // 10×1000: in_ratio 0.01 < 3/4 → w = 10, h = round(10/(3/4)) = 13, top = 493.
        Assert.Equal(new PixelRect(0, 493, 10, 13), RandomResizedCropParams.Sample(10, 1000, 0.08, 1, RMin, RMax, new PartShapesRandom(1)));
        // A ratio inside the range falls back to the whole image.
        Assert.Equal(new PixelRect(0, 0, 120, 100), RandomResizedCropParams.Fallback(120, 100, RMin, RMax));
    }

    [Fact]
    public void Same_seed_same_crop_different_seeds_differ()
    {
        var a = RandomResizedCropParams.Sample(640, 480, 0.08, 1, RMin, RMax, new PartShapesRandom(42));
        var b = RandomResizedCropParams.Sample(640, 480, 0.08, 1, RMin, RMax, new PartShapesRandom(42));
        var c = RandomResizedCropParams.Sample(640, 480, 0.08, 1, RMin, RMax, new PartShapesRandom(43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
