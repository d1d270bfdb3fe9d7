using System.Collections;
using PartRobust.Data;
using PartRobust.Interop;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;
using static PartRobust.Tests.Interop.InteropTestFiles;

namespace PartRobust.Tests.Interop;

public class AuthorsCheckpointImportTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    [Theory]
    // SegClassifier(PoolingModel) under DDP (code since Dec 2022).
    [InlineData("module._model._segmenter.encoder.layer1.0.conv1.weight", "part-downsampled", "segmenter.encoder.layer1.0.conv1.weight")]
    [InlineData("module._model._segmenter.segmentation_head.0.bias", "part-downsampled", "segmenter.segmentation_head.0.bias")]
    [InlineData("module._model.core_model.1.weight", "part-downsampled", "head.conv.weight")]
    [InlineData("module._model.core_model.2.running_var", "part-downsampled", "head.bn2d.running_var")]
    [InlineData("module._model.core_model.5.weight", "part-downsampled", "head.fc1.weight")]
    [InlineData("module._model.core_model.6.num_batches_tracked", "part-downsampled", "head.bn1d.num_batches_tracked")]
    [InlineData("module._model.core_model.8.bias", "part-downsampled", "head.fc2.bias")]
    [InlineData("module.mean", "part-downsampled", null)]
    [InlineData("module.std", "part-bbox", null)]
    // SegClassifier(WeightedBBoxModel).
    [InlineData("module._model.segmenter.decoder.aspp.0.convs.1.0.0.weight", "part-bbox", "segmenter.decoder.aspp.0.convs.1.0.0.weight")]
    [InlineData("module._model.core_model.2.running_mean", "part-bbox", "head.bn_in.running_mean")]
    [InlineData("module._model.core_model.3.weight", "part-bbox", "head.fc1.weight")]
    [InlineData("module._model.core_model.5.weight", "part-bbox", "head.bn_hidden.weight")]
    [InlineData("module._model.core_model.6.bias", "part-bbox", "head.fc2.bias")]
    // Code before Dec 2022: the part model unwrapped, its segmenter nn.Sequential(Normalize, smp model).
    [InlineData("module.segmenter.0.mean", "part-bbox", null)]
    [InlineData("module.segmenter.1.decoder.block1.0.weight", "part-bbox", "segmenter.decoder.block1.0.weight")]
    [InlineData("module.core_model.3.weight", "part-bbox", "head.fc1.weight")]
    // torchvision DeepLabV3 segmenter (--seg-arch deeplabv3).
    [InlineData("module._model.segmenter.backbone.layer4.2.bn3.weight", "part-bbox", "segmenter.backbone.layer4.2.bn3.weight")]
    [InlineData("module._model.segmenter.classifier.4.weight", "part-bbox", "segmenter.classifier.4.weight")]
    [InlineData("module._model.segmenter.encoder.conv1.weight", "part-pixel-fg-softmax", "segmenter.encoder.conv1.weight")]
    // The ResNet baseline: Classifier(timm resnet), and nn.Sequential(Normalize, resnet) before Dec 2022.
    [InlineData("module._model.layer2.0.downsample.0.weight", "resnet18", "layer2.0.downsample.0.weight")]
    [InlineData("module._model.fc.weight", "resnet18", "fc.weight")]
    [InlineData("module.1.bn1.bias", "resnet18", "bn1.bias")]
    [InlineData("module.0.std", "resnet18", null)]
    [InlineData("module._model.core_model.layer3.1.bn2.running_mean", "part-mask", "head.resnet.layer3.1.bn2.running_mean")]
    // Layers with no parameters or unknown to the table stay as they are (so they are reported unused).
    [InlineData("module._model.core_model.4.weight", "part-downsampled", "core_model.4.weight")]
    public void Authors_names_map_to_ours(string theirs, string model, string? ours) =>
        Assert.Equal(ours, AuthorsCheckpointImport.MapName(theirs, model));

    /// <summary>Our name → the authors' (inverse of the table under test, for building their checkpoints).</summary>
    static string Theirs(string ours, string model, bool oldLayout)
    {
        var table = model == "part-bbox" ? AuthorsCheckpointImport.BoundingBoxHead : AuthorsCheckpointImport.DownsampledHead;
        string inner;
        if (ours.StartsWith("segmenter."))
            inner = oldLayout ? "segmenter.1." + ours["segmenter.".Length..]
                : (model == "part-downsampled" ? "_segmenter." : "segmenter.") + ours["segmenter.".Length..];
        else if (model == "part-mask")
            inner = "core_model." + ours["head.resnet.".Length..];
        else
        {
            var parts = ours.Split('.', 3); // head.LAYER.param
            inner = $"core_model.{table.Single(kv => kv.Value == parts[1]).Key}.{parts[2]}";
        }
        return oldLayout ? "module." + inner : "module._model." + inner;
    }

    static Tensor Stat(float[] v) => tensor(v).reshape(1, 3, 1, 1);

    static Hashtable AuthorsCheckpoint(nn.Module model, string name, bool oldLayout, float[]? mean = null)
    {
        var sd = Clone(model.state_dict().Select(kv => (Theirs(kv.Key, name, oldLayout), kv.Value)));
        string normalizer = oldLayout ? "module.segmenter.0." : "module.";
        sd[normalizer + "mean"] = Stat(mean ?? ImageNormalization.ImageNetMean);
        sd[normalizer + "std"] = Stat(ImageNormalization.ImageNetStd);
        return new Hashtable
        {
            ["epoch"] = 50,
            ["state_dict"] = sd,
            ["optimizer"] = new Hashtable { ["state"] = new Hashtable { [0] = new Hashtable { ["momentum_buffer"] = zeros(3) } }, ["param_groups"] = new ArrayList() },
            ["scaler"] = new Hashtable { ["scale"] = 65536.0, ["growth_factor"] = 2.0 },
            ["best_acc1"] = 0.61,
        };
    }

    [Theory]
    [InlineData("part-downsampled", false)]
    [InlineData("part-bbox", false)]
    [InlineData("part-bbox", true)]
    [InlineData("part-pixel", false)] // PixelCountModel: segmenter in `segmenter`, no head parameters
    [InlineData("part-mask", false)]  // PartMaskModel: a timm ResNet on the masks in `core_model`
    public void Authors_checkpoint_imports_into_an_equal_model(string name, bool oldLayout)
    {
        string dir = TempDir();
        manual_seed(1);
        var spec = new ModelSpec(name, Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 8) { PartClass = Taxonomy.PartClass.ToArray() };
        using var source = ModelRegistry.Create(spec);
        MoveBatchNormStatistics(source, 32);
        string file = Path.Combine(dir, "checkpoint_best.pt");
        WritePt(file, AuthorsCheckpoint(source, name, oldLayout));

        manual_seed(2);
        string stem = Path.Combine(dir, "imported");
        var result = ModelImport.Run(new ModelImportRequest
        {
            Format = ModelImport.SourceFormat.Authors, Input = file, Model = name, Out = stem, Segmenter = "compact",
            Classes = new[] { "Fish", "Car" }, ImageSize = 32, Width = 8,
        });
        Assert.Equal("state_dict", result.Entry);
        Assert.Empty(result.Warnings);
        Assert.Equal(source.state_dict().Count, result.Transfer.Filled);
        Assert.Equal(spec, result.Spec with { PartClass = spec.PartClass });

        var (loaded, info) = Checkpoint.Load(stem);
        using (loaded)
        {
            Assert.Equal(Taxonomy.ClassNames, info.Taxonomy.ClassNames);
            Assert.Equal(new[] { "Car", "Fish" }, info.Config!.Value.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("authors", info.Config!.Value.GetProperty("imported_from").GetProperty("format").GetString());
            using var x = Input(3, 32);
            using var expected = source.call(x);
            using var got = loaded.call(x);
            Assert.Equal(expected.data<float>().ToArray(), got.data<float>().ToArray());
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Sizes_are_read_from_the_file_and_contradictions_rejected()
    {
        string dir = TempDir();
        manual_seed(1);
        var spec = new ModelSpec("part-downsampled", Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 8);
        using var source = ModelRegistry.Create(spec);
        string file = Path.Combine(dir, "ckpt.pth");
        WritePt(file, AuthorsCheckpoint(source, "part-downsampled", oldLayout: false));
        ModelImportRequest Req() => new()
        {
            Format = ModelImport.SourceFormat.Authors, Input = file, Model = "part-downsampled", Out = Path.Combine(dir, "m"),
            Segmenter = "compact", ImageSize = 32, Width = 8,
        };

        // No taxonomy given: generic names with C and K read from the file (K from the head's conv: the compact
        // segmenter's last layer has another name than smp's).
        var generic = ModelImport.Run(Req() with { NumSegLabels = Taxonomy.NumSegLabels });
        Assert.Equal(new[] { "class 0", "class 1" }, generic.Taxonomy.ClassNames);
        Assert.Equal(Taxonomy.NumSegLabels, generic.Taxonomy.NumSegLabels);

        var e = Assert.Throws<InvalidDataException>(() => ModelImport.Run(Req() with { Dataset = "partimagenet" }));
        Assert.Contains("2 classes, the model 11", e.Message);
        Assert.Contains(file, e.Message);
        Assert.Contains("--num-classes 3", Assert.Throws<ArgumentException>(() => ModelImport.Run(Req() with { Classes = new[] { "Car", "Fish" }, NumClasses = 3 })).Message);
        Assert.Contains("--format torchvision", Assert.Throws<ArgumentException>(() => ModelImport.Run(Req() with { Format = ModelImport.SourceFormat.Torchvision })).Message);

        // Another normaliser, or two, cannot be reproduced by our models.
        WritePt(file, AuthorsCheckpoint(source, "part-downsampled", oldLayout: false, mean: new[] { 0.5f, 0.5f, 0.5f }));
        Assert.Contains("expected ImageNet's", Assert.Throws<InvalidDataException>(() => ModelImport.Run(Req() with { NumSegLabels = 8 })).Message);
        var both = AuthorsCheckpoint(source, "part-downsampled", oldLayout: false);
        ((Dictionary<string, Tensor>)both["state_dict"]!)["module._model._segmenter.0.mean"] = Stat(ImageNormalization.ImageNetMean);
        WritePt(file, both);
        Assert.Contains("normalises twice", Assert.Throws<InvalidDataException>(() => ModelImport.Run(Req() with { NumSegLabels = 8 })).Message);
        Directory.Delete(dir, true);
    }
}
