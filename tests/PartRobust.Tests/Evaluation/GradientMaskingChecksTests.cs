using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Tests.TestSupport;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation;

public class GradientMaskingChecksTests
{
    const int D = 3 * 8 * 8;

    static PartDataset Data(Tensor images, Tensor labels) =>
        new(images, zeros(new long[] { images.shape[0], 8, 8 }, dtype: ScalarType.Int64), labels,
            PartImageNetTaxonomy.Select(new[] { "Car", "Fish" }));

    static readonly MaskingCheckOptions Fast = new() { Points = 32, BatchSize = 32, PgdSteps = 10, SquareQueries = 100, MoreStepsFactor = 5 };

    static MaskingCheckOptions Only(string name) => Fast with
    {
        CheckRandomness = name == "randomness",
        CheckDynamic = name == "dynamic",
        CheckProbabilities = name == "probability-outputs",
        CheckZeroGradients = name == "zero-gradients",
        CheckBlackBox = name == "black-box",
        CheckEpsilonSweep = name == "epsilon-sweep",
        CheckMoreSteps = false,
    };

    static AffineClassifier Affine(Generator g) =>
        new(D, 2, randn(new long[] { 2, D }, generator: g) * 0.05f, zeros(2));

    static PartDataset RandomData(Generator g, AffineClassifier labeller)
    {
        var x = rand(new long[] { 32, 3, 8, 8 }, generator: g);
        Tensor y;
        using (no_grad()) y = labeller.call(x).argmax(1);
        return Data(x, y);
    }

    /// <summary>Affine layer on dropout that stays active in eval mode.</summary>
    sealed class AlwaysDropout : nn.Module<Tensor, Tensor>
    {
        readonly AffineClassifier inner;
        public AlwaysDropout(AffineClassifier inner) : base(nameof(AlwaysDropout)) { this.inner = inner; RegisterComponents(); }
        public override Tensor forward(Tensor x) => inner.call(nn.functional.dropout(x, 0.5, training: true));
    }

    sealed class SoftmaxOutputs : nn.Module<Tensor, Tensor>
    {
        readonly AffineClassifier inner;
        public SoftmaxOutputs(AffineClassifier inner) : base(nameof(SoftmaxOutputs)) { this.inner = inner; RegisterComponents(); }
        public override Tensor forward(Tensor x) => inner.call(x).softmax(1);
    }

    /// <summary>Class 1 iff at least 40% of the pixels round to 1: zero gradient everywhere.</summary>
    sealed class Quantised : nn.Module<Tensor, Tensor>
    {
        public Quantised() : base(nameof(Quantised)) { }
        public override Tensor forward(Tensor x)
        {
            var score = x.round().flatten(1).sum(1, keepdim: true) - 0.4f * D;
            return cat(new[] { zeros_like(score), score }, 1);
        }
    }

    /// <summary>Always predicts class 0, whatever the input.</summary>
    sealed class Constant : nn.Module<Tensor, Tensor>
    {
        public Constant() : base(nameof(Constant)) { }
        public override Tensor forward(Tensor x) => x.flatten(1).sum(1, keepdim: true) * 0f + tensor(new float[] { 1f, 0f });
    }

    static MaskingCheckResult Find(IReadOnlyList<MaskingCheckResult> results, string name) => Assert.Single(results, r => r.Name == name);

