using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation;

public class EvaluatorTests
{
    [Fact]
    public void Part_metrics_from_a_hand_made_confusion_matrix()
    {
        // K=3, rows truth, columns prediction.
        long[] confusion =
        {
            50, 5, 0,  // background
            5, 10, 5,  // part 1: IoU = 10 / (20 + 15 - 10) = 0.4
            0, 0, 0,   // part 2 absent from truth (and prediction column sum = 5)
        };
        var m = Evaluator.MetricsFromConfusion(confusion, 3);
        Assert.Equal(60.0 / 75, m.PixelAccuracy, 12);
        Assert.Equal(0.4, m.PerLabelIoU[1], 12);
        Assert.Equal(0.0, m.PerLabelIoU[2], 12); // predicted but never true: IoU 0, but not part of the mean
        Assert.Equal(0.4, m.MeanIoU, 12);       // mean over parts present in the truth only
    }

    sealed class OutOfBallAttack : IAttack
    {
        public string Name => "cheat";
        public ThreatModel Threat { get; } = new(Norm.Linf, 0.01);
        public Tensor Perturb(TorchSharp.torch.nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => (images + 0.5f).clamp(0, 1);
    }

    [Fact]
    public void An_attack_that_leaves_its_threat_model_cannot_produce_a_number()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        using var data = new PartDataset(rand(4, 3, 8, 8) * 0.4f, zeros(new long[] { 4, 8, 8 }, dtype: ScalarType.Int64),
            tensor(new long[] { 0, 1, 0, 1 }), taxonomy);
        using var model = new TinyConvClassifier(2);
        Assert.Throws<InvalidOperationException>(() => Evaluator.RobustAccuracy(model, data, new OutOfBallAttack(), 4, NullProgress.Instance));
    }

    [Fact]
    public void Robust_accuracy_is_at_most_clean_accuracy_and_zero_epsilon_changes_nothing()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        manual_seed(5);
        using var data = new PartDataset(rand(32, 3, 8, 8), zeros(new long[] { 32, 8, 8 }, dtype: ScalarType.Int64),
            randint(0, 2, 32), taxonomy);
        using var model = new TinyConvClassifier(2);
        var none = Evaluator.RobustAccuracy(model, data, new PgdAttack(0, 5), 8, NullProgress.Instance);
        Assert.Equal(none.CleanAccuracy, none.Accuracy);
        Assert.Equal(Evaluator.Accuracy(model, data, 8), none.CleanAccuracy, 12);
        var some = Evaluator.RobustAccuracy(model, data, new PgdAttack(0.3, 10), 8, NullProgress.Instance);
        Assert.True(some.Accuracy <= some.CleanAccuracy);
        Assert.Equal(32, some.RobustMask.Length);
    }
}
