using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

/// <summary>Expectation over Transformation in APGD (reference <c>eot_iter</c>).</summary>
public class ApgdEotTests
{
    const int Side = 4, D = 3 * Side * Side;

    /// <summary>
    /// A randomised defence whose outputs are exactly those of an affine model but whose input gradient carries fresh
    /// Gaussian noise at every pass: logits = W·x + b + N·(x − detach(x)), N ~ σ·𝒩(0,1) per sample and class, drawn
    /// with the model's own generator. The noise term is 0 in value, so robust accuracy is measured exactly, while
    /// a single pass's gradient sign is wrong on many coordinates.
    /// </summary>
    sealed class NoisyGradientClassifier : nn.Module<Tensor, Tensor>
    {
        readonly AffineClassifier inner;
        readonly Generator noise;
        readonly double sigma;

        public NoisyGradientClassifier(AffineClassifier inner, double sigma, ulong seed) : base(nameof(NoisyGradientClassifier))
        {
            this.inner = inner;
            this.sigma = sigma;
            noise = new Generator(seed);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var flat = x.flatten(1);
            var zero = flat - flat.detach();
            var n = randn(new long[] { x.shape[0], inner.Bias.shape[0], flat.shape[1] }, generator: noise) * sigma;
            return inner.call(x) + n.bmm(zero.unsqueeze(2)).squeeze(2);
        }
    }

    /// <summary>
    /// A spy for the EoT loop, two classes, every label 0. The class-0 logit is o_k + c_k·u·(x − detach(x)) with
    /// scripted c_k and o_k for the k-th forward pass that needs a gradient (the others, e.g. the clean check, see
    /// o = 1, c = 0): its value is o_k and its input gradient of the CE loss is −(1 − σ(o_k))·c_k·u, so the sign of
    /// the mean gradient of a block of passes is −sign(Σ (1 − σ(o_k))·c_k)·sign(u). Records the input of every
    /// gradient pass.
    /// </summary>
    sealed class ScriptedGradientSpy : nn.Module<Tensor, Tensor>
    {
        readonly Tensor u;
        readonly double[] c, offset;
        public List<Tensor> Inputs { get; } = new();

        public ScriptedGradientSpy(Tensor u, double[] c, double[] offset) : base(nameof(ScriptedGradientSpy))
        {
            this.u = u;
            this.c = c;
            this.offset = offset;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var flat = x.flatten(1);
            double ck = 0, ok = 1;
            if (x.requires_grad)
            {
                int k = Inputs.Count;
                ck = c[k % c.Length];
                ok = k < offset.Length ? offset[k] : 1;
                Inputs.Add(flat.detach().clone().DetachFromDisposeScope()); // outlives the attack's dispose scopes
            }
            var z0 = (flat - flat.detach()).mul(u).sum(1).mul(ck).add(ok);
            return stack(new[] { z0, zeros_like(z0) }, 1);
        }
    }

    [Theory]
    [InlineData(Norm.Linf, "ce", 1)]
    [InlineData(Norm.Linf, "dlr", 2)]
    [InlineData(Norm.L2, "ce", 3)]
    [InlineData(Norm.L2, "dlr", 4)]
    public void One_eot_pass_reproduces_the_attack_without_the_argument_exactly(Norm norm, string loss, int seed)
    {
        var g = new Generator((ulong)seed);
        var model = new TinyConvClassifier(5);
        using (no_grad()) // nonlinear, and weights from the local generator rather than the global one
            foreach (var p in model.parameters()) p.copy_(randn(p.shape, generator: g) * 0.5);
        model.eval();
        var x = rand(new long[] { 12, 3, 8, 8 }, generator: g);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1); // every point attacked
        double eps = norm == Norm.Linf ? 0.05 : 0.5;

        var plain = new ApgdAttack(eps, norm, loss, iterations: 15, restarts: 2, seed: seed);
        var eot1 = new ApgdAttack(eps, norm, loss, iterations: 15, restarts: 2, seed: seed, eotIterations: 1);
        Assert.Equal(1, plain.EotIterations);
        Assert.Equal(plain.Describe(), eot1.Describe());
        Assert.DoesNotContain("EoT", plain.Describe());
        var a = plain.Perturb(model, x, y);
        var b = eot1.Perturb(model, x, y);
        Assert.True(a.eq(b).all().item<bool>(), $"APGD-{loss} {norm}: eotIterations = 1 changed the result");
        Assert.True((a - x).abs().max().item<float>() > 0, "the attack moved no point");

