using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class NewHeadsTrainingTests
{
    [Theory]
    [InlineData("part-pixel", true)]
    [InlineData("part-pixel-fg-softmax", true)]
    [InlineData("part-pixel-fg-logits", true)]
    [InlineData("part-2heads-d", true)]
    [InlineData("part-2heads-e", true)]
    [InlineData("part-downsampled", false)]
    public void One_training_step_through_the_trainer_changes_the_weights(string name, bool background)
    {
        var generator = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = new[] { "Car", "Fish" }, Seed = 3 });
        using var train = generator.Generate(PartShapesSplit.Train, 4);
        using var val = generator.Generate(PartShapesSplit.Val, 2);
        var taxonomy = train.Taxonomy;
        manual_seed(0);
        // As ExperimentRunner builds it: the dataset's part_class map and the background option in the spec.
        using var model = ModelRegistry.Create(new ModelSpec(name, taxonomy.NumClasses, taxonomy.NumSegLabels, 32, Width: 4)
        {
            PartClass = taxonomy.PartClass.ToArray(),
            Background = background,
        });
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var result = Trainer.Train(model, train, val,
            new TrainOptions { CleanEpochs = 1, AdvEpochs = 0, BatchSize = 4, WarmupEpochs = 0 }, NullProgress.Instance, name);
        Assert.Single(result.History);
        Assert.True(double.IsFinite(result.History[0].TrainLoss));
        var after = model.parameters().ToList();
        Assert.Contains(Enumerable.Range(0, before.Count), i => !before[i].eq(after[i]).all().item<bool>());
        using var _ = no_grad();
        var (cls, parts) = ((IPartModel)model).ForwardWithParts(val.Images);
        Assert.Equal(new long[] { 2, taxonomy.NumClasses }, cls.shape);
        Assert.Equal(new long[] { 2, taxonomy.NumSegLabels, 32, 32 }, parts.shape);
    }
}
