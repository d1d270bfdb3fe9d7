using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>spatter's water and mud modes and its OpenCV helpers (Canny, distance transform, equalizeHist, blur, emboss).</summary>
public class SpatterTests
{
    static readonly Spatter Corruption = new();

    // ---- Canny ----

    static byte[] Step(int w, int h, Func<int, int, int> value)
    {
        var img = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img[y * w + x] = (byte)value(y, x);
        return img;
    }

    [Fact]
    public void Canny_marks_one_side_of_a_strong_step()
    {
        // Vertical step 0 | 200 between columns 3 and 4: Sobel dx = 4·200 = 800 on both columns 3 and 4, dy = 0. Non-maximum
        // suppression keeps m > left && m >= right, so column 3 (800 > 0, 800 >= 800) is the edge and column 4 (800 > 800
        // fails) is not.
        var e = CannyEdges.Detect(Step(8, 6, (y, x) => x >= 4 ? 200 : 0), 8, 6, 50, 150);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 8; x++) Assert.Equal(x == 3 ? 255 : 0, e[y * 8 + x]);
        // Horizontal step between rows 2 and 3: dy = 800 on rows 2 and 3; m > above && m >= below keeps row 2.
        var h = CannyEdges.Detect(Step(5, 6, (y, x) => y >= 3 ? 200 : 0), 5, 6, 50, 150);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++) Assert.Equal(y == 2 ? 255 : 0, h[y * 5 + x]);
    }

    [Fact]
    public void Canny_thresholds_and_hysteresis()
    {
        // Step 0 | 30: magnitude 4·30 = 120, above low (50) but not high (150): no seed, no edge at all.
        var weak = Step(8, 12, (y, x) => x >= 4 ? 30 : 0);
        Assert.All(CannyEdges.Detect(weak, 8, 12, 50, 150), v => Assert.Equal(0, v));
        // Step 0 | 40: magnitude 160 > 150: the edge column appears.
        Assert.Equal(255, CannyEdges.Detect(Step(8, 12, (y, x) => x >= 4 ? 40 : 0), 8, 12, 50, 150)[5 * 8 + 3]);
        // Rows 0–5 weak (30), rows 6–11 strong (100): the weak column-3 pixels of rows 0–4 (magnitude 120, local maxima)
        // are 8-connected to the strong edge (through (5,4), magnitude 400), so hysteresis keeps them.
        var mixed = Step(8, 12, (y, x) => x < 4 ? 0 : y < 6 ? 30 : 100);
        var e = CannyEdges.Detect(mixed, 8, 12, 50, 150);
        foreach (int y in new[] { 0, 1, 2, 3, 8, 9, 10, 11 })
            for (int x = 0; x < 8; x++) Assert.Equal(x == 3 ? 255 : 0, e[y * 8 + x]);
        Assert.Equal(255, e[4 * 8 + 3]);
        Assert.Equal(255, e[7 * 8 + 3]);
        Assert.Equal(255, e[5 * 8 + 4]);
    }

    // ---- distance transform ----

    [Fact]
    public void Distance_transform_matches_chamfer_steps_and_approximates_euclid()
    {
        const int w = 11, h = 9, cx = 5, cy = 4;
        var src = new byte[w * h];
        Array.Fill(src, (byte)255);
        src[cy * w + cx] = 0;
        var d = ChamferDistance.L2Mask5(src, w, h);
        double a = 1, b = 91750 / 65536.0, c = 143976 / 65536.0; // cvRound(1.4·2^16), cvRound(2.1969·2^16)
        float At(int dx, int dy) => d[(cy + dy) * w + cx + dx];
        Assert.Equal(0f, At(0, 0));
        Assert.Equal(a, At(1, 0), 1e-6);
        Assert.Equal(a, At(0, -1), 1e-6);
        Assert.Equal(b, At(1, 1), 1e-6);
        Assert.Equal(b, At(-1, 1), 1e-6);
        Assert.Equal(c, At(2, 1), 1e-6);
        Assert.Equal(c, At(-1, -2), 1e-6);
        Assert.Equal(2 * a, At(2, 0), 1e-6);
        Assert.Equal(2 * b, At(2, 2), 1e-6);
        Assert.Equal(c + 2 * b, At(4, 3), 1e-6);   // (2,1) + (1,1) + (1,1): 4.9969 vs √25 = 5
        Assert.Equal(2 * a + c, At(-4, 1), 1e-6);  // 4.1969 vs √17 = 4.123
        Assert.Equal(c + b, At(3, 2), 1e-6);       // 3.5969 vs √13 = 3.606
        // Every pixel within 2% of the Euclidean distance (the 5×5 mask's worst case is about +1.9% along (n,1)).
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double e = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                Assert.InRange(d[y * w + x], e - 0.02 * e - 1e-6, e + 0.02 * e + 1e-6);
            }
        // The nearest of two zeros wins; outside the image is not a zero.
        src[0] = 0;
        var two = ChamferDistance.L2Mask5(src, w, h);
        Assert.Equal(a, two[1], 1e-6);
        Assert.Equal(b, two[w + 1], 1e-6);
        Assert.Equal(a, two[cy * w + cx + 1], 1e-6);
        // No zero at all: everything far (above the 20 at which spatter truncates).
        Array.Fill(src, (byte)255);
        Assert.All(ChamferDistance.L2Mask5(src, w, h), v => Assert.True(v > 1000));
    }

    // ---- equalizeHist, blur, emboss ----

    [Fact]
    public void EqualizeHist_by_hand()
    {
        // hist: 10×2, 20×1, 30×3, 40×2; lowest level 10 → 0; scale 255/(8−2) = 42.5: 20 → round(1·42.5) = 42 (half to
        // even, as cvRound), 30 → 4·42.5 = 170, 40 → 6·42.5 = 255.
        byte[] img = { 10, 10, 20, 30, 30, 30, 40, 40 };
        Assert.Equal(new byte[] { 0, 0, 42, 170, 170, 170, 255, 255 }, OpenCvGrayFilters.EqualizeHist(img));
        byte[] flat = { 7, 7, 7, 7 };
        Assert.Equal(flat, OpenCvGrayFilters.EqualizeHist(flat));
    }

    [Fact]
    public void Blur3_and_emboss_by_hand()
    {
        // 3×3 with a 5 in the middle, reflect-101 border: the corner's window sees the centre 4 times (20/9 → 2), the edge
        // pixel 2 times (10/9 → 1), the centre once (5/9 → 1).
        byte[] dot = { 0, 0, 0, 0, 5, 0, 0, 0, 0 };
        Assert.Equal(new byte[] { 2, 1, 2, 1, 1, 1, 2, 1, 2 }, OpenCvGrayFilters.Blur3(dot, 3, 3));
        var f = OpenCvGrayFilters.Blur3(new float[] { 0, 0, 0, 0, 5, 0, 0, 0, 0 }, 3, 3);
        Assert.Equal(20f / 9, f[0], 1e-6);
        Assert.Equal(10f / 9, f[1], 1e-6);
        Assert.Equal(5f / 9, f[4], 1e-6);
        // Emboss [[−2,−1,0],[−1,1,1],[0,1,2]] (sum 1) at the centre of a ramp 10·x: −10 + 30 + 50 = 70; on the reversed
        // ramp 20 − 10·x: −50 + (−10) + 10 = −50 → saturated to 0; a constant stays constant.
        double[] k = { -2, -1, 0, -1, 1, 1, 0, 1, 2 };
        byte[] ramp = { 0, 10, 20, 0, 10, 20, 0, 10, 20 };
        Assert.Equal(70, OpenCvGrayFilters.Filter2D(ramp, 3, 3, k, 3)[4]);
        byte[] down = { 20, 10, 0, 20, 10, 0, 20, 10, 0 };
        Assert.Equal(0, OpenCvGrayFilters.Filter2D(down, 3, 3, k, 3)[4]);
        Assert.All(OpenCvGrayFilters.Filter2D(new byte[] { 9, 9, 9, 9, 9, 9, 9, 9, 9 }, 3, 3, k, 3), v => Assert.Equal(9, v));
    }

    // ---- the corruption ----

    [Theory]
    [InlineData(CorruptionTable.ImageNet, 1)]
    [InlineData(CorruptionTable.ImageNet, 3)]
    [InlineData(CorruptionTable.Cifar10, 3)]
    public void Water_only_lightens_inside_the_liquid_with_pale_turquoise(CorruptionTable table, int severity)
    {
        const int w = 48, h = 40, px = w * h;
        const ulong seed = 5;
        var img = CorruptionTestImages.Natural(w, h);
        var c = (table == CorruptionTable.Cifar10 ? Spatter.CifarC : Spatter.ImageNetC)[severity - 1];
        Assert.Equal(0, c.Mode);
        var liquid = Spatter.LiquidLayer(w, h, c, seed);
        var m = Spatter.WaterLayer(liquid, w, h, c.Strength);
        var o = Corruption.Apply(img, w, h, severity, seed, table);
        Assert.Equal(c.Strength, m.Max(), 1e-6); // m is normalised to its maximum, then scaled by c4
        int wet = 0, unclipped = 0;
        for (int i = 0; i < px; i++)
        {
            for (int ch = 0; ch < 3; ch++) Assert.True(o[ch * px + i] >= img[ch * px + i]);
            if (liquid[i] == 0)
            {
                Assert.Equal(0f, m[i]);
                for (int ch = 0; ch < 3; ch++) Assert.Equal(img[ch * px + i], o[ch * px + i]);
                continue;
            }
            wet++;
            if (m[i] < 0.05f || Enumerable.Range(0, 3).Any(ch => o[ch * px + i] >= 1f)) continue;
            unclipped++;
            // Added amount m·(175, 238, 238)/255 on (R, G, B): green and blue equal, both 238/175 of red.
            float dr = o[i] - img[i], dg = o[px + i] - img[px + i], db = o[2 * px + i] - img[2 * px + i];
            Assert.Equal(m[i] * 175 / 255f, dr, 1e-5);
            Assert.Equal(dg, db, 1e-5);
            Assert.Equal(238.0 / 175, dg / dr, 2e-3);
        }
        Assert.True(wet > 0 && wet < px, $"wet pixels {wet} of {px}");
        Assert.True(unclipped > 0);
    }

    [Theory]
    [InlineData(CorruptionTable.ImageNet, 4)]
    [InlineData(CorruptionTable.ImageNet, 5)]
    [InlineData(CorruptionTable.Cifar10, 5)]
    public void Mud_blends_towards_brown_inside_the_mask_and_leaves_the_rest(CorruptionTable table, int severity)
    {
        const int w = 48, h = 40, px = w * h;
        const ulong seed = 9;
        var img = CorruptionTestImages.Natural(w, h);
        var c = (table == CorruptionTable.Cifar10 ? Spatter.CifarC : Spatter.ImageNetC)[severity - 1];
        Assert.Equal(1, c.Mode);
        var mask = Spatter.MudMask(Spatter.LiquidLayer(w, h, c, seed), w, h, c.Threshold, c.Strength);
        var o = Corruption.Apply(img, w, h, severity, seed, table);
        double[] mud = { 63 / 255.0, 42 / 255.0, 20 / 255.0 };
        int muddy = 0;
        for (int i = 0; i < px; i++)
        {
            if (mask[i] == 0)
            {
                for (int ch = 0; ch < 3; ch++) Assert.Equal(img[ch * px + i], o[ch * px + i]);
                continue;
            }
            muddy++;
            Assert.InRange(mask[i], 0.8, 1.0 + 1e-9);
            for (int ch = 0; ch < 3; ch++)
            {
                double x = img[ch * px + i], y = o[ch * px + i];
                Assert.Equal(x * (1 - mask[i]) + mask[i] * mud[ch], y, 1e-6);
                Assert.True(Math.Abs(y - mud[ch]) <= 0.2 * Math.Abs(x - mud[ch]) + 1e-6); // at least 80% of the way to brown
            }
        }
        Assert.True(muddy > 0 && muddy < px, $"muddy pixels {muddy} of {px}");
    }

    [Fact]
    public void Seeds_give_different_spatter_and_a_seed_repeats()
    {
        var img = CorruptionTestImages.Natural(32, 32);
        foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
            foreach (int s in new[] { 3, 5 })
            {
                var a = Corruption.Apply(img, 32, 32, s, 1, table);
                Assert.Equal(a, Corruption.Apply(img, 32, 32, s, 1, table));
                Assert.NotEqual(a, Corruption.Apply(img, 32, 32, s, 2, table));
            }
    }

    [Fact]
    public void ImageNet_table_is_harsher_with_severity_at_224_px_on_the_mean()
    {
        // The ImageNet parameters are sized for 224 px images: the mean PSNR over seeds falls at every severity there,
        // water (1–3) then mud (4–5).
        const int n = 224;
        var img = CorruptionTestImages.Natural(n, n);
        var psnr = new double[5];
        for (int s = 1; s <= 5; s++)
            for (ulong seed = 0; seed < 3; seed++)
                psnr[s - 1] += CorruptionTestImages.Psnr(img, Corruption.Apply(img, n, n, s, seed)) / 3;
        for (int s = 1; s < 5; s++)
            Assert.True(psnr[s] < psnr[s - 1], string.Join(", ", psnr.Select(p => p.ToString("F2"))));
    }

    [Fact]
    public void Tiny_image_without_liquid_is_returned_unchanged()
    {
        // On a 3×2 image the σ=4 layer rarely crosses .69; whenever it has no wet pixel the image comes back as it was
        // (the library would divide 0 by 0 there).
        var img = CorruptionTestImages.Natural(3, 2);
        int dry = 0;
        for (ulong seed = 0; seed < 20; seed++)
        {
            var liquid = Spatter.LiquidLayer(3, 2, Spatter.ImageNetC[0], seed);
            if (liquid.Any(v => v > 0)) continue;
            dry++;
            Assert.Equal(img, Corruption.Apply(img, 3, 2, 1, seed));
        }
        Assert.True(dry > 0);
    }
}
