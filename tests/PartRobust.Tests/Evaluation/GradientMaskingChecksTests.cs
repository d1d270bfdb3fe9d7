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
        Assert.Equal(6, results.Count);
        foreach (var r in results) Assert.True(r.Passed, r.Message);
        Assert.Equal(6, log.Count(l => l.StartsWith("masking check")));
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
        var options = Fast with { CheckRandomness = false, CheckProbabilities = false, CheckEpsilonSweep = false, CheckMoreSteps = false };
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

    sealed class ListProgress : IProgressSink
    {
        readonly List<string> lines;
        public ListProgress(List<string> lines) => this.lines = lines;
        public IProgressTask Start(string description, long total) => NullProgress.Instance.Start(description, total);
        public void Log(string message) => lines.Add(message);
    }
}
