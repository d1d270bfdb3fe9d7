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

/// <summary>
/// The importers and exporter on the paper's real architectures, whose names are smp's and torchvision's: DeepLabV3+
/// with a ResNet-50 encoder at 64 px, torchvision-named ResNets.
/// </summary>
public class PaperModelInteropTests
{
    static readonly PartTaxonomy PartImageNet = PartImageNetTaxonomy.All;

    [Fact]
    public void Authors_downsampled_checkpoint_with_smp_names_imports_into_an_equal_model()
    {
        string dir = TempDir();
        manual_seed(1);
        var spec = new ModelSpec("part-downsampled", PartImageNet.NumClasses, PartImageNet.NumSegLabels, 64, 64) { Segmenter = "deeplabv3plus-resnet50" };
        using var source = ModelRegistry.Create(spec);
        MoveBatchNormStatistics(source, 64);

        // Their names: DDP `module.` → SegClassifier `_model.` (+ ImageNet mean/std) → PoolingModel `_segmenter.` (smp) and `core_model.N.`.
        var head = AuthorsCheckpointImport.DownsampledHead.ToDictionary(kv => kv.Value, kv => kv.Key);
        var theirs = Clone(source.state_dict().Select(kv => ("module._model." + (kv.Key.StartsWith("segmenter.")
            ? "_segmenter." + kv.Key["segmenter.".Length..]
            : $"core_model.{head[kv.Key.Split('.')[1]]}.{kv.Key.Split('.', 3)[2]}"), kv.Value)));
        foreach (var k in new[] { "encoder.conv1.weight", "encoder.layer4.2.conv3.weight", "encoder.layer1.0.downsample.1.running_var",
                     "decoder.aspp.0.convs.0.0.weight", "decoder.aspp.0.convs.1.0.0.weight", "decoder.aspp.0.project.0.weight",
                     "decoder.aspp.1.0.weight", "decoder.block1.0.weight", "decoder.block2.0.0.weight", "segmentation_head.0.weight" })
            Assert.Contains("module._model._segmenter." + k, theirs.Keys); // smp 0.3.0 DeepLabV3Plus names
        Assert.Equal(new long[] { 5 * 41, 41, 4, 4 }, theirs["module._model.core_model.1.weight"].shape);
        theirs["module.mean"] = tensor(ImageNormalization.ImageNetMean).reshape(1, 3, 1, 1);
        theirs["module.std"] = tensor(ImageNormalization.ImageNetStd).reshape(1, 3, 1, 1);
        string file = Path.Combine(dir, "checkpoint_best.pt");
        WritePt(file, new Hashtable { ["state_dict"] = theirs, ["epoch"] = 100, ["best_acc1"] = 0.8 });
        foreach (var t in theirs.Values) t.Dispose();

        string stem = Path.Combine(dir, "downsampled");
        var result = ModelImport.Run(new ModelImportRequest
        {
            Format = ModelImport.SourceFormat.Authors, Input = file, Model = "part-downsampled", Out = stem,
            Dataset = "partimagenet", ImageSize = 64,
        });
        Assert.Equal("deeplabv3plus-resnet50", result.Spec.Segmenter);
        Assert.Empty(result.Warnings);
        var (loaded, info) = Checkpoint.Load(stem);
        using (loaded)
        using (var x = Input(2, 64))
        using (var want = source.call(x))
        using (var got = loaded.call(x))
        {
            Assert.Equal(PartImageNet.PartNames, info.Taxonomy.PartNames);
            Assert.Equal(want.data<float>().ToArray(), got.data<float>().ToArray());
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Exported_resnet_is_a_torchvision_state_dict_that_imports_back()
    {
        string dir = TempDir();
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        manual_seed(3);
        var spec = new ModelSpec("resnet18", taxonomy.NumClasses, taxonomy.NumSegLabels, 32, 8);
        using var model = ModelRegistry.Create(spec);
        MoveBatchNormStatistics(model, 32);
        string stem = Path.Combine(dir, "resnet18");
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = taxonomy });
        string pt = Path.Combine(dir, "resnet18.pt");
        CheckpointExport.Export(stem, pt, StateDictFormat.PyTorch);
        // torchvision's key set (TorchSharp lists a module's parameters before its buffers, so the order differs from
        // PyTorch's state_dict order; load_state_dict goes by name).
        var torchvision = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "TestData", "torchvision_resnet18.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        using (var sd = StateDictFile.Read(pt))
            Assert.True(torchvision.SetEquals(sd.Names), string.Join(", ", sd.Names.Except(torchvision).Concat(torchvision.Except(sd.Names))));

        var result = ModelImport.Run(new ModelImportRequest
        {
            Format = ModelImport.SourceFormat.Torchvision, Input = pt, Model = "resnet18", Out = Path.Combine(dir, "back"),
            Classes = new[] { "Car", "Fish" }, ImageSize = 32, Width = 8,
        });
        Assert.Empty(result.Warnings);
        var (loaded, _) = Checkpoint.Load(Path.Combine(dir, "back"));
        using (loaded)
        using (var x = Input(2, 32))
        using (var want = model.call(x))
        using (var got = loaded.call(x))
            Assert.Equal(want.data<float>().ToArray(), got.data<float>().ToArray());
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("deeplabv3plus-resnet18", "segmenter.encoder.")]
    [InlineData("deeplabv3-resnet18", "segmenter.backbone.")]
    public void Pretrained_backbone_fills_the_segmenters_resnet(string segmenter, string trunk)
    {
        string dir = TempDir();
        manual_seed(4);
        using var imagenet = ModelRegistry.Create(new ModelSpec("resnet18", 1000, 1, 224, 64));
        string file = Path.Combine(dir, "resnet18-imagenet.safetensors");
        using (var view = StateDict.FromModule(imagenet)) StateDictFile.Write(file, view, StateDictFormat.Safetensors);

        using var part = ModelRegistry.Create(new ModelSpec("part-bbox", 11, 41, 64, 64) { Segmenter = segmenter });
        Assert.Equal(trunk, TorchvisionResNetImport.TrunkPrefix(part));
        var result = TorchvisionResNetImport.ImportBackbone(part, file);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, result.Unused);
        var source = imagenet.state_dict();
        int n = 0;
        foreach (var (k, v) in part.state_dict().Where(kv => kv.Key.StartsWith(trunk)))
        {
            Assert.True(v.eq(source[k[trunk.Length..]]).all().item<bool>(), k);
            n++;
        }
        Assert.Equal(source.Count - 2, n);
        Directory.Delete(dir, true);
    }
}
