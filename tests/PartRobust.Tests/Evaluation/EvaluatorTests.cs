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
        public string Describe() => "test double";
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

    [Theory]
    [InlineData(3)]   // inside the first batch
    [InlineData(6)]   // across two batches
    public void Kept_examples_are_exactly_what_the_attack_produced_for_the_first_points(int keep)
    {
        const int side = 4, d = 3 * side * side, n = 10, batch = 4;
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        var g = new Generator(11);
        using var model = new AffineClassifier(d, 2, randn(new long[] { 2, d }, generator: g) * 0.5f, randn(new long[] { 2 }, generator: g) * 0.5f);
        using var data = new PartDataset(rand(new long[] { n, 3, side, side }, generator: g), zeros(new long[] { n, side, side }, dtype: ScalarType.Int64),
            randint(0, 2, new long[] { n }, generator: g), taxonomy);
        static PgdAttack Attack() => new(0.1, 5, restarts: 2, seed: 7);

        var r = Evaluator.RobustAccuracy(model, data, Attack(), batch, NullProgress.Instance, keepExamples: keep);

        // The same attack, seeded the same, called batch by batch as the evaluator does.
        var direct = Attack();
        var advBatches = new List<Tensor>();
        for (int start = 0; start < keep; start += batch)
            advBatches.Add(direct.Perturb(model, data.Images.narrow(0, start, Math.Min(batch, n - start)), data.Labels.narrow(0, start, Math.Min(batch, n - start))));
        using var adv = cat(advBatches, 0).narrow(0, 0, keep);
        var e = r.Examples!;
        Assert.Equal((keep, 3, side, side), (e.Count, e.Channels, e.Height, e.Width));
        Assert.Equal(("pgd", Norm.Linf, 0.1), (e.Attack, e.Norm, e.Epsilon));
        Assert.Equal(adv.contiguous().data<float>().ToArray(), e.Adversarial);
        Assert.Equal(data.Images.narrow(0, 0, keep).contiguous().data<float>().ToArray(), e.Clean);
        Assert.Equal(data.Labels.narrow(0, 0, keep).data<long>().ToArray(), e.Labels);
        using (no_grad())
        {
            Assert.Equal(model.call(adv).argmax(1).data<long>().ToArray(), e.AdversarialPredictions);
            Assert.Equal(model.call(data.Images.narrow(0, 0, keep)).argmax(1).data<long>().ToArray(), e.CleanPredictions);
        }
        // The kept predictions are the ones the robust accuracy was counted from.
        for (int i = 0; i < keep; i++) Assert.Equal(r.RobustMask[i], e.AdversarialPredictions[i] == e.Labels[i]);
        Assert.Null(e.CleanMasks);
        Assert.Null(e.AdversarialMasks);
        foreach (var t in advBatches) t.Dispose();
    }

    [Fact]
    public void No_examples_unless_asked_all_points_at_most_and_part_masks_for_part_models()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        var g = new Generator(3);
        using var data = new PartDataset(rand(new long[] { 5, 3, 8, 8 }, generator: g), zeros(new long[] { 5, 8, 8 }, dtype: ScalarType.Int64),
            tensor(new long[] { 0, 1, 0, 1, 1 }), taxonomy);
        using var plain = new TinyConvClassifier(2);
        Assert.Null(Evaluator.RobustAccuracy(plain, data, new PgdAttack(0.05, 2), 4, NullProgress.Instance).Examples);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.RobustAccuracy(plain, data, new PgdAttack(0.05, 2), 4, NullProgress.Instance, keepExamples: -1));

        using var part = new TinyPartModel(2, taxonomy.NumSegLabels);
        var e = Evaluator.RobustAccuracy(part, data, new PgdAttack(0.05, 2, seed: 1), 4, NullProgress.Instance, keepExamples: 100).Examples!;
        Assert.Equal(5, e.Count);
        using var adv = tensor(e.Adversarial, new long[] { 5, 3, 8, 8 });
        using (no_grad())
        {
            part.eval();
            Assert.Equal(part.ForwardWithParts(adv).PartLogits.argmax(1).data<long>().ToArray(), e.AdversarialMasks);
            Assert.Equal(part.ForwardWithParts(data.Images).PartLogits.argmax(1).data<long>().ToArray(), e.CleanMasks);
        }
    }
}
