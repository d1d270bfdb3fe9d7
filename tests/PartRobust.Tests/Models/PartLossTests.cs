using PartRobust.Models;
using Xunit;
using PartRobust.Training;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class PartLossTests
{
    static double Ce(double[] logits, int target)
    {
        double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
        return -(logits[target] - max - Math.Log(sum));
    }

    [Fact]
    public void Joint_loss_matches_a_hand_computation_and_ignores_unlabelled_pixels_and_samples()
    {
        // Two samples, C=2 classes, K=2 labels, 1×2 images. Sample 0: one pixel ignored. Sample 1: no labels at all.
        var classLogits = tensor(new float[] { 1f, -1f, 0.5f, 2f }).view(2, 2);
        var labels = tensor(new long[] { 0, 0 });
        // partLogits [B,K,H,W] = [2,2,1,2]
        var partLogits = tensor(new float[] { 2f, 0f, /*k1*/ 0f, 1f, /*s1 k0*/ 0f, 0f, /*k1*/ 3f, 3f }).view(2, 2, 1, 2);
        var masks = tensor(new long[] { 0, -1, -1, -1 }).view(2, 1, 2);
        double c = 0.3;
        double ce0 = Ce(new[] { 1.0, -1.0 }, 0), ce1 = Ce(new[] { 0.5, 2.0 }, 0);
        double seg0 = Ce(new[] { 2.0, 0.0 }, 0); // only pixel (0,0) of sample 0 is labelled
        double expected = ((1 - c) * ce0 + c * seg0 + (1 - c) * ce1) / 2;
        double got = PartLoss.Compute(classLogits, labels, partLogits, masks, c).item<float>();
        Assert.Equal(expected, got, 5);
    }

    [Fact]
    public void Without_part_logits_it_is_plain_cross_entropy()
    {
        var logits = tensor(new float[] { 1f, 2f, 3f, 0f, 0f, 0f }).view(2, 3);
        var y = tensor(new long[] { 2, 1 });
        double expected = (Ce(new[] { 1.0, 2, 3 }, 2) + Ce(new[] { 0.0, 0, 0 }, 1)) / 2;
        Assert.Equal(expected, PartLoss.Compute(logits, y, null, null, 0.5).item<float>(), 5);
    }

    [Fact]
    public void Seg_weight_outside_unit_interval_is_rejected()
    {
        var logits = zeros(1, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => PartLoss.Compute(logits, tensor(new long[] { 0 }), null, null, 1.5));
    }

    [Fact]
    public void Cosine_schedule_warms_up_then_decays_to_zero()
    {
        var s = new CosineSchedule(0.1, 100, 10);
        Assert.Equal(0.01, s.RateAt(0), 9);
        Assert.Equal(0.1, s.RateAt(9), 9);
        Assert.Equal(0.1, s.RateAt(10), 9);
        Assert.Equal(0.05, s.RateAt(55), 9);
        Assert.True(s.RateAt(99) < 0.001);
        for (int i = 11; i < 100; i++) Assert.True(s.RateAt(i) <= s.RateAt(i - 1));
    }
}
