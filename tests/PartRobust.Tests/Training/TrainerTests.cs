using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class TrainerTests
{
    static PartDataset Data(PartShapesSplit split, int n) =>
        new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = new[] { "Car", "Fish" }, Seed = 3 }).Generate(split, n);

    static double BatchLoss(nn.Module<Tensor, Tensor> model, PartDataset d)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var (c, p) = ((IPartModel)model).ForwardWithParts(d.Images);
        return PartLoss.Compute(c, d.Labels, p, d.Masks, 0.5).item<float>();
    }

    [Theory]
    [InlineData("adamw", 2e-3)]
    [InlineData("sgd", 0.05)]
    public void A_few_training_epochs_reduce_the_joint_loss(string optimizer, double lr)
    {
        using var train = Data(PartShapesSplit.Train, 64);
        using var val = Data(PartShapesSplit.Val, 16);
        manual_seed(0);
        using var model = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, train.Taxonomy.NumSegLabels, 32, 4));
        double before = BatchLoss(model, train);
        var result = Trainer.Train(model, train, val,
            new TrainOptions { CleanEpochs = 4, AdvEpochs = 0, BatchSize = 16, Optimizer = SnakeCaseEnum.Parse<OptimizerKind>(optimizer, "--optimizer"), LearningRate = lr, WarmupEpochs = 0 },
            NullProgress.Instance, "test");
        double after = BatchLoss(model, train);
        Assert.True(after < before, $"loss {before:F3} → {after:F3}");
        Assert.Equal(4, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
    }

    [Fact]
    public void Adversarial_stage_runs_records_val_robust_accuracy_and_throughput()
    {
        using var train = Data(PartShapesSplit.Train, 32);
        using var val = Data(PartShapesSplit.Val, 8);
        manual_seed(0);
        using var model = new TinyPartModel(2, train.Taxonomy.NumSegLabels);
        var result = Trainer.Train(model, train, val,
            new TrainOptions { CleanEpochs = 1, AdvEpochs = 1, BatchSize = 16, AttackSteps = 2, ValAttackPoints = 8 },
            NullProgress.Instance, "test");
        Assert.Equal(new[] { "clean", "pgd" }, result.History.Select(h => h.Stage));
        Assert.Null(result.History[0].ValRobustAccuracy);
        Assert.NotNull(result.History[1].ValRobustAccuracy);
        Assert.True(result.AdvImagesPerSecond > 0);
        Assert.False(model.training);
    }

    [Fact]
    public void Weight_decay_applies_to_weights_but_not_to_biases_or_norm_parameters()
    {
        using var model = new TinyConvClassifier(3);
        var options = new TrainOptions { Optimizer = OptimizerKind.Sgd, WeightDecay = 0.1 };
        using var optimizer = Trainer.CreateOptimizer(model, options);
        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>().ToList();
        Assert.Equal(2, groups.Count);
        Assert.All(groups[0].Parameters, p => Assert.True(p.dim() > 1));
        Assert.All(groups[1].Parameters, p => Assert.True(p.dim() <= 1));
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count()));
    }

    [Fact]
    public void Memory_stays_flat_as_training_runs_longer()
    {
        using var train = Data(PartShapesSplit.Train, 32);
        using var val = Data(PartShapesSplit.Val, 8);
        manual_seed(0);
        using var model = new TinyPartModel(2, train.Taxonomy.NumSegLabels);
        TrainOptions Epochs(int n) => new() { CleanEpochs = n, AdvEpochs = n, BatchSize = 16, AttackSteps = 2, ValAttackPoints = 8 };
        Trainer.Train(model, train, val, Epochs(1), NullProgress.Instance, "warm-up");
        long live0 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Trainer.Train(model, train, val, Epochs(1), NullProgress.Instance, "short");
        long live1 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Trainer.Train(model, train, val, Epochs(4), NullProgress.Instance, "long");
        long live2 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        // Four times the steps must not leave more live tensors behind than one epoch does: nothing
        // accumulates per step, batch or epoch.
        Assert.True(live2 - live1 <= live1 - live0, $"live tensors: {live0} → {live1} (1 epoch/stage) → {live2} (4 epochs/stage)");
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_setting_named()
    {
        Assert.Contains("seg_weight", Assert.Throws<ArgumentException>(() => new TrainOptions { SegWeight = 2 }.Validate()).Message);
        Assert.Contains("--optimizer", Assert.Throws<ArgumentException>(() => SnakeCaseEnum.Parse<OptimizerKind>("rmsprop", "--optimizer")).Message);
        Assert.Contains("epsilon", Assert.Throws<ArgumentException>(() => new TrainOptions { Epsilon = -1 }.Validate()).Message);
    }
}
