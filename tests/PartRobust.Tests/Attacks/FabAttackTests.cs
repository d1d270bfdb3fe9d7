using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class FabAttackTests
{
    const int Side = 4, D = 3 * Side * Side;

    /// <summary>
    /// A binary affine model whose logits vanish at x = 0.5, inputs uniform in [0.3,0.7]: the minimal L∞ perturbation
    /// |margin|/‖v‖₁ ≤ 0.2‖v‖₁/‖v‖₁ never reaches the box.
    /// </summary>
    static (AffineClassifier Model, Tensor X, Tensor Y, double[] Linf, double[] L2, double[] MaxL2Coord) Setup(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var w = randn(new long[] { 2, D }, generator: g) * 0.5f;
        var b = -(w.sum(1) * 0.5f);
        var model = new AffineClassifier(D, 2, w, b);
        var x = (rand(new long[] { n, 3, Side, Side }, generator: g) * 0.4 + 0.3).to_type(ScalarType.Float32);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1);
        var wd = w.to_type(ScalarType.Float64).data<double>().ToArray();
        var bd = b.to_type(ScalarType.Float64).data<double>().ToArray();
        var flat = x.flatten(1).to_type(ScalarType.Float64).data<double>().ToArray();
        var ys = y.data<long>().ToArray();
        double[] linf = new double[n], l2 = new double[n], maxCoord = new double[n];
        for (int k = 0; k < n; k++)
        {
            int yk = (int)ys[k], o = 1 - yk;
            double m = bd[yk] - bd[o], n1 = 0, n2 = 0, vmax = 0;
            for (int i = 0; i < D; i++)
            {
                double v = wd[yk * D + i] - wd[o * D + i];
                m += v * flat[k * D + i];
                n1 += Math.Abs(v);
                n2 += v * v;
                vmax = Math.Max(vmax, Math.Abs(v));
            }
            linf[k] = Math.Abs(m) / n1;
            l2[k] = Math.Abs(m) / Math.Sqrt(n2);
            maxCoord[k] = Math.Abs(m) * vmax / n2;
        }
        return (model, x, y, linf, l2, maxCoord);
    }

    static double[] Norms(Tensor adv, Tensor x, Norm norm)
    {
        var d = (adv - x).flatten(1);
        return (norm == Norm.Linf ? d.abs().amax(new long[] { 1 }) : d.norm(1)).to_type(ScalarType.Float64).data<double>().ToArray();
    }

    static bool[] Correct(nn.Module<Tensor, Tensor> model, Tensor adv, Tensor y)
    {
        using var _ = no_grad();
        return model.call(adv).argmax(1).eq(y).data<bool>().ToArray();
    }

    [Theory]
    [InlineData(Norm.Linf, false)]
    [InlineData(Norm.Linf, true)]
    [InlineData(Norm.L2, false)]
    [InlineData(Norm.L2, true)]
    public void MinimalPerturbationIsWithin5PercentOfTheAnalyticOne(Norm norm, bool targeted)
    {
        var (model, x, y, linf, l2, maxCoord) = Setup(16, 3);
        var analytic = norm == Norm.Linf ? linf : l2;
        if (norm == Norm.L2)
            for (int k = 0; k < analytic.Length; k++) Assert.True(maxCoord[k] < 0.3, "precondition: the L2 optimum stays inside the box");
        var fab = new FabAttack(1.0, norm, targeted: targeted);
        var adv = fab.MinimalPerturbation(model, x, y);
        var found = Norms(adv, x, norm);
        var correct = Correct(model, adv, y);
        for (int k = 0; k < found.Length; k++)
        {
            Assert.False(correct[k], $"point {k}: no adversarial example found");
            Assert.True(found[k] >= analytic[k] * (1 - 1e-4), $"point {k}: {found[k]} below the analytic minimum {analytic[k]}");
            Assert.True(found[k] <= analytic[k] * 1.05, $"point {k}: {found[k]} > 1.05 × analytic {analytic[k]}");
        }
    }

    [Theory]
    [InlineData(Norm.Linf, false)]
    [InlineData(Norm.Linf, true)]
    [InlineData(Norm.L2, false)]
    public void RobustAccuracyEqualsTheAnalyticOne(Norm norm, bool targeted)
    {
        var (model, x, y, linf, l2, _) = Setup(32, 5);
        var analytic = norm == Norm.Linf ? linf : l2;
        // ε in the widest relative gap between consecutive analytic norms (away from the extremes).
        var sorted = analytic.OrderBy(v => v).ToArray();
        int gap = Enumerable.Range(4, sorted.Length - 9).MaxBy(i => sorted[i + 1] / sorted[i]);
        Assert.True(sorted[gap + 1] / sorted[gap] > 1.06, "precondition: a gap in the analytic norms");
        double eps = Math.Sqrt(sorted[gap] * sorted[gap + 1]);
        var fab = new FabAttack(eps, norm, targeted: targeted);
        var adv = fab.Perturb(model, x, y);
        var correct = Correct(model, adv, y);
        for (int k = 0; k < analytic.Length; k++)
            Assert.Equal(analytic[k] > eps, correct[k]);
        Assert.Equal(analytic.Count(v => v > eps), correct.Count(c => c));
    }

    [Theory]
    [InlineData(Norm.Linf, 0.05, 2)]
    [InlineData(Norm.L2, 0.5, 3)]
    public void ResultsStayInTheBallAndBox(Norm norm, double eps, int restarts)
    {
        var g = new Generator(11);
        var model = new AffineClassifier(D, 5, randn(new long[] { 5, D }, generator: g), randn(new long[] { 5 }, generator: g));
        // Inputs near the box faces so that the box binds.
        var x = rand(new long[] { 12, 3, Side, Side }, generator: g).pow(3);
        var y = randint(0, 5, new long[] { 12 }, generator: g);
        var fab = new FabAttack(eps, norm, targeted: true, targetClasses: 4, iterations: 20, restarts: restarts);
        var adv = fab.Perturb(model, x, y);
        Assert.True(adv.min().item<float>() >= 0 && adv.max().item<float>() <= 1);
        var n = Norms(adv, x, norm);
        Assert.All(n, v => Assert.True(v <= eps + 1e-5, $"‖δ‖ = {v} > ε = {eps}"));
        var minimal = fab.MinimalPerturbation(model, x, y);
        Assert.True(minimal.min().item<float>() >= 0 && minimal.max().item<float>() <= 1);
        Assert.True(model.training); // restored after the attack
    }

    /// <summary>
    /// The exact (sorting) box-constrained projection against an independent slow one: bisection on the multiplier
    /// in plain doubles. Rows mix reachable and unreachable hyperplanes (b far outside the box's range), zero weights
    /// and points on the box faces.
    /// </summary>
    [Theory]
    [InlineData(Norm.Linf)]
    [InlineData(Norm.L2)]
    public void ProjectionMatchesABisectionReference(Norm norm)
    {
        var g = new Generator(7);
        int rows = 40, dims = 30;
        var t = rand(new long[] { rows, dims }, generator: g, dtype: ScalarType.Float64);
        t = where(rand(new long[] { rows, dims }, generator: g).lt(0.2), t.round(), t); // some coordinates on the faces
        var w = randn(new long[] { rows, dims }, generator: g, dtype: ScalarType.Float64);
        w = where(rand(new long[] { rows, dims }, generator: g).lt(0.2), zeros_like(w), w);
        var b = (w * t).sum(1) + randn(new long[] { rows }, generator: g, dtype: ScalarType.Float64) * w.abs().sum(1) * 0.6;
        var d = FabAttack.Project(t, w, b, norm);
        var td = t.data<double>().ToArray(); var wd = w.data<double>().ToArray(); var bd = b.data<double>().ToArray();
        var dd = d.data<double>().ToArray();
        int reachableRows = 0;
        for (int r = 0; r < rows; r++)
        {
            var ti = td.AsSpan(r * dims, dims); var wi = wd.AsSpan(r * dims, dims); var di = dd.AsSpan(r * dims, dims);
            var expected = SlowProjection(ti.ToArray(), wi.ToArray(), bd[r], norm);
            for (int j = 0; j < dims; j++)
            {
                Assert.InRange(ti[j] + di[j], -1e-12, 1 + 1e-12);
                Assert.Equal(expected.D[j], di[j], 1e-6);
            }
            if (expected.Reachable)
            {
                reachableRows++;
                double lhs = 0;
                for (int j = 0; j < dims; j++) lhs += wi[j] * (ti[j] + di[j]);
                Assert.Equal(bd[r], lhs, 1e-8);
            }
        }
        Assert.InRange(reachableRows, 5, rows - 5); // both cases were exercised
    }

    static (double[] D, bool Reachable) SlowProjection(double[] t, double[] w, double b, Norm norm)
    {
        int n = t.Length;
        double c = 0;
        for (int j = 0; j < n; j++) c += w[j] * t[j];
        c -= b;
        double s = c >= 0 ? 1 : -1;
        c = Math.Abs(c);
        double[] room = new double[n], u = new double[n], aw = new double[n];
        for (int j = 0; j < n; j++)
        {
            double wj = w[j] * s;
            aw[j] = Math.Abs(wj);
            room[j] = wj == 0 ? 0 : Math.Max(0, wj > 0 ? t[j] : 1 - t[j]);
            u[j] = wj == 0 ? 0 : norm == Norm.Linf ? 1 : aw[j];
        }
        double Gain(double lam) { double sum = 0; for (int j = 0; j < n; j++) sum += aw[j] * Math.Min(lam * u[j], room[j]); return sum; }
        double hi = 0;
        for (int j = 0; j < n; j++) if (u[j] > 0) hi = Math.Max(hi, room[j] / u[j]);
        bool reachable = Gain(hi) >= c;
        double lo = 0;
        if (reachable)
            for (int i = 0; i < 200; i++) { double mid = (lo + hi) / 2; if (Gain(mid) >= c) hi = mid; else lo = mid; }
        var d = new double[n];
        for (int j = 0; j < n; j++) d[j] = -Math.Min(hi * u[j], room[j]) * Math.Sign(w[j] * s);
        return (d, reachable);
    }

    [Fact]
    public void RegistryBuildsFabAndFabT()
    {
        var a = AttackRegistry.Create("fab-t", new ThreatModel(Norm.Linf, 8.0 / 255), 10);
        var fab = Assert.IsType<FabAttack>(a);
        Assert.True(fab.Targeted);
        Assert.Equal(9, fab.TargetClasses);
        Assert.Equal("fab-t", a.Name);
        Assert.Equal((100, 1, 0.1, 1.05, 0.9), (fab.Iterations, fab.Restarts, fab.AlphaMax, fab.Eta, fab.Beta));
        var u = Assert.IsType<FabAttack>(AttackRegistry.Create("fab", new ThreatModel(Norm.L2, 0.5), 3));
        Assert.False(u.Targeted);
        Assert.Equal(Norm.L2, u.Threat.Norm);
        Assert.Equal(2, Assert.IsType<FabAttack>(AttackRegistry.Create("fab-t", new ThreatModel(Norm.L2, 0.5), 3)).TargetClasses);
    }
}
