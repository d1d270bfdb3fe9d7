using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class ApgdAttackTests
{
    const int Side = 4, D = 3 * Side * Side;

    /// <summary>A random affine model with C classes, inputs uniform in [lo,hi], labels = clean predictions.</summary>
    static (AffineClassifier Model, double[] W, double[] B, Tensor X, double[] Flat, long[] Ys) Setup(int n, int c, int seed, double lo, double hi, float scale = 0.5f)
    {
        // A local generator: tests run in parallel and must not depend on the shared global RNG.
        var g = new Generator((ulong)seed);
        var model = new AffineClassifier(D, c, randn(new long[] { c, D }, generator: g) * scale, randn(new long[] { c }, generator: g) * scale);
        var x = (rand(new long[] { n, 3, Side, Side }, generator: g) * (hi - lo) + lo).to_type(ScalarType.Float32);
        long[] ys;
        using (no_grad()) ys = model.call(x).argmax(1).data<long>().ToArray(); // all clean points correct
        var w = model.Weight.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var b = model.Bias.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var flat = x.flatten(1).to_type(ScalarType.Float64).data<double>().ToArray();
        return (model, w, b, x, flat, ys);
    }

    /// <summary>Worst-case margin z_y − z_j under L∞ with the box: each x_i moves against v as far as allowed.</summary>
    static double PairMarginLinf(double[] w, double[] b, double[] flat, int k, int y, int j, double eps)
    {
        double m = b[y] - b[j];
        for (int i = 0; i < D; i++)
        {
            double v = w[y * D + i] - w[j * D + i], xi = flat[k * D + i];
            m += v * xi - Math.Abs(v) * (v > 0 ? Math.Min(eps, xi) : Math.Min(eps, 1 - xi));
        }
        return m;
    }

    /// <summary>Worst-case margin under L2 when the box never binds: m − ε‖v‖.</summary>
    static double PairMarginL2(double[] w, double[] b, double[] flat, int k, int y, int j, double eps)
    {
        double m = b[y] - b[j], vn = 0;
        for (int i = 0; i < D; i++)
        {
            double v = w[y * D + i] - w[j * D + i];
            m += v * flat[k * D + i];
            vn += v * v;
        }
        return m - eps * Math.Sqrt(vn);
    }

    static bool[] StillCorrect(nn.Module<Tensor, Tensor> model, Tensor adv, long[] ys)
    {
        using var _ = no_grad();
        return model.call(adv).argmax(1).eq(tensor(ys)).data<bool>().ToArray();
    }

    [Theory]
    [InlineData(Norm.Linf, 8.0 / 255, 1)]
    [InlineData(Norm.Linf, 0.1, 2)]
    [InlineData(Norm.L2, 0.25, 7)]
    [InlineData(Norm.L2, 0.4, 8)]
    public void Apgd_ce_on_a_binary_affine_model_reaches_the_analytic_robust_accuracy(Norm norm, double eps, int seed)
    {
        int n = 200;
        // For L2, x ∈ [0.3,0.7] so the box never binds and the optimum is −ε·v/‖v‖.
        var (model, w, b, x, flat, ys) = norm == Norm.Linf ? Setup(n, 2, seed, 0, 1) : Setup(n, 2, seed, 0.3, 0.7);
        var attack = new ApgdAttack(eps, norm, "ce", iterations: 50, seed: seed);
        Assert.Equal("apgd-ce", attack.Name);
        var adv = attack.Perturb(model, x, tensor(ys));

        var analytic = Enumerable.Range(0, n).Select(k => norm == Norm.Linf
            ? PairMarginLinf(w, b, flat, k, (int)ys[k], 1 - (int)ys[k], eps)
            : PairMarginL2(w, b, flat, k, (int)ys[k], 1 - (int)ys[k], eps)).ToArray();
        var robust = StillCorrect(model, adv, ys);
        double analyticRobust = analytic.Count(m => m > 0) / (double)n;
        double apgdRobust = robust.Count(r => r) / (double)n;
        Assert.Equal(analyticRobust, apgdRobust);
        Assert.InRange(analyticRobust, 0.01, 0.99); // not trivially all robust or all broken
        // On a robust point the returned image is the best-loss iterate: the analytic worst case.
        double[] logits;
        using (no_grad()) logits = model.call(adv).to_type(ScalarType.Float64).data<double>().ToArray();
        for (int k = 0; k < n; k++)
            if (analytic[k] > 0)
                Assert.Equal(analytic[k], logits[k * 2 + ys[k]] - logits[k * 2 + 1 - ys[k]], 3);
    }

    [Theory]
    [InlineData(4, 0.05, 11)]
    [InlineData(5, 0.12, 12)]
    [InlineData(5, 0.06, 13)]
    public void Apgd_t_on_a_multiclass_affine_model_reaches_the_analytic_robust_accuracy(int c, double eps, int seed)
    {
        int n = 200;
        var (model, w, b, x, flat, ys) = Setup(n, c, seed, 0, 1, 0.2f);
        // Breakable iff some pairwise worst-case margin is ≤ 0.
        var analyticRobust = Enumerable.Range(0, n).Select(k => Enumerable.Range(0, c)
            .Where(j => j != ys[k]).All(j => PairMarginLinf(w, b, flat, k, (int)ys[k], j, eps) > 0)).ToArray();
        var attack = new ApgdTargetedAttack(eps, seed: seed, iterations: 100);
        Assert.Equal("apgd-t", attack.Name);
        var robust = StillCorrect(model, attack.Perturb(model, x, tensor(ys)), ys);
        for (int k = 0; k < n; k++) if (analyticRobust[k]) Assert.True(robust[k], $"point {k} is provably robust");
        int breakable = analyticRobust.Count(r => !r);
        Assert.True(breakable > 10 && breakable < n - 10, $"{breakable} breakable points");
        Assert.Equal(analyticRobust.Count(r => r), robust.Count(r => r));
    }

    [Theory]
    [InlineData(Norm.Linf, 1)]
    [InlineData(Norm.Linf, 2)]
    [InlineData(Norm.L2, 3)]
    [InlineData(Norm.L2, 4)]
    public void Every_result_stays_in_the_ball_and_the_box(Norm norm, int seed)
    {
        var rng = new Random(seed);
        var g = new Generator((ulong)seed);
        for (int trial = 0; trial < 2; trial++)
        {
            var model = new TinyConvClassifier(5);
            model.eval(); // BatchNorm: the clean predictions below must be those the attack sees
            // Inputs at and near the box edges, where clipping matters most.
            var x = rand(new long[] { 16, 3, 8, 8 }, generator: g);
            x = where(rand(new long[] { 16, 3, 8, 8 }, generator: g).lt(0.3), x.round(), x);
            var y = randint(0, 5, new long[] { 16 }, generator: g);
            double eps = norm == Norm.Linf ? rng.NextDouble() * 0.3 : rng.NextDouble() * 3;
            IAttack[] attacks =
            {
                new ApgdAttack(eps, norm, "ce", iterations: 10, restarts: 2, seed: trial),
                new ApgdAttack(eps, norm, "dlr", iterations: 10, seed: trial),
                new ApgdTargetedAttack(eps, norm, targetClasses: 3, iterations: 10, seed: trial),
            };
            foreach (var attack in attacks)
            {
                var adv = attack.Perturb(model, x, y);
                Assert.Equal(x.shape, adv.shape);
                Assert.True(adv.min().item<float>() >= 0f);
                Assert.True(adv.max().item<float>() <= 1f);
                var d = (adv - x).flatten(1);
                double worst = (norm == Norm.Linf ? d.abs().amax(1) : d.norm(1)).max().item<float>();
                Assert.True(worst <= eps + 1e-5, $"{attack.Name}: ‖δ‖ {worst} > ε {eps}");
                // Points misclassified on the clean image come back unchanged.
                bool[] wrong;
                using (no_grad()) wrong = model.call(x).argmax(1).ne(y).data<bool>().ToArray();
                for (int k = 0; k < 16; k++)
                    if (wrong[k]) Assert.Equal(0f, (adv[k] - x[k]).abs().max().item<float>());
            }
        }
    }

    [Fact]
    public void Dlr_needs_three_classes_and_targeted_dlr_four()
    {
        var g = new Generator(5);
        var x = rand(new long[] { 4, 3, Side, Side }, generator: g);
        var y = zeros(4, dtype: ScalarType.Int64);
        var two = new AffineClassifier(D, 2);
        var three = new AffineClassifier(D, 3);
        var ex = Assert.Throws<ArgumentException>(() => new ApgdAttack(0.1, loss: "dlr", iterations: 2).Perturb(two, x, y));
        Assert.Contains("3 classes", ex.Message);
        new ApgdAttack(0.1, loss: "dlr", iterations: 2).Perturb(three, x, y);
        new ApgdAttack(0.1, loss: "ce", iterations: 2).Perturb(two, x, y);
        ex = Assert.Throws<ArgumentException>(() => new ApgdTargetedAttack(0.1, iterations: 2).Perturb(three, x, y));
        Assert.Contains("4 classes", ex.Message);
        new ApgdTargetedAttack(0.1, iterations: 2).Perturb(new AffineClassifier(D, 4), x, y);
        Assert.Throws<ArgumentException>(() => new ApgdAttack(0.1, loss: "hinge"));
        Assert.Equal("apgd-dlr", new ApgdAttack(0.1, loss: "DLR").Name);
    }

    [Fact]
    public void Schedule_matches_the_reference_checkpoints()
    {
        Assert.Equal(new[] { 22, 19, 16, 13, 10, 7, 6, 6 }, ApgdAttack.CheckpointIntervals(100));
        Assert.Equal(new[] { 1, 1, 1 }, ApgdAttack.CheckpointIntervals(3));
        Assert.Empty(ApgdAttack.CheckpointIntervals(0));
    }

    [Fact]
    public void Attacks_restore_training_mode_and_are_reproducible_from_their_seed()
    {
        var g = new Generator(3);
        var model = new TinyConvClassifier(5);
        model.train();
        var x = rand(new long[] { 8, 3, 8, 8 }, generator: g);
        var y = randint(0, 5, new long[] { 8 }, generator: g);
        foreach (Func<IAttack> make in new Func<IAttack>[]
                 {
                     () => new ApgdAttack(0.1, Norm.Linf, "ce", iterations: 10, seed: 5),
                     () => new ApgdAttack(0.5, Norm.L2, "dlr", iterations: 10, seed: 5),
                     () => new ApgdTargetedAttack(0.1, targetClasses: 2, iterations: 10, seed: 5),
                 })
        {
            var a1 = make().Perturb(model, x, y);
            Assert.True(model.training);
            var a2 = make().Perturb(model, x, y);
            Assert.True(model.training);
            Assert.Equal(0f, (a1 - a2).abs().max().item<float>());
        }
    }
}
