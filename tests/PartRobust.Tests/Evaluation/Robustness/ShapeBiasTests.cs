using PartRobust.Evaluation.Robustness;
using Xunit;

namespace PartRobust.Tests.Evaluation.Robustness;

public class ShapeBiasTests
{
    [Fact]
    public void Hand_example_drops_same_class_images_and_ignores_neither_decisions()
    {
        long[] shape = { 0, 0, 1, 1, 2, 2, 3, 3 };
        long[] texture = { 1, 2, 0, 1, 0, 1, 2, 0 };
        long[] pred = { 0, 2, 3, 1, 2, 2, 2, 1 };
        // image 3 (shape 1 = texture 1) excluded although the prediction matches;
        // shape hits: 0, 4, 5 → 3; texture hits: 1, 6 → 2; neither: 2 (pred 3), 7 (pred 1).
        var r = ShapeBias.Compute(pred, shape, texture);
        Assert.Equal(7, r.ConflictImages);
        Assert.Equal(1, r.Excluded);
        Assert.Equal(3, r.ShapeHits);
        Assert.Equal(2, r.TextureHits);
        Assert.Equal(3.0 / 7, r.ShapeAccuracy, 12);
        Assert.Equal(2.0 / 7, r.TextureAccuracy, 12);
        Assert.Equal(3.0 / 5, r.Bias, 12);
    }

    [Fact]
    public void No_hits_give_NaN_and_mismatched_lengths_throw()
    {
        var r = ShapeBias.Compute(new long[] { 5 }, new long[] { 0 }, new long[] { 1 });
        Assert.True(double.IsNaN(r.Bias));
        Assert.Equal(0.0, r.ShapeAccuracy);
        var none = ShapeBias.Compute(new long[] { 0 }, new long[] { 0 }, new long[] { 0 });
        Assert.True(double.IsNaN(none.ShapeAccuracy));
        Assert.Throws<ArgumentException>(() => ShapeBias.Compute(new long[2], new long[2], new long[1]));
    }

    [Fact]
    public void Bg_gap_is_mixed_same_minus_mixed_rand()
    {
        Assert.Equal(0.073, BgGap.Compute(0.862, 0.789), 12);
        Assert.Equal(-0.1, BgGap.Compute(0.5, 0.6), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => BgGap.Compute(1.5, 0.2));
    }
}
