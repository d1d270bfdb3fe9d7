using PartRobust.Attacks;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class TradesLossTests
{
    // Two samples, three classes, logits chosen so the softmaxes are simple fractions:
    //   sample 0: clean [0, 0, 0]      → p = (1/3, 1/3, 1/3);  adversarial [ln 2, 0, 0] → q = (1/2, 1/4, 1/4)
    //   sample 1: clean [ln 3, 0, 0]   → p = (3/5, 1/5, 1/5);  adversarial [0, 0, 0]    → q = (1/3, 1/3, 1/3)
    //   labels y = (0, 2).
    // KL_0 = Σ p ln(p/q) = 1/3·ln((1/3)/(1/2)) + 2·1/3·ln((1/3)/(1/4)) = 1/3·ln(2/3) + 2/3·ln(4/3) = 1/3·ln(32/27)
    // KL_1 = 3/5·ln((3/5)/(1/3)) + 2·1/5·ln((1/5)/(1/3)) = 0.6·ln 1.8 + 0.4·ln 0.6
    // CE(clean): sample 0, y = 0: −ln(1/3) = ln 3; sample 1, y = 2: −ln(1/5) = ln 5; batch mean (ln 3 + ln 5)/2 = ln 15 / 2.
    static readonly double Kl0 = Math.Log(32.0 / 27) / 3;
    static readonly double Kl1 = 0.6 * Math.Log(1.8) + 0.4 * Math.Log(0.6);
    static readonly double CleanCe = Math.Log(15) / 2;

    static Tensor Clean() => tensor(new float[] { 0, 0, 0, (float)Math.Log(3), 0, 0 }).view(2, 3);
    static Tensor Adv() => tensor(new float[] { (float)Math.Log(2), 0, 0, 0, 0, 0 }).view(2, 3);
    static Tensor Labels() => tensor(new long[] { 0, 2 });

    [Fact]
    public void Kl_per_sample_matches_the_hand_computation()
    {
        var kl = TradesAttack.KlPerSample(Clean(), Adv()).data<float>().ToArray();
        Assert.Equal(Kl0, kl[0], 5);
        Assert.Equal(Kl1, kl[1], 5);
        Assert.True(Kl0 > 0 && Kl1 > 0);
    }

    [Fact]
    public void Baseline_loss_is_clean_ce_plus_beta_times_batch_mean_kl()
    {
        // β = 2: L = ln 15 / 2 + 2·(KL_0 + KL_1)/2, with KL_0 = ln(1.185185)/3 ≈ 0.05663 and
        // KL_1 = 0.6·0.587787 − 0.4·0.510826 ≈ 0.14834: L ≈ 1.35403 + 0.20498 = 1.55900.
        double expected = CleanCe + 2 * (Kl0 + Kl1) / 2;
        Assert.Equal(1.55900, expected, 4);
        Assert.Equal(expected, TradesLoss.Compute(Clean(), Adv(), Labels(), null, null, 0.5, beta: 2).item<float>(), 5);
    }

    [Fact]
    public void Part_loss_weights_ce_by_one_minus_c_adds_seg_on_the_adversarial_half_and_does_not_scale_the_kl()
    {
        // Part logits of the adversarial half, K = 2 labels, 1×1 images. Sample 0: logits [0, ln 3], label 1 →
        // −ln(3/4) = ln(4/3). Sample 1: mask dropped (−1) → 0. Batch mean ln(4/3)/2.
        // c = 0.4, β = 1: L = 0.6·ln 15/2 + 0.4·ln(4/3)/2 + (KL_0 + KL_1)/2.
        var parts = tensor(new float[] { 0, (float)Math.Log(3), 5, -5 }).view(2, 2, 1, 1);
        var masks = tensor(new long[] { 1, -1 }).view(2, 1, 1);
        double expected = 0.6 * CleanCe + 0.4 * Math.Log(4.0 / 3) / 2 + (Kl0 + Kl1) / 2;
        Assert.Equal(expected, TradesLoss.Compute(Clean(), Adv(), Labels(), parts, masks, 0.4, beta: 1).item<float>(), 5);
        // c = 0 is the baseline formula whatever the part logits.
        Assert.Equal(CleanCe + (Kl0 + Kl1) / 2, TradesLoss.Compute(Clean(), Adv(), Labels(), parts, masks, 0, beta: 1).item<float>(), 5);
    }

    [Fact]
    public void Identical_clean_and_adversarial_logits_give_zero_kl()
    {
        Assert.Equal(CleanCe, TradesLoss.Compute(Clean(), Clean(), Labels(), null, null, 0, beta: 6).item<float>(), 5);
    }

    [Fact]
    public void Label_smoothing_zero_gives_the_old_loss_and_positive_smoothing_follows_its_formula()
    {
        var logits = tensor(new float[] { 1f, 2f, 3f, 0f, 0f, 0f }).view(2, 3);
        var y = tensor(new long[] { 2, 1 });
        double old = PartLoss.Compute(logits, y, null, null, 0.5).item<float>();
        Assert.Equal(old, PartLoss.Compute(logits, y, null, null, 0.5, labelSmoothing: 0).item<float>());
        // Smoothing ε: (1−ε)·CE + ε·mean_k(−log p_k).
        double eps = 0.1;
        double Lse(double[] l) => Math.Log(l.Sum(Math.Exp));
        double[] a = { 1, 2, 3 }, b = { 0, 0, 0 };
        double ce = ((Lse(a) - 3) + (Lse(b) - 0)) / 2;
        double uniform = ((Lse(a) - a.Average()) + (Lse(b) - b.Average())) / 2;
        Assert.Equal((1 - eps) * ce + eps * uniform, PartLoss.Compute(logits, y, null, null, 0.5, labelSmoothing: eps).item<float>(), 5);
    }

    [Fact]
    public void Invalid_beta_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TradesLoss.Compute(Clean(), Adv(), Labels(), null, null, 0, beta: -1));
        Assert.Contains("--trades-beta", Assert.Throws<ArgumentException>(() => new TrainOptions { TradesBeta = -1 }.Validate()).Message);
        Assert.Contains("--adv-train", Assert.Throws<ArgumentException>(() => SnakeCaseEnum.Parse<AdversarialRecipe>("mat", "--adv-train")).Message);
        Assert.Contains("--label-smoothing", Assert.Throws<ArgumentException>(() => new TrainOptions { LabelSmoothing = 1 }.Validate()).Message);
        Assert.Contains("--semi-label", Assert.Throws<ArgumentException>(() => new TrainOptions { SemiLabel = 1.5 }.Validate()).Message);
    }
}
