using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Runs;
using PartRobust.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Runs;

/// <summary>In the non-parallel collection: the training test compares weights that other tests' global draws could change.</summary>
[Collection("console")]
public class ModelArmTests
{
    [Fact]
    public void The_control_arm_is_the_same_architecture_trained_with_c_seg_0()
    {
        var arm = ModelArm.Parse("part-downsampled:no-part-labels");
        Assert.Equal("part-downsampled", arm.Model);
        Assert.True(arm.NoPartLabels);
        var train = new TrainOptions { SegWeight = 0.5 };
        Assert.Equal(0, arm.TrainOptions(train).SegWeight);
        Assert.Equal(0.5, ModelArm.Parse("part-downsampled").TrainOptions(train).SegWeight);
        Assert.Equal("Downsampled part model (no part labels)", arm.DisplayName(train));
        Assert.Equal("Downsampled part model", ModelArm.Parse("part-downsampled").DisplayName(train));
        Assert.Equal("Downsampled part model (no part labels)", ModelArm.Parse("part-downsampled").DisplayName(train with { SegWeight = 0 }));
        Assert.Equal("ResNet-18", ModelArm.Parse("resnet18").DisplayName(train with { SegWeight = 0 }));
        Assert.Equal("part-downsampled.no-part-labels", arm.FileStem);
    }

    [Theory]
    [InlineData("resnet18:no-part-labels", "not a part model")]
    [InlineData("nosuchmodel", "unknown model")]
    public void Bad_arm_keys_are_rejected_with_the_reason(string key, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelArm.Parse(key));
        Assert.Contains(reason, e.Message);
    }

    static PartDataset Data(int n, bool scrambleMasks)
    {
        var d = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = new[] { "Car", "Fish" }, Seed = 3 }).Generate(PartShapesSplit.Train, n);
        if (!scrambleMasks) return d;
        using var scope = NewDisposeScope();
        var masks = d.Masks.flip(1, 2).roll(7, 2); // other part labels on every pixel
        return new PartDataset(d.Images.clone(), masks, d.Labels.clone(), d.Taxonomy);
    }

    static float[] TrainedWeights(double segWeight, bool scrambleMasks)
    {
        using var train = Data(32, scrambleMasks);
        using var val = Data(8, false);
        manual_seed(0);
        using var model = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, train.Taxonomy.NumSegLabels, 32, 4));
        Trainer.Train(model, train, val, new TrainOptions { CleanEpochs = 1, AdvEpochs = 1, BatchSize = 16, SegWeight = segWeight, ValAttackPoints = 0 },
            NullProgress.Instance, "test");
        return model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void With_c_seg_0_the_part_masks_have_no_influence_on_training()
    {
        // The control arm gets no gradient from the part loss: training on other masks gives the very same weights,
        // while with part labels (c_seg = 0.5) the masks change them.
        Assert.Equal(TrainedWeights(0, scrambleMasks: false), TrainedWeights(0, scrambleMasks: true));
        Assert.NotEqual(TrainedWeights(0.5, scrambleMasks: false), TrainedWeights(0.5, scrambleMasks: true));
    }
}
