using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class TradesAttackTests
{
    static double MeanKl(nn.Module<Tensor, Tensor> model, Tensor x, Tensor xAdv)
    {
        using var _ = no_grad();
        model.eval();
        return TradesAttack.KlPerSample(model.call(x), model.call(xAdv)).mean().item<float>();
    }

    [Fact]
    public void The_attack_increases_the_kl_and_stays_in_the_ball_and_the_box()
    {
        var g = new Generator(5);
        using var model = new AffineClassifier(3 * 8 * 8, 4, randn(4, 3 * 8 * 8, generator: g), randn(4, generator: g));
        // Images with many pixels at 0 and 1, so the box constraint binds.
        var x = rand(16, 3, 8, 8, generator: g).mul(1.4).sub(0.2).clamp(0, 1);
        double eps = 8.0 / 255;
        var attack = TradesAttack.PaperTraining(eps, steps: 10, seed: 1);
        Assert.Equal(1.25 * eps / 10, attack.StepSize, 12);
        model.train();
        var xAdv = attack.Perturb(model, x, zeros(16, dtype: ScalarType.Int64));
        Assert.True(model.training, "the attack restores the model's mode");

        var delta = (xAdv - x).abs().max().item<float>();
        Assert.True(delta <= eps + 1e-6, $"max |δ| {delta} > ε");
        Assert.True(xAdv.min().item<float>() >= 0 && xAdv.max().item<float>() <= 1);
        // The same budget spent on a uniformly random point of the ball gives a much smaller KL.
        var random = (x + rand(x.shape, generator: new Generator(2)).mul(2 * eps).sub(eps)).clamp(0, 1);
        double klAttack = MeanKl(model, x, xAdv), klRandom = MeanKl(model, x, random);
        Assert.True(klAttack > 2 * klRandom, $"KL after the attack {klAttack}, at a random point {klRandom}");
    }

    [Fact]
    public void The_attack_is_reproducible_and_its_random_state_can_be_saved_and_restored()
    {
        var g = new Generator(7);
        using var model = new TinyConvClassifier(3, 4);
        var x = rand(4, 3, 8, 8, generator: g);
        var y = zeros(4, dtype: ScalarType.Int64);
        var a = TradesAttack.PaperTraining(8.0 / 255, 2, seed: 3);
        a.Perturb(model, x, y);
        var state = a.SaveRandomState();
        var second = a.Perturb(model, x, y);
        var b = TradesAttack.PaperTraining(8.0 / 255, 2, seed: 3);
        b.RestoreRandomState(state);
        Assert.Equal(second.data<float>().ToArray(), b.Perturb(model, x, y).data<float>().ToArray());
    }
}
