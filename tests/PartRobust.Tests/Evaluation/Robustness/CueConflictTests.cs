using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using Xunit;
using static PartRobust.Tests.Evaluation.Robustness.RobustnessFixtures;

namespace PartRobust.Tests.Evaluation.Robustness;

public class CueConflictTests
{
    const int Plane = Size * Size;

    static void AssertCueConflict(PartDataset data, CueConflictResult r, int plane)
    {
        var a = Images(data); var b = Images(r.Data); var m = Masks(data); var labels = Labels(data);
        Assert.Equal(m, Masks(r.Data));
        Assert.Equal(labels, Labels(r.Data));
        for (int i = 0; i < data.Count; i++)
        {
            int d = r.Donors[i];
            Assert.Equal(labels[d], r.TextureLabels[i]);
            var donorFg = new HashSet<(float, float, float)>();
            for (int p = 0; p < plane; p++) if (m[d * plane + p] > 0) donorFg.Add(Rgb(a, plane, d, p));
            for (int p = 0; p < plane; p++)
            {
                if (m[i * plane + p] > 0) Assert.Contains(Rgb(b, plane, i, p), donorFg); // texture from the donor's foreground
                else Assert.Equal(Rgb(a, plane, i, p), Rgb(b, plane, i, p));              // background unchanged
            }
        }
    }

    [Fact]
    public void Foreground_takes_donor_foreground_texture_and_background_is_unchanged()
    {
        long[] labels = { 0, 1, 2, 0, 1, 2 };
        using var data = Make(labels, seed: 4);
        using var r = CueConflict.Build(data, seed: 5);
        Assert.Equal(0, r.Fallbacks);
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.NotEqual(i, r.Donors[i]);
            Assert.NotEqual(labels[i], r.TextureLabels[i]);
        }
        AssertCueConflict(data, r, Plane);
        // Something did change: every image's foreground now carries values of another image.
        Assert.NotEqual(Images(data), Images(r.Data));
    }

    [Fact]
    public void Mirror_tiling_reproduces_a_full_box_donor_exactly()
    {
        // Donor (class 1): a 2×2 foreground box at (0,0) with values v00 v01 / v10 v11; target (class 0): a 3×3 box.
        using var data = Make(new long[] { 0, 1 }, seed: 2);
        var images = Images(data); var masks = Masks(data);
        Array.Clear(masks);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) masks[0 * Plane + (y + 4) * Size + x + 4] = 1;
        for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) masks[1 * Plane + y * Size + x] = 2;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var handmade = new PartDataset(TorchSharp.torch.tensor(images, data.Images.shape), TorchSharp.torch.tensor(masks, data.Masks.shape), data.Labels.clone(), data.Taxonomy);
        using var r = CueConflict.Build(handmade);
        var b = Images(r.Data);
        int[] index = { 0, 1, 1 }; // mirror tiling of a 2-wide strip over 3 pixels
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                Assert.Equal(Rgb(images, Plane, 1, index[y] * Size + index[x]), Rgb(b, Plane, 0, (y + 4) * Size + x + 4));
    }

    [Fact]
    public void Images_without_foreground_or_donor_are_unchanged_fallbacks()
    {
        using var data = Make(new long[] { 0, 1, 0 }, noForeground: new[] { 1 });
        using var r = CueConflict.Build(data, seed: 1);
        // Image 1 has no foreground (unchanged); images 0 and 2 have no other-class donor with a foreground.
        Assert.Equal(3, r.Fallbacks);
        Assert.Equal(new long[] { 0, 1, 0 }, r.TextureLabels);
        Assert.Equal(Images(data), Images(r.Data));
        Assert.Equal(3, ShapeBias.Compute(new long[] { 0, 1, 0 }, Labels(r.Data), r.TextureLabels).Excluded);
    }

    [Fact]
    public void Deterministic_for_a_seed()
    {
        var labels = Enumerable.Range(0, 12).Select(k => (long)(k % 4)).ToArray();
        using var data = Make(labels, seed: 9);
        using var r1 = CueConflict.Build(data, seed: 11);
        using var r2 = CueConflict.Build(data, seed: 11);
        using var r3 = CueConflict.Build(data, seed: 12);
        Assert.Equal(r1.Donors, r2.Donors);
        Assert.Equal(r1.TextureLabels, r2.TextureLabels);
        Assert.Equal(Images(r1.Data), Images(r2.Data));
        Assert.NotEqual(r1.Donors, r3.Donors);
    }

    [Fact]
    public void Works_on_PartShapes_datasets()
    {
        using var data = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish"], Seed = 3 }).Generate(PartShapesSplit.Test, 4);
        using var r = CueConflict.Build(data, seed: 1);
        Assert.Equal(0, r.Fallbacks);
        AssertCueConflict(data, r, 32 * 32);
    }
}