        var plainT = new ApgdTargetedAttack(eps, norm, targetClasses: 2, iterations: 15, seed: seed);
        var eot1T = new ApgdTargetedAttack(eps, norm, targetClasses: 2, iterations: 15, seed: seed, eotIterations: 1);
        Assert.Equal(1, plainT.EotIterations);
        Assert.True(plainT.Perturb(model, x, y).eq(eot1T.Perturb(model, x, y)).all().item<bool>(),
            $"APGD-T {norm}: eotIterations = 1 changed the result");
    }

    [Fact]
    public void Eot_iterations_are_validated_and_described()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApgdAttack(0.1, eotIterations: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApgdTargetedAttack(0.1, eotIterations: -1));
        var a = new ApgdAttack(0.1, loss: "dlr", eotIterations: 20);
        Assert.Equal(20, a.EotIterations);
        Assert.Contains("EoT over 20", a.Describe());
        Assert.Contains("EoT over 3", new ApgdTargetedAttack(0.1, eotIterations: 3).Describe());
    }

    [Fact]
    public void Every_gradient_is_the_mean_of_its_eot_passes_and_the_bookkeeping_uses_the_last_pass()
    {
        const int K = 3, N = 10, Points = 6;
        double eps = 0.1;
        var g = new Generator(31);
        var x = (rand(new long[] { Points, 3, Side, Side }, generator: g) * 0.4 + 0.3).to_type(ScalarType.Float32); // box never binds
        var s = rand(new long[] { D }, generator: g).lt(0.5).to_type(ScalarType.Float32).mul(2).sub(1); // sign(u)
        var u = s * (rand(new long[] { D }, generator: g) + 0.5);
        // Pass 5, the last of iteration 0, alone says "class 1": the point counts as broken at x1 only if the bookkeeping
        // uses the last pass.
        double[] offset = { 1, 1, 1, 1, 1, -1 };
        // Initial gradient (passes 0–2, weights 1 − σ(1) = 0.27 each): Σ weight·c > 0, so the mean gradient points along
        // −s, while the first and the last pass alone point along +s. Iteration 0 (passes 3–5, weights 0.27, 0.27,
        // 1 − σ(−1) = 0.73): 0.27·(1 − 3) + 0.73·0.5 < 0, so the mean points along +s, the first and last alone along −s.
        double[] c = { -1, 2, -0.5, 1, -3, 0.5 };
        var spy = new ScriptedGradientSpy(u, c, offset);
        var y = zeros(Points, dtype: ScalarType.Int64);
        var adv = new ApgdAttack(eps, Norm.Linf, "ce", iterations: N, seed: 8, eotIterations: K).Perturb(spy, x, y);

        Assert.Equal(K * (N + 1), spy.Inputs.Count);
        for (int block = 0; block <= N; block++)
            for (int k = 1; k < K; k++)
                Assert.True(spy.Inputs[block * K].eq(spy.Inputs[block * K + k]).all().item<bool>(), $"the EoT passes of block {block} saw different inputs");
        var flat = x.flatten(1);
        var x0 = spy.Inputs[0];
        var x1 = spy.Inputs[K];
        var x2 = spy.Inputs[2 * K];
        // Step 0 (step size 2ε, no momentum) ends on the vertex x − ε·s of the ball.
        Assert.True((x1 - (flat - s * eps)).abs().max().item<float>() < 1e-6, "the initial gradient is not the mean of its passes");
        // Step 1 towards +s: z = x + ε·s, x2 = x1 + 0.75(z − x1) + 0.25(x1 − x0) = x + 0.25(ε·s − (x0 − x)); with the
        // sign of a single pass instead, x2 would stay at x1.
        var expected2 = flat + (s * eps - (x0 - flat)) * 0.25;
        Assert.True((x2 - expected2).abs().max().item<float>() < 1e-6, "the gradient of iteration 0 is not the mean of its passes");
        // Only the last pass of iteration 0 misclassified x1, so the attack returns x1.
        Assert.True((adv.flatten(1) - x1).abs().max().item<float>() < 1e-6, "the bookkeeping did not use the logits of the last pass");
    }

    [Fact]
    public void Eot_breaks_clearly_more_points_of_a_model_with_noisy_gradients()
    {
        const int Points = 100;
        const double Eps = 0.05, Sigma = 4;
        var g = new Generator(7);
        var affine = new AffineClassifier(D, 2, randn(new long[] { 2, D }, generator: g) * 0.5f, randn(new long[] { 2 }, generator: g) * 0.5f);
        var x = rand(new long[] { Points, 3, Side, Side }, generator: g);
        Tensor y;
        using (no_grad()) y = affine.call(x).argmax(1); // every clean point correct

        int Robust(nn.Module<Tensor, Tensor> model, int eot)
        {
            var adv = new ApgdAttack(Eps, Norm.Linf, "ce", iterations: 40, seed: 3, eotIterations: eot).Perturb(model, x, y);
            using var _ = no_grad();
            return (int)affine.call(adv).argmax(1).eq(y).sum().item<long>(); // the noisy model's outputs are the affine ones
        }

        int exact = Robust(affine, 1);
        int single = Robust(new NoisyGradientClassifier(affine, Sigma, 11), 1);
        int averaged = Robust(new NoisyGradientClassifier(affine, Sigma, 11), 20);
        // The case is meaningful: the noise makes single-pass gradients clearly worse than the true ones …
        Assert.True(single >= exact + Points / 10, $"noise-free {exact}, one pass {single}: the noise does not hurt");
        // … and averaging 20 passes recovers most of the gap.
        Assert.True(averaged <= single - Points / 10, $"one pass {single}, EoT 20 {averaged}: EoT did not help clearly");
    }
}
