using PartRobust.Data.Transforms;
using Xunit;

namespace PartRobust.Tests.Data.Transforms;

public sealed class JointTransformTests
{
    // A 3×2 grid of flat blocks: block (col, row) has colour R = 60·col + 30, G = 100·row + 50, B = 128 and label
    // 1 + col + 3·row, except block (2, 1), labelled 255 (ignore). Horizontal blends change only R, vertical only G,
    // so a pixel whose colour is exactly a block's colour lies inside that block's region of the resized image.
    const int Cols = 3, Rows = 2;

    static (byte[] Image, byte[] Mask) Blocks(int w, int h)
    {
        var img = new byte[3 * w * h];
        var mask = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int col = x * Cols / w, row = y * Rows / h, i = y * w + x;
                img[i] = (byte)(60 * col + 30);
                img[w * h + i] = (byte)(100 * row + 50);
                img[2 * w * h + i] = 128;
                mask[i] = Label(col, row);
            }
        return (img, mask);
    }

    static byte Label(int col, int row) => col == 2 && row == 1 ? (byte)255 : (byte)(1 + col + 3 * row);

    /// <summary>Every exactly-coloured pixel carries its block's label; returns how many pixels were exactly coloured.</summary>
    static int CheckAligned(byte[] img, byte[] mask, int s)
    {
        int px = s * s, exact = 0;
        var allowed = new HashSet<byte>();
        for (int c = 0; c < Cols; c++) for (int r = 0; r < Rows; r++) allowed.Add(Label(c, r));
        for (int i = 0; i < px; i++)
        {
            Assert.Contains(mask[i], allowed); // nearest never invents labels
            int rv = img[i] - 30, gv = img[px + i] - 50;
            if (img[2 * px + i] != 128) Assert.Fail($"pixel {i}: B changed to {img[2 * px + i]}");
            if (rv % 60 != 0 || gv % 100 != 0 || rv < 0 || gv < 0) continue;
            exact++;
            Assert.True(mask[i] == Label(rv / 60, gv / 100), $"pixel ({i % s},{i / s}): colour says block ({rv / 60},{gv / 100}), mask says {mask[i]}");
        }
        return exact;
    }

    [Fact]
    public void Train_transform_keeps_image_and_mask_aligned_for_many_seeds()
    {
        int w = 150, h = 96, s = 48;
        var (img, mask) = Blocks(w, h);
        var t = new TrainTransform(size: s);
        int flips = 0;
        for (ulong seed = 0; seed < 60; seed++)
        {
            var (oi, om) = t.Apply(img, w, h, mask, seed);
            int exact = CheckAligned(oi, om, s);
            Assert.True(exact > s * s / 3, $"seed {seed}: only {exact} exactly coloured pixels");
            if (t.SampleParams(w, h, seed).Flipped) flips++;
        }
        Assert.InRange(flips, 15, 45);
    }

    [Fact]
    public void Eval_transform_keeps_image_and_mask_aligned_down_and_up()
    {
        foreach (var (w, h) in new[] { (300, 210), (150, 301), (40, 30) })
        {
            var (img, mask) = Blocks(w, h);
            var t = EvalTransform.ForImageSize(56); // resize 64
            var (oi, om) = t.Apply(img, w, h, mask, seed: 0);
            Assert.True(CheckAligned(oi, om, 56) > 56 * 56 / 2, $"{w}x{h}: too few exactly coloured pixels");
        }
    }

    [Fact]
    public void Eval_transform_is_resize_then_centre_crop_and_ignores_the_seed()
    {
        // 50×40 → Resize(20): 25×20 (int(20·50/40) = 25), CenterCrop(16): left round(4.5) = 4, top round(2) = 2.
        int w = 50, h = 40;
        var img = new byte[3 * w * h];
        var mask = new byte[w * h];
        for (int i = 0; i < img.Length; i++) img[i] = (byte)(i * 37 % 251);
        for (int i = 0; i < mask.Length; i++) mask[i] = (byte)(i % 7 == 0 ? 255 : i % 5);
        var full = new byte[3 * 25 * 20];
        BilinearResampler.ResizeRgb(img, w, h, PixelRect.Full(w, h), 25, 20, PixelRect.Full(25, 20), full);
        var fullMask = new byte[25 * 20];
        NearestResampler.ResizeMask(mask, w, h, PixelRect.Full(w, h), 25, 20, PixelRect.Full(25, 20), fullMask);

        var t = new EvalTransform(size: 16, resize: 20);
        var (oi, om) = t.Apply(img, w, h, mask, seed: 1);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    Assert.Equal(full[(c * 20 + y + 2) * 25 + x + 4], oi[(c * 16 + y) * 16 + x]);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                Assert.Equal(fullMask[(y + 2) * 25 + x + 4], om[y * 16 + x]);
        var (oi2, om2) = t.Apply(img, w, h, mask, seed: 999);
        Assert.Equal(oi, oi2);
        Assert.Equal(om, om2);
    }

    [Fact]
    public void Flip_mirrors_image_and_mask_of_the_same_crop()
    {
        int w = 90, h = 60, s = 32;
        var (img, mask) = Blocks(w, h);
        var flipping = new TrainTransform(size: s);
        var plain = new TrainTransform(size: s, flip: false);
        ulong seed = Enumerable.Range(0, 100).Select(i => (ulong)i).First(sd => flipping.SampleParams(w, h, sd).Flipped);
        Assert.Equal(flipping.SampleParams(w, h, seed).Crop, plain.SampleParams(w, h, seed).Crop);
        var (fi, fm) = flipping.Apply(img, w, h, mask, seed);
        var (pi, pm) = plain.Apply(img, w, h, mask, seed);
        for (int r = 0; r < 3 * s; r++)
            for (int x = 0; x < s; x++) Assert.Equal(pi[r * s + s - 1 - x], fi[r * s + x]);
        for (int r = 0; r < s; r++)
            for (int x = 0; x < s; x++) Assert.Equal(pm[r * s + s - 1 - x], fm[r * s + x]);
    }

    [Fact]
    public void Train_transform_is_deterministic_per_seed_on_any_thread()
    {
        int w = 120, h = 80, s = 40;
        var (img, mask) = Blocks(w, h);
        var t = new TrainTransform(size: s);
        var seeds = Enumerable.Range(0, 32).Select(i => TransformSeed.For(7, epoch: 3, sampleIndex: i)).ToArray();
        var sequential = seeds.Select(sd => t.Apply(img, w, h, mask, sd)).ToArray();
        var parallel = new (byte[] Image, byte[] Mask)[seeds.Length];
        Parallel.For(0, seeds.Length, i => parallel[i] = t.Apply(img, w, h, mask, seeds[i]));
        for (int i = 0; i < seeds.Length; i++)
        {
            Assert.Equal(sequential[i].Image, parallel[i].Image);
            Assert.Equal(sequential[i].Mask, parallel[i].Mask);
        }
        Assert.NotEqual(sequential[0].Image, sequential[1].Image);
        Assert.NotEqual(TransformSeed.For(7, 3, 0), TransformSeed.For(7, 4, 0));
    }

    [Fact]
    public void Mismatched_mask_is_rejected_with_a_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainTransform(size: 8).Apply(new byte[3 * 20], 5, 4, new byte[19], 0));
        Assert.Contains("mask", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvalTransform(size: 224, resize: 200));
    }
}
