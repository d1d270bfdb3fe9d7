using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

/// <summary>In the non-parallel collection: the first test needs initial weights no other test's draws can change.</summary>
[Collection("console")]
public class TrainerRecipeTests
{
    static PartDataset Data(PartShapesSplit split, int n) =>
        new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = new[] { "Car", "Fish" }, Seed = 3 }).Generate(split, n);

    /// <summary>Copies the model's weights when a task whose description contains <paramref name="marker"/> starts.</summary>
    sealed class SnapshotAtStart(nn.Module model, string marker) : IProgressSink
    {
        public Dictionary<string, Tensor>? Weights { get; private set; }
        public IProgressTask Start(string description, long total)
        {
            if (Weights is null && description.Contains(marker)) Weights = TrainingState.CpuCopy(model.state_dict());
            return NullProgress.Instance.Start(description, total);
        }
        public void Log(string message) { }
    }

    static nn.Module<Tensor, Tensor> Model(Dictionary<string, Tensor> init)
    {
        var model = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, 8, 32, 4));
        TrainingState.CopyInto(model, init, "test");
        return model;
    }

    [Fact]
    public void The_adversarial_stage_starts_from_the_selected_clean_weights()
    {
        using var train = Data(PartShapesSplit.Train, 64);
        using var val = Data(PartShapesSplit.Val, 32);
        Dictionary<string, Tensor> init;
        manual_seed(1);
        using (var m = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, 8, 32, 4))) init = TrainingState.CpuCopy(m.state_dict());
        var clean = new TrainOptions { CleanEpochs = 6, AdvEpochs = 0, BatchSize = 16, LearningRate = 1e-2, Seed = 2 };

        using var cleanOnly = Model(init);
        var cleanResult = Trainer.Train(cleanOnly, train, val, clean, NullProgress.Instance, "clean");
        var best = TrainingState.CpuCopy(cleanOnly.state_dict());

        using var twoStage = Model(init);
        var sink = new SnapshotAtStart(twoStage, "trades epoch 1/1");
        var result = Trainer.Train(twoStage, train, val, clean with { AdvEpochs = 1, AdvTrain = AdversarialRecipe.Trades, AttackSteps = 1, ValAttackPoints = 4 }, sink, "two");
        Assert.NotNull(sink.Weights);
        foreach (var (name, t) in best) Assert.True(t.eq(sink.Weights![name]).all().item<bool>(), $"{name} (selected clean epoch {cleanResult.SelectedEpoch})");
        Assert.Equal(cleanResult.History.Select(h => h.ValAccuracy), result.History.Take(6).Select(h => h.ValAccuracy));
        Assert.Equal(7, result.History.Count);
        // Meaningful only when the best clean epoch is not the last one (here val acc 0.5 0.5 0.5 0.5625 0.59375 0.53125).
        Assert.True(cleanResult.SelectedEpoch < 6, string.Join(" ", cleanResult.History.Select(h => h.ValAccuracy)));
    }

    [Fact]
    public void Semi_label_zero_with_seg_weight_one_leaves_no_loss()
    {
        using var train = Data(PartShapesSplit.Train, 16);
        using var val = Data(PartShapesSplit.Val, 4);
        manual_seed(1);
        using var model = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, 8, 32, 4));
        // Every mask dropped and only the segmentation term weighted: nothing to learn from.
        var result = Trainer.Train(model, train, val,
            new TrainOptions { CleanEpochs = 1, AdvEpochs = 0, BatchSize = 8, SegWeight = 1, SemiLabel = 0 }, NullProgress.Instance, "semi");
        Assert.Equal(0, result.History[0].TrainLoss);
        var withLabels = Trainer.Train(model, train, val,
            new TrainOptions { CleanEpochs = 1, AdvEpochs = 0, BatchSize = 8, SegWeight = 1, SemiLabel = 0.5 }, NullProgress.Instance, "semi");
        Assert.True(withLabels.History[0].TrainLoss > 0);
    }
}
