using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class SquareAttackTests
{
    const int Side = 4, D = 3 * Side * Side;

    /// <summary>Wraps a model and records whether autograd was ever enabled during a forward pass.</summary>
    sealed class GradSpy : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> inner;
        public bool GradSeen { get; private set; }
        public int Calls { get; private set; }

        public GradSpy(nn.Module<Tensor, Tensor> inner) : base(nameof(GradSpy))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            if (is_grad_enabled() || x.requires_grad) GradSeen = true;
            var y = inner.call(x);
            if (y.requires_grad) GradSeen = true;
            return y;
        }
    }

    /// <summary>
    /// Identity whose backward pass trips an alarm: it counts every call (an exception thrown from inside the native
    /// autograd engine would abort the test process instead of failing one test).
    /// </summary>
    sealed class BackwardAlarm : autograd.SingleTensorFunction<BackwardAlarm>
    {
        public static int Calls;
        public override string Name => nameof(BackwardAlarm);
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).clone();
        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            Interlocked.Increment(ref Calls);
            return new List<Tensor> { gradOutput };
        }
    }

    /// <summary>A model whose output passes through <see cref="BackwardAlarm"/>: any gradient taken through it is counted.</summary>
    sealed class AlarmedModel : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> inner;

        public AlarmedModel(nn.Module<Tensor, Tensor> inner) : base(nameof(AlarmedModel))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => BackwardAlarm.apply(inner.call(x));
    }

    [Fact]
    public void Square_never_runs_a_backward_pass()
    {
        var (model, x, ys) = Affine(24, 91);
        var alarmed = new AlarmedModel(model);
        var y = tensor(ys);
        lock (typeof(BackwardAlarm))
        {
            // The alarm works: a gradient attack on the same model trips it.
            BackwardAlarm.Calls = 0;
            new PgdAttack(0.1, 2).Perturb(alarmed, x, y);
            Assert.True(BackwardAlarm.Calls > 0, "the alarm must see PGD's backward passes");
            BackwardAlarm.Calls = 0;
            foreach (var norm in new[] { Norm.Linf, Norm.L2 })
            {
                double eps = norm == Norm.Linf ? 0.3 : 2.0;
                var adv = new SquareAttack(eps, queries: 300, norm: norm, seed: 4).Perturb(alarmed, x, y);
                new ThreatModel(norm, eps).Verify(x, adv);
                using (no_grad()) Assert.True(model.call(adv).argmax(1).ne(y).sum().item<long>() > 0, "Square must still break some points");
            }
            Assert.Equal(0, BackwardAlarm.Calls);
        }
    }

    /// <summary>Analytic worst-case margin of a binary affine model under L∞ with the [0,1] box.</summary>
    static double[] WorstMarginsLinf(double[] wd, double[] b, double[] flat, long[] ys, double eps)
    {
        int n = ys.Length;
        var result = new double[n];
        for (int k = 0; k < n; k++)
        {
            int y = (int)ys[k], o = 1 - y;
            double m = b[y] - b[o];
            for (int i = 0; i < D; i++)
            {
                double v = wd[y * D + i] - wd[o * D + i], xi = flat[k * D + i];
                m += v * xi - Math.Abs(v) * (v > 0 ? Math.Min(eps, xi) : Math.Min(eps, 1 - xi));
            }
            result[k] = m;
        }
        return result;
    }

    static (AffineClassifier Model, Tensor X, long[] Ys) Affine(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var model = new AffineClassifier(D, 2, randn(new long[] { 2, D }, generator: g) * 0.5f, randn(new long[] { 2 }, generator: g) * 0.5f);
        var x = rand(new long[] { n, 3, Side, Side }, generator: g);
        long[] ys;
        using (no_grad()) ys = model.call(x).argmax(1).data<long>().ToArray();
        return (model, x, ys);
    }

    [Theory]
    [InlineData(8.0 / 255, 1)]
    [InlineData(0.1, 2)]
    [InlineData(0.15, 3)]
    public void Linf_square_breaks_most_breakable_points_of_a_binary_affine_model_and_no_robust_one(double eps, int seed)
    {
        int n = 200;
        var (model, x, ys) = Affine(n, seed);
        var spy = new GradSpy(model);
        var adv = new SquareAttack(eps, queries: 2000, seed: seed).Perturb(spy, x, tensor(ys));
        Assert.False(spy.GradSeen);

        var wd = model.Weight.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var bd = model.Bias.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var flat = x.flatten(1).to_type(ScalarType.Float64).data<double>().ToArray();
        var analytic = WorstMarginsLinf(wd, bd, flat, ys, eps);
        bool[] robust;
        using (no_grad()) robust = model.call(adv).argmax(1).eq(tensor(ys)).data<bool>().ToArray();
        int breakable = 0, broken = 0;
        for (int k = 0; k < n; k++)
        {
            if (analytic[k] > 1e-4) Assert.True(robust[k], $"point {k} is provably robust (margin {analytic[k]})");
            if (analytic[k] <= 0) { breakable++; if (!robust[k]) broken++; }
        }
        Assert.InRange(breakable, 10, n - 10); // not trivially all robust or all broken
        Assert.True(broken >= 0.9 * breakable, $"Square broke {broken} of {breakable} breakable points");
    }

    [Fact]
    public void Square_never_enables_autograd_even_on_non_leaf_inputs_and_frozen_parameters()
    {
        var (model, x, ys) = Affine(16, 9);
        foreach (var p in model.parameters()) p.requires_grad_(false);
        var leaf = x.clone().requires_grad_(true);
        var input = leaf * 1f; // not a leaf, part of a graph
        Assert.False(input.is_leaf);
        var spy = new GradSpy(model);
        var adv = new SquareAttack(0.1, queries: 200).Perturb(spy, input, tensor(ys));
        Assert.False(spy.GradSeen);
        Assert.True(spy.Calls > 1);
        Assert.False(adv.requires_grad);
        Assert.Null(leaf.grad);
    }

    [Fact]
    public void A_spy_really_detects_autograd() // so the tests above can fail
    {
        var (model, x, _) = Affine(4, 9);
        var spy = new GradSpy(model);
        spy.call(x);
        Assert.True(spy.GradSeen);
    }

    [Theory]
    [InlineData(0.5, 7)]
    [InlineData(0.8, 8)]
    public void L2_square_breaks_points_within_a_tenth_of_the_optimal_drop_and_no_robust_one(double eps, int seed)
    {
        // On an affine model the best L2 perturbation lowers the margin m by ε‖v‖ (v = w_y − w_o), less if the box
        // binds (rarely here: x ∈ [0.3,0.7] and ε/√48 ≈ 0.1–0.2 per pixel). Square's structured random search reaches only part of that on white-noise weights (≈ 40 % on
        // 4×4 images, where the 3×3 windows span a small subspace), so it must break every point that needs at most
        // a tenth of the optimal drop, and can never break a point with m − ε‖v‖ > 0.
        int n = 200;
        var g = new Generator((ulong)seed);
        var weight = randn(new long[] { 2, D }, generator: g) * 0.5f;
        // Bias centring the margins at the middle grey image, so many points sit near the boundary.
        var model = new AffineClassifier(D, 2, weight, weight.sum(1) * -0.5f);
        var x = rand(new long[] { n, 3, Side, Side }, generator: g) * 0.4f + 0.3f;
        long[] ys;
        using (no_grad()) ys = model.call(x).argmax(1).data<long>().ToArray();
        var spy = new GradSpy(model);
        var adv = new SquareAttack(eps, queries: 300, norm: Norm.L2, seed: seed).Perturb(spy, x, tensor(ys));
        Assert.False(spy.GradSeen);
        var wd = model.Weight.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var bd = model.Bias.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var flat = x.flatten(1).to_type(ScalarType.Float64).data<double>().ToArray();
        bool[] robust;
        using (no_grad()) robust = model.call(adv).argmax(1).eq(tensor(ys)).data<bool>().ToArray();
        int easy = 0, broken = 0;
        for (int k = 0; k < n; k++)
        {
            int yk = (int)ys[k];
            double m = bd[yk] - bd[1 - yk], vn = 0;
            for (int i = 0; i < D; i++) { double v = wd[yk * D + i] - wd[(1 - yk) * D + i]; m += v * flat[k * D + i]; vn += v * v; }
            vn = Math.Sqrt(vn);
            if (m - eps * vn > 1e-4) Assert.True(robust[k], $"point {k} is provably robust (margin ≥ {m - eps * vn})");
            if (m <= 0.1 * eps * vn) { easy++; if (!robust[k]) broken++; }
        }
        Assert.True(easy >= 10, $"only {easy} easy points");
        Assert.True(broken >= 0.9 * easy, $"Square L2 broke {broken} of {easy} points needing ≤ 10 % of the optimal drop");
    }

    [Theory]
    [InlineData(Norm.Linf, 1)]
    [InlineData(Norm.Linf, 2)]
    [InlineData(Norm.L2, 3)]
    [InlineData(Norm.L2, 4)]
    public void Every_result_stays_in_the_ball_and_the_box(Norm norm, int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 4; trial++)
        {
            var g = new Generator((ulong)(seed * 100 + trial));
            var model = new AffineClassifier(3 * 6 * 6, 5, randn(new long[] { 5, 3 * 6 * 6 }, generator: g), randn(new long[] { 5 }, generator: g));
            var x = rand(new long[] { 16, 3, 6, 6 }, generator: g);
            x = where(rand(new long[] { 16, 3, 6, 6 }, generator: g).lt(0.4), x.round(), x);
            long[] ys;
            using (no_grad()) ys = model.call(x).argmax(1).data<long>().ToArray();
            double eps = norm == Norm.Linf ? rng.NextDouble() * 0.3 : rng.NextDouble() * 3;
            var adv = new SquareAttack(eps, queries: 100, norm: norm, seed: trial).Perturb(model, x, tensor(ys));
            Assert.True(adv.min().item<float>() >= 0f);
            Assert.True(adv.max().item<float>() <= 1f);
            var d = (adv - x).flatten(1);
            double worst = (norm == Norm.Linf ? d.abs().amax(1) : d.norm(1)).max().item<float>();
            Assert.True(worst > 0 || eps < 1e-3, "the attack moved nothing");
            Assert.True(worst <= eps + 1e-5, $"‖δ‖ {worst} > ε {eps}");
        }
    }

    [Fact]
    public void Square_is_reproducible_from_its_seed_and_restores_training_mode()
    {
        var g = new Generator(3);
        var model = new TinyConvClassifier(3);
        using (no_grad()) foreach (var p in model.parameters()) p.copy_(randn(p.shape, generator: g));
        model.train();
        var x = rand(new long[] { 8, 3, 8, 8 }, generator: g);
        var y = randint(0, 3, new long[] { 8 }, generator: g);
        var a1 = new SquareAttack(0.05, queries: 50, seed: 5).Perturb(model, x, y);
        Assert.True(model.training);
        var a2 = new SquareAttack(0.05, queries: 50, seed: 5).Perturb(model, x, y);
        Assert.Equal(0f, (a1 - a2).abs().max().item<float>());
        var a3 = new SquareAttack(0.05, queries: 50, seed: 6).Perturb(model, x, y);
        Assert.True((a1 - a3).abs().max().item<float>() > 0f);
    }

    [Fact]
    public void Misclassified_points_are_returned_unchanged_and_not_queried_beyond_the_first_pass()
    {
        var (model, x, ys) = Affine(32, 4);
        var wrong = ys.Select(v => 1 - v).ToArray(); // every point misclassified w.r.t. these labels
        var spy = new GradSpy(model);
        var adv = new SquareAttack(0.2, queries: 100).Perturb(spy, x, tensor(wrong));
        Assert.Equal(0f, (adv - x).abs().max().item<float>());
        Assert.Equal(1, spy.Calls);

        // Mixed batch: the misclassified half is untouched, the rest is attacked.
        var mixed = ys.Select((v, k) => k % 2 == 0 ? 1 - v : v).ToArray();
        var adv2 = new SquareAttack(0.2, queries: 100).Perturb(model, x, tensor(mixed));
        var diff = (adv2 - x).abs().flatten(1).amax(1).data<float>().ToArray();
        for (int k = 0; k < 32; k++) if (k % 2 == 0) Assert.Equal(0f, diff[k]); else Assert.True(diff[k] > 0f);
    }

    [Fact]
    public void P_schedule_follows_the_reference()
    {
        var a = new SquareAttack(0.1);
        Assert.Equal(0.8, a.PSelection(0));
        Assert.Equal(0.8, a.PSelection(10));
        Assert.Equal(0.4, a.PSelection(11));
        Assert.Equal(0.2, a.PSelection(51));
        Assert.Equal(0.8 / 64, a.PSelection(4000));
        Assert.Equal(0.8 / 512, a.PSelection(8001));
        var r = new SquareAttack(0.1, queries: 1000, rescaleSchedule: true);
        Assert.Equal(0.8 / 2, r.PSelection(2)); // 2/1000·10000 = 20
        Assert.Equal(0.8 / 512, r.PSelection(900));
        Assert.Equal("square", a.Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(0.1, pInit: 0));
    }

    /// <summary>
    /// The L2 query step moves budget per channel, as the reference's square.py: a δ of norm ε keeps norm exactly ε (no
    /// global rescale needed), energy outside the two windows is unchanged and window 2 (where it does not overlap window 1)
    /// is zeroed. Summing the window norms over all channels instead gives each window about C× its share.
    /// </summary>
    [Theory]
    [InlineData(0, 1, 5, 6, 3)]   // disjoint windows
    [InlineData(2, 2, 3, 4, 5)]   // overlapping windows
    [InlineData(4, 4, 4, 4, 3)]   // the same window
    public void L2_window_step_keeps_the_norm_at_epsilon_and_leaves_other_pixels_alone(int r1, int c1, int r2, int c2, int side)
    {
        const double eps = 0.5;
        var g = new Generator(7);
        var delta = randn(new long[] { 4, 3, 10, 10 }, generator: g, dtype: ScalarType.Float64);
        delta = delta / delta.flatten(1).norm(1, keepdim: true).view(-1, 1, 1, 1) * eps;
        var before = delta.clone();
        var fresh = randn(new long[] { 4, 3, side, side }, generator: g, dtype: ScalarType.Float64);
        SquareAttack.MoveWindowBudget(delta, fresh, (r1, c1), (r2, c2), side, eps);

        var norms = delta.flatten(1).norm(1).data<double>().ToArray();
        Assert.All(norms, n => Assert.Equal(eps, n, 9));
        var inWindows = zeros(new long[] { 1, 1, 10, 10 }, dtype: ScalarType.Bool);
        inWindows.narrow(2, r1, side).narrow(3, c1, side).fill_(true);
        inWindows.narrow(2, r2, side).narrow(3, c2, side).fill_(true);
        var outside = inWindows.logical_not().expand_as(delta);
        Assert.Equal(0.0, (delta - before).masked_select(outside).abs().max().item<double>());
        var onlyWindow2 = zeros(new long[] { 1, 1, 10, 10 }, dtype: ScalarType.Bool);
        onlyWindow2.narrow(2, r2, side).narrow(3, c2, side).fill_(true);
        onlyWindow2.narrow(2, r1, side).narrow(3, c1, side).fill_(false);
        Assert.Equal(0.0, delta.masked_select(onlyWindow2.expand_as(delta)).abs().sum().item<double>());
    }

    /// <summary>With slack (‖δ‖ &lt; ε) every channel's energy grows by exactly (ε² − ‖δ‖²)/C, its share of the slack.</summary>
    [Fact]
    public void L2_window_step_gives_each_channel_an_equal_share_of_the_slack()
    {
        const double eps = 1.0;
        var g = new Generator(3);
        var delta = randn(new long[] { 2, 3, 8, 8 }, generator: g, dtype: ScalarType.Float64);
        delta = delta / delta.flatten(1).norm(1, keepdim: true).view(-1, 1, 1, 1) * 0.6;
        var channelEnergy = delta.square().sum(new long[] { 2, 3 });
        var fresh = randn(new long[] { 2, 3, 3, 3 }, generator: g, dtype: ScalarType.Float64);
        SquareAttack.MoveWindowBudget(delta, fresh, (1, 1), (4, 4), 3, eps);
        var grown = delta.square().sum(new long[] { 2, 3 }) - channelEnergy;
        double share = (eps * eps - 0.36) / 3;
        Assert.All(grown.flatten().data<double>().ToArray(), v => Assert.Equal(share, v, 9));
    }
}
