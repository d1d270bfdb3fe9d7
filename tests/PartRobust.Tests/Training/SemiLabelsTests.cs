using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class SemiLabelsTests
{
    [Theory]
    [InlineData(10, 0.3, 3)]
    [InlineData(10, 0.25, 3)] // 2.5 rounds up
    [InlineData(7, 0.9, 6)]   // 6.3
    [InlineData(5, 0.0, 0)]
    [InlineData(5, 1.0, 5)]
    public void Exactly_round_f_times_n_images_keep_their_masks(int n, double f, int kept)
    {
        var masks = randint(0, 4, new long[] { n, 2, 3 }, dtype: ScalarType.Int64, generator: new Generator(1));
        var result = SemiLabels.Apply(masks, f);
        int keptMasks = 0;
        for (int i = 0; i < n; i++)
        {
            bool same = result[i].eq(masks[i]).all().item<bool>();
            bool dropped = result[i].eq(-1).all().item<bool>();
            Assert.True(same ^ dropped, $"image {i}: a mask is either kept whole or dropped whole");
            if (same) keptMasks++;
        }
        Assert.Equal(kept, keptMasks);
        Assert.Equal(kept, SemiLabels.Kept(n, f).Count(k => k));
    }

    [Fact]
    public void The_choice_is_deterministic_and_independent_of_the_training_seed()
    {
        manual_seed(1);
        var a = SemiLabels.Kept(100, 0.3);
        manual_seed(2);
        rand(10); // whatever the global generator has done
        var b = SemiLabels.Kept(100, 0.3);
        Assert.Equal(a, b);
        // Not simply the first images.
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => i < 30).ToArray(), a);
    }

    [Fact]
    public void Fraction_one_returns_the_masks_unchanged()
    {
        var masks = zeros(new long[] { 3, 2, 2 }, dtype: ScalarType.Int64);
        Assert.Same(masks, SemiLabels.Apply(masks, 1.0));
    }
}
