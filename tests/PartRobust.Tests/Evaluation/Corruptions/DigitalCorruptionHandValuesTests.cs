using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

public class DigitalCorruptionHandValuesTests
{
    [Fact]
    public void Contrast_on_a_2x2_image_by_hand()
    {
        // R = 0, .2, .4, .6 (mean .3); G = 1,1,1,1 (mean 1); B = .1,.1,.9,.9 (mean .5). Severity 1, ImageNet: c = .4.
        float[] img = { 0f, .2f, .4f, .6f, 1f, 1f, 1f, 1f, .1f, .1f, .9f, .9f };
        float[] expected = { .18f, .26f, .34f, .42f, 1f, 1f, 1f, 1f, .34f, .34f, .66f, .66f };
        var o = new Contrast().Apply(img, 2, 2, 1, 0);
        for (int i = 0; i < 12; i++) Assert.Equal(expected[i], o[i], 5);
        // CIFAR severity 5: c = .15 → R = .3 + (x−.3)·.15.
        var cif = new Contrast().Apply(img, 2, 2, 5, 0, CorruptionTable.Cifar10);
        Assert.Equal(.255f, cif[0], 5);
        Assert.Equal(.345f, cif[3], 5);
    }

    [Fact]
    public void Brightness_on_one_pixel_through_hsv_by_hand()
    {
        // (R,G,B) = (.2,.4,.3): V = .4, S = .2/.4 = .5, G is max → H = (2 + (B−R)/Δ)/6 = (2 + .5)/6.
        // Severity 2 (ImageNet) c = .2 → V = .6; back: H·6 = 2.5 → sector 2, f = .5: p = .6·.5 = .3, t = .6·(1−.5·.5) = .45
        // → (p, v, t) = (.3, .6, .45).
        var o = new Brightness().Apply(new[] { .2f, .4f, .3f }, 1, 1, 2, 0);
        Assert.Equal(.3f, o[0], 5); Assert.Equal(.6f, o[1], 5); Assert.Equal(.45f, o[2], 5);
        // V clipped at 1: (.9,.5,.5) + .5 → V = 1, S = .4/.9 → (1, 1·(1−.4/.9), same) = (1, .5556, .5556).
        var clipped = new Brightness().Apply(new[] { .9f, .5f, .5f }, 1, 1, 5, 0);
        Assert.Equal(1f, clipped[0], 5); Assert.Equal(5f / 9f, clipped[1], 5); Assert.Equal(5f / 9f, clipped[2], 5);
        // Grey pixel: S = 0, H = 0 → stays grey, V + c.
        var grey = new Brightness().Apply(new[] { .3f, .3f, .3f }, 1, 1, 1, 0, CorruptionTable.Cifar10);
        Assert.All(grey, v => Assert.Equal(.35f, v, 5));
    }

    [Fact]
    public void Saturate_on_one_pixel_by_hand()
    {
        // (.2,.4,.3): H = 2.5/6, S = .5, V = .4. Severity 2: S·.1 = .05 → sector 2, f = .5: p = .4·.95 = .38,
        // t = .4·(1 − .5·.05) = .39 → (.38, .4, .39).
        var o = new Saturate().Apply(new[] { .2f, .4f, .3f }, 1, 1, 2, 0);
        Assert.Equal(.38f, o[0], 5); Assert.Equal(.4f, o[1], 5); Assert.Equal(.39f, o[2], 5);
    }