    [Fact]
    public void Masking_healthy_affine_model_passes_every_check_and_logs_each()
    {
        var g = new Generator(11);
        using var model = Affine(g);
        using var data = RandomData(g, model);
        var log = new List<string>();
        var results = GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 8.0 / 255), Fast, new ListProgress(log));
        Assert.Equal(7, results.Count);
        foreach (var r in results) Assert.True(r.Passed, r.Message);
        Assert.Equal(7, log.Count(l => l.StartsWith("masking check")));
        Assert.Contains("5 passes", Find(results, "randomness").Detail);
        Assert.Contains("look like logits", Find(results, "probability-outputs").Detail);
        Assert.Contains("ε=0.502", Find(results, "epsilon-sweep").Detail);
    }

    [Fact]
    public void Masking_active_dropout_fails_the_randomness_check()
    {
        var g = new Generator(12);
        using var affine = Affine(g);
        using var data = RandomData(g, affine);
        using var model = new AlwaysDropout(affine);
        var r = Find(GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("randomness")), "randomness");
        Assert.False(r.Passed);
        Assert.Contains("EoT", r.Message);
        // The same model without dropout passes.
        Assert.True(Find(GradientMaskingChecks.Run(affine, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("randomness")), "randomness").Passed);
    }

    [Fact]
    public void Masking_softmax_outputs_fail_the_probability_check()
    {
        var g = new Generator(13);
        using var affine = Affine(g);
        using var data = RandomData(g, affine);
        using var model = new SoftmaxOutputs(affine);
        var r = Find(GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("probability-outputs")), "probability-outputs");
        Assert.False(r.Passed, r.Detail);
        Assert.Contains("logits", r.Meaning);
    }

    [Fact]
    public void Masking_quantised_input_has_zero_gradients_and_square_breaks_what_pgd_missed()
    {
        var g = new Generator(14);
        var x = (rand(new long[] { 32, 3, 8, 8 }, generator: g) * 0.04f + 0.43f);
        using var data = Data(x, zeros(32, dtype: ScalarType.Int64));
        using var model = new Quantised();
        var options = Fast with { CheckRandomness = false, CheckDynamic = false, CheckProbabilities = false, CheckEpsilonSweep = false, CheckMoreSteps = false };
        var results = GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 0.1), options);
        var zero = Find(results, "zero-gradients");
        Assert.False(zero.Passed, zero.Detail);
        Assert.StartsWith("32/32", zero.Detail);
        var blackBox = Find(results, "black-box");
        Assert.False(blackBox.Passed, blackBox.Detail);
        Assert.Contains("robust accuracy 100.0%", blackBox.Detail);
    }

    [Fact]
    public void Masking_constant_model_fails_the_epsilon_sweep()
    {
        var g = new Generator(15);
        using var data = Data(rand(new long[] { 32, 3, 8, 8 }, generator: g), zeros(32, dtype: ScalarType.Int64));
        using var model = new Constant();
        var r = Find(GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("epsilon-sweep")), "epsilon-sweep");
        Assert.False(r.Passed, r.Detail);
        Assert.Contains("ε=0.502: 100.0%", r.Detail);
    }

    /// <summary>
    /// A test-time defence: the forward pass takes one gradient step on the input (towards its own prediction) before
    /// classifying, so it calls autograd inside its forward, as the dynamic defences AutoAttack's check_dynamic looks for.
    /// </summary>
    sealed class GradientStepInForward : nn.Module<Tensor, Tensor>
    {
        readonly AffineClassifier inner;
        public GradientStepInForward(AffineClassifier inner) : base(nameof(GradientStepInForward)) { this.inner = inner; RegisterComponents(); }
        public override Tensor forward(Tensor x)
        {
            Tensor step;
            using (enable_grad())
            {
                var z = x.detach().requires_grad_(true);
                var logits = inner.call(z);
                var confidence = logits.max(1).values.sum();
                step = autograd.grad(new[] { confidence }, new[] { z })[0].sign() * 0.01f;
            }
            return inner.call(x + step);
        }
    }

    [Fact]
    public void Masking_a_model_that_calls_autograd_in_its_forward_fails_the_dynamic_check()
    {
        var g = new Generator(16);
        using var affine = Affine(g);
        using var data = RandomData(g, affine);
        using var model = new GradientStepInForward(affine);
        // It still runs normally (so the check is about how it computes, not whether it works).
        using (no_grad()) Assert.Equal(new long[] { 32, 2 }, model.call(data.Images).shape);
        var r = Find(GradientMaskingChecks.Run(model, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("dynamic")), "dynamic");
        Assert.False(r.Passed, r.Detail);
        Assert.Contains("ran with autograd switched back on", r.Detail);
        var ok = Find(GradientMaskingChecks.Run(affine, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("dynamic")), "dynamic");
        Assert.True(ok.Passed, ok.Detail);
        // The hooks are gone afterwards: the check left the models as they were.
        var again = Find(GradientMaskingChecks.Run(affine, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("dynamic")), "dynamic");
        Assert.Equal(ok.Detail, again.Detail);
    }

    [Fact]
    public void Masking_randomness_uses_five_passes_and_the_l2_distance_of_normalised_outputs()
    {
        var g = new Generator(17);
        using var affine = Affine(g);
        using var data = RandomData(g, affine);
        var r = Find(GradientMaskingChecks.Run(affine, data, new ThreatModel(Norm.Linf, 8.0 / 255), Only("randomness")), "randomness");
        Assert.True(r.Passed, r.Detail);
        Assert.StartsWith("5 passes on 32 points: largest L2 distance between normalised outputs 0 ", r.Detail);
    }

    /// <summary>Class 0 logit 0; classes 1 and 2 (number of pixels that round to 1 − 40%), one less for class 2: zero gradient everywhere.</summary>
    sealed class Quantised3 : nn.Module<Tensor, Tensor>
    {
        public Quantised3() : base(nameof(Quantised3)) { }
        public override Tensor forward(Tensor x)
        {
            var score = x.round().flatten(1).sum(1, keepdim: true) - 0.4f * D;
            return cat(new[] { zeros_like(score), score, score - 1 }, 1);
        }
    }

    static PartDataset Data3(Tensor images, Tensor labels) =>
        new(images, zeros(new long[] { images.shape[0], 8, 8 }, dtype: ScalarType.Int64), labels,
            PartImageNetTaxonomy.Select(new[] { "Car", "Fish", "Bird" }));

    [Fact]
    public void Masking_after_autoattack_square_breaking_what_the_white_box_stages_left_is_a_warning()
    {
        var g = new Generator(18);
        var threat = new ThreatModel(Norm.Linf, 0.1);
        // Masked: gradients are zero, APGD cannot move, Square can.
        using var masked = new Quantised();
        using (var data = Data((rand(new long[] { 32, 3, 8, 8 }, generator: g) * 0.04f + 0.43f), zeros(32, dtype: ScalarType.Int64)))
        {
            var sequence = new AttackSequence(new IAttack[] { new ApgdAttack(0.1, iterations: 10), new SquareAttack(0.1, 100) });
            var r = Evaluator.RobustAccuracy(masked, data, sequence, 32, NullProgress.Instance);
            var check = Find(GradientMaskingChecks.AfterSequence(sequence, r), "square-after-white-box");
            Assert.False(check.Passed, check.Detail);
            Assert.Contains("robust 100.0% after apgd-ce", check.Detail);
            Assert.Contains("Square", check.Message);
        }
        // Healthy: APGD finds the optimum of an affine model; Square can break nothing more.
        using var affine = Affine(g);
        using var clean = RandomData(g, affine);
        var healthy = new AttackSequence(new IAttack[] { new ApgdAttack(8.0 / 255, iterations: 10), new SquareAttack(8.0 / 255, 100) });
        var h = Evaluator.RobustAccuracy(affine, clean, healthy, 32, NullProgress.Instance);
        var quiet = Find(GradientMaskingChecks.AfterSequence(healthy, h), "square-after-white-box");
        Assert.True(quiet.Passed, quiet.Detail);
        // No Square stage: the check does not apply.
        var noSquare = new AttackSequence(new IAttack[] { new ApgdAttack(8.0 / 255, iterations: 2) });
        Assert.Empty(GradientMaskingChecks.AfterSequence(noSquare, Evaluator.RobustAccuracy(affine, clean, noSquare, 32, NullProgress.Instance)));
    }

    [Fact]
    public void Masking_after_autoattack_any_zero_dlr_gradient_at_an_apgd_start_is_a_warning()
    {
        var g = new Generator(19);
        var x = rand(new long[] { 32, 3, 8, 8 }, generator: g) * 0.04f + 0.43f;
        using (var data = Data3(x, zeros(32, dtype: ScalarType.Int64)))
        using (var masked = new Quantised3())
        {
            var sequence = new AttackSequence(new IAttack[] { new ApgdAttack(0.02, loss: "dlr", iterations: 3) });
            var r = Evaluator.RobustAccuracy(masked, data, sequence, 16, NullProgress.Instance);
            var check = Find(GradientMaskingChecks.AfterSequence(sequence, r), "zero-dlr-gradients");
            Assert.False(check.Passed, check.Detail);
            Assert.Contains("apgd-dlr: 32 of 32 runs", check.Detail);
        }
        using var affine = new AffineClassifier(D, 3, randn(new long[] { 3, D }, generator: g) * 0.05f, zeros(3));
        Tensor y;
        using (no_grad()) y = affine.call(x).argmax(1);
        using var clean = Data3(x, y);
        var healthy = new AttackSequence(new IAttack[] { new ApgdAttack(0.02, loss: "dlr", iterations: 3) });
        var h = Evaluator.RobustAccuracy(affine, clean, healthy, 32, NullProgress.Instance);
        var quiet = Find(GradientMaskingChecks.AfterSequence(healthy, h), "zero-dlr-gradients");
        Assert.True(quiet.Passed, quiet.Detail);
        Assert.Contains("apgd-dlr: 0 of 32 runs", quiet.Detail);
    }

    sealed class ListProgress : IProgressSink
    {
        readonly List<string> lines;
        public ListProgress(List<string> lines) => this.lines = lines;
        public IProgressTask Start(string description, long total) => NullProgress.Instance.Start(description, total);
        public void Log(string message) => lines.Add(message);
    }
}
