using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using Xunit;
using static PartRobust.Tests.Evaluation.Robustness.RobustnessFixtures;

namespace PartRobust.Tests.Evaluation.Robustness;

public class BackgroundVariantsTests
{
    const int Plane = Size * Size;
    static readonly long[] SixLabels = { 0, 1, 0, 2, 1, 2, 0 };

    static ForegroundBox Box(long[] masks, int i) => ForegroundBox.Of(masks.AsSpan(i * Plane, Plane), Size, Size);

    static void AssertForegroundKeptAndMasksLabelsUnchanged(PartDataset source, PartDataset variant)
    {
        var a = Images(source); var b = Images(variant); var m = Masks(source);
        Assert.Equal(m, Masks(variant));
        Assert.Equal(Labels(source), Labels(variant));
        for (int i = 0; i < source.Count; i++)
            for (int p = 0; p < Plane; p++)
                if (m[i * Plane + p] > 0)
                    for (int c = 0; c < 3; c++) Assert.Equal(At(a, Plane, i, c, p), At(b, Plane, i, c, p));
    }

    [Fact]
    public void Original_is_a_copy_and_only_fg_has_black_background()
    {
        using var data = Make(SixLabels);
        using var original = BackgroundVariants.Build(data, BackgroundVariant.Original);
        Assert.Equal(Images(data), Images(original.Data));
        using var onlyFg = BackgroundVariants.Build(data, BackgroundVariant.OnlyFg);
        AssertForegroundKeptAndMasksLabelsUnchanged(data, onlyFg.Data);
        var b = Images(onlyFg.Data); var m = Masks(data);
        int background = 0;
        for (int i = 0; i < data.Count; i++)
            for (int p = 0; p < Plane; p++)
                if (m[i * Plane + p] <= 0) { background++; for (int c = 0; c < 3; c++) Assert.Equal(0f, At(b, Plane, i, c, p)); }
        Assert.True(background > data.Count * Plane / 2);
    }