    [Fact]
    public void Pixelate_4x4_to_2x2_and_back_by_hand()
    {
        // Severity 2 (ImageNet) c = .5: 4x4 → 2x2 box means (Pillow rounds half up), then each pixel to a 2x2 block.
        byte[] r = { 0, 10, 20, 30, 40, 50, 60, 71, 100, 100, 0, 0, 100, 101, 0, 255 };
        var img = new float[48];
        for (int i = 0; i < 16; i++) { img[i] = r[i] / 255f; img[16 + i] = 1f; img[32 + i] = 0f; }
        // Block means: (0+10+40+50)/4 = 25, (20+30+60+71)/4 = 45.25 → 45, (100+100+100+101)/4 = 100.25 → 100, (0+0+0+255)/4 = 63.75 → 64.
        // Pillow is separable with 8-bit rounding in between: rows (0,10)→5,(40,50)→45 → 25; (20,30)→25,(60,71)→65.5→66 → 45.5→46;
        // (100,100)→100,(100,101)→100.5→101 → 100.5→101; (0,0)→0,(0,255)→127.5→128 → 64.
        byte[] expected = { 25, 25, 46, 46, 25, 25, 46, 46, 101, 101, 64, 64, 101, 101, 64, 64 };
        var o = new Pixelate().Apply(img, 4, 4, 2, 0);
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i] / 255f, o[i], 6);
        Assert.All(o.Skip(16).Take(16), v => Assert.Equal(1f, v));
        Assert.All(o.Skip(32), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Jpeg_equals_imageio_round_trip_of_rounded_bytes_and_quality_decreases()
    {
        int w = 16, h = 12;
        var img = CorruptionTestImages.Natural(w, h);
        var bytes = new byte[img.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Round(255.0 * img[i], MidpointRounding.AwayFromZero);
        var jpeg = new JpegCompression();
        foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
            for (int s = 1; s <= 5; s++)
            {
                int q = JpegCompression.Quality(s, table);
                if (s > 1) Assert.True(q < JpegCompression.Quality(s - 1, table));
                var (planar, _, _) = ImageIO.DecodeRgb(ImageIO.EncodeRgbJpeg(bytes, w, h, q));
                var o = jpeg.Apply(img, w, h, s, 0, table);
                for (int i = 0; i < o.Length; i++) Assert.Equal(planar[i] / 255f, o[i]);
            }
        Assert.Equal(new[] { 25, 18, 15, 10, 7 }, Enumerable.Range(1, 5).Select(s => JpegCompression.Quality(s)));
    }
}

public class ElasticTransformTests
{
    [Fact]
    public void Constant_image_stays_constant_and_scipy_reflect_indices()
    {
        var img = Enumerable.Repeat(0.37f, 3 * 20 * 10).ToArray();
        Assert.All(new ElasticTransform().Apply(img, 20, 10, 5, 3), v => Assert.Equal(0.37f, v, 5));
        // scipy 'reflect': d c b a | a b c d | d c b a
        Assert.Equal(new[] { 1, 0, 0, 1, 2, 3, 3, 2 }, new[] { -2, -1, 0, 1, 2, 3, 4, 5 }.Select(i => ScipyReflectGaussian.Reflect(i, 4)));
    }

    [Fact]
    public void Displacement_grows_with_severity_from_the_same_field()
    {
        int w = 32, h = 32;
        var img = CorruptionTestImages.Natural(w, h);
        var e = new ElasticTransform();
        var d1 = e.Apply(img, w, h, 1, 5); var d5 = e.Apply(img, w, h, 5, 5);
        Assert.True(CorruptionTestImages.Psnr(img, d5) < CorruptionTestImages.Psnr(img, d1));
        Assert.NotEqual(d1, e.Apply(img, w, h, 1, 6));
    }
}

public class FogTests
{
    [Fact]
    public void Fog_on_a_black_image_stays_black_and_plasma_is_normalised()
    {
        // x·max/(max+c) with max = 0 → 0 (the library's own behaviour).
        Assert.All(new Fog().Apply(new float[3 * 9], 3, 3, 5, 1), v => Assert.Equal(0f, v));
        var p = PlasmaFractal.Generate(16, 2, new PartShapesRandom(1));
        Assert.Equal(0.0, p.Min(), 12); Assert.Equal(1.0, p.Max(), 12);
        Assert.Equal(4, PlasmaFractal.NextPowerOf2(3)); Assert.Equal(32, PlasmaFractal.NextPowerOf2(32)); Assert.Equal(64, PlasmaFractal.NextPowerOf2(33));
    }
}