    [Fact]
    public void Only_bg_variants_black_out_box_or_mask_or_tile_the_box_and_leave_the_rest()
    {
        using var data = Make(SixLabels);
        var a = Images(data); var m = Masks(data);
        using var box = BackgroundVariants.Build(data, BackgroundVariant.OnlyBgBox);
        using var noFg = BackgroundVariants.Build(data, BackgroundVariant.NoFg);
        using var tiled = BackgroundVariants.Build(data, BackgroundVariant.OnlyBgTiled);
        var bb = Images(box.Data); var nf = Images(noFg.Data); var tt = Images(tiled.Data);
        for (int i = 0; i < data.Count; i++)
        {
            var fb = Box(m, i);
            var outsideRgb = new HashSet<(float, float, float)>();
            for (int p = 0; p < Plane; p++) if (!fb.Contains(p / Size, p % Size)) outsideRgb.Add(Rgb(a, Plane, i, p));
            for (int p = 0; p < Plane; p++)
            {
                bool inBox = fb.Contains(p / Size, p % Size), fg = m[i * Plane + p] > 0;
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(inBox ? 0f : At(a, Plane, i, c, p), At(bb, Plane, i, c, p));
                    Assert.Equal(fg ? 0f : At(a, Plane, i, c, p), At(nf, Plane, i, c, p));
                    if (!inBox) Assert.Equal(At(a, Plane, i, c, p), At(tt, Plane, i, c, p));
                }
                // Tiled: every box pixel is a copy of a background pixel from outside the box.
                if (inBox) Assert.Contains(Rgb(tt, Plane, i, p), outsideRgb);
            }
        }
    }

    [Fact]
    public void Mixed_same_and_rand_paste_the_foreground_on_a_donor_background_of_the_right_class()
    {
        using var data = Make(SixLabels);
        var a = Images(data); var m = Masks(data);
        foreach (var variant in new[] { BackgroundVariant.MixedSame, BackgroundVariant.MixedRand })
        {
            using var r = BackgroundVariants.Build(data, variant, seed: 3);
            AssertForegroundKeptAndMasksLabelsUnchanged(data, r.Data);
            Assert.Equal(0, r.Fallbacks);
            var b = Images(r.Data);
            for (int i = 0; i < data.Count; i++)
            {
                int d = r.Donors[i];
                Assert.NotEqual(i, d);
                if (variant == BackgroundVariant.MixedSame) Assert.Equal(SixLabels[i], SixLabels[d]);
                else Assert.NotEqual(SixLabels[i], SixLabels[d]);
                var donorBox = Box(m, d);
                var donorOutside = new HashSet<(float, float, float)>();
                for (int p = 0; p < Plane; p++) if (!donorBox.Contains(p / Size, p % Size)) donorOutside.Add(Rgb(a, Plane, d, p));
                for (int p = 0; p < Plane; p++)
                {
                    if (m[i * Plane + p] > 0) continue;
                    // Background pixel: the donor's pixel there, or (inside the donor's box) tiled donor background.
                    if (!donorBox.Contains(p / Size, p % Size))
                        Assert.Equal(Rgb(a, Plane, d, p), Rgb(b, Plane, i, p));
                    else
                        Assert.Contains(Rgb(b, Plane, i, p), donorOutside);
                }
            }
        }
    }

    [Fact]
    public void Black_hole_fill_blacks_the_donor_box()
    {
        using var data = Make(SixLabels);
        var m = Masks(data);
        using var r = BackgroundVariants.Build(data, BackgroundVariant.MixedRand, seed: 3, holeFill: DonorHoleFill.Black);
        var b = Images(r.Data);
        for (int i = 0; i < data.Count; i++)
        {
            var donorBox = Box(m, r.Donors[i]);
            for (int p = 0; p < Plane; p++)
                if (m[i * Plane + p] <= 0 && donorBox.Contains(p / Size, p % Size))
                    Assert.Equal((0f, 0f, 0f), Rgb(b, Plane, i, p));
        }
    }

    [Fact]
    public void A_class_with_one_member_falls_back_to_its_own_background()
    {
        using var data = Make(new long[] { 0, 0, 3 });
        using var same = BackgroundVariants.Build(data, BackgroundVariant.MixedSame, seed: 1);
        Assert.Equal(1, same.Fallbacks);
        Assert.Equal(new[] { 1, 0, 2 }, same.Donors);
        using var single = Make(new long[] { 2, 2 });
        using var rand = BackgroundVariants.Build(single, BackgroundVariant.MixedRand, seed: 1);
        Assert.Equal(2, rand.Fallbacks);
        Assert.Equal(new[] { 0, 1 }, rand.Donors);
    }

    [Fact]
    public void Deterministic_for_a_seed_and_the_seed_matters()
    {
        var labels = Enumerable.Range(0, 16).Select(k => (long)(k % 3)).ToArray();
        using var data = Make(labels);
        using var r1 = BackgroundVariants.Build(data, BackgroundVariant.MixedRand, seed: 7);
        using var r2 = BackgroundVariants.Build(data, BackgroundVariant.MixedRand, seed: 7);
        using var r3 = BackgroundVariants.Build(data, BackgroundVariant.MixedRand, seed: 8);
        Assert.Equal(r1.Donors, r2.Donors);
        Assert.Equal(Images(r1.Data), Images(r2.Data));
        Assert.NotEqual(r1.Donors, r3.Donors);
    }

    [Fact]
    public void Works_on_PartShapes_datasets()
    {
        using var data = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish"], Seed = 3 }).Generate(PartShapesSplit.Test, 6);
        var all = BackgroundVariants.BuildAll(data, seed: 2);
        try
        {
            Assert.Equal(Enum.GetValues<BackgroundVariant>().Length, all.Count);
            var labels = Labels(data);
            foreach (var (variant, r) in all)
            {
                Assert.Equal(data.Images.shape, r.Data.Images.shape);
                if (variant is BackgroundVariant.Original or BackgroundVariant.OnlyFg or BackgroundVariant.MixedSame or BackgroundVariant.MixedRand)
                {
                    int plane = 32 * 32; var a = Images(data); var b = Images(r.Data); var m = Masks(data);
                    for (int i = 0; i < data.Count; i++)
                        for (int p = 0; p < plane; p++)
                            if (m[i * plane + p] > 0) Assert.Equal(Rgb(a, plane, i, p), Rgb(b, plane, i, p));
                }
                Assert.Equal(Masks(data), Masks(r.Data));
                if (variant == BackgroundVariant.MixedRand)
                    for (int i = 0; i < data.Count; i++) Assert.NotEqual(labels[i], labels[r.Donors[i]]);
            }
        }
        finally { foreach (var r in all.Values) r.Dispose(); }
    }
}
