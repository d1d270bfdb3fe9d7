using PartRobust.Data;
using PartRobust.Interop;
using PartRobust.Models;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;
using static PartRobust.Tests.Interop.InteropTestFiles;

namespace PartRobust.Tests.Weights;

public class TorchvisionResNetImportTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    static nn.Module<Tensor, Tensor> Create(string name, long seed, int classes = 2)
    {
        manual_seed(seed);
        return ModelRegistry.Create(new ModelSpec(name, classes, Taxonomy.NumSegLabels, 32, 8));
    }

    /// <summary>The model's tensors under torchvision's names (our classifier may keep its trunk under <c>backbone.</c>).</summary>
    static Dictionary<string, Tensor> TorchvisionNames(nn.Module model, string prefix = "") =>
        Clone(model.state_dict().Select(kv => (prefix + (kv.Key.StartsWith("backbone.") ? kv.Key["backbone.".Length..] : kv.Key), kv.Value)));

    [Theory]
    [InlineData("")]
    [InlineData("module.")]
    public void Torchvision_state_dict_imports_into_an_identical_classifier(string prefix)
    {
        string dir = TempDir();
        using var source = Create("resnet18", seed: 1);
        MoveBatchNormStatistics(source, 32);
        var names = TorchvisionNames(source, prefix);
        foreach (var k in new[] { "conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
                     "layer2.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias", "fc.weight", "fc.bias" })
            Assert.Contains(prefix + k, names.Keys); // torchvision's names
        string file = Path.Combine(dir, "resnet18.pth");
        WritePt(file, names);

        using var target = Create("resnet18", seed: 2);
        using var sd = StateDictFile.Read(file);
        var result = TorchvisionResNetImport.ImportClassifier(target, sd, file);
        Assert.Equal(names.Count, result.Filled);
        Assert.Empty(result.Unused);
        target.eval();
        using var x = Input(3, 32);
        using var expected = source.call(x);
        using var got = target.call(x);
        Assert.Equal(expected.data<float>().ToArray(), got.data<float>().ToArray());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Another_class_count_needs_skip_fc_and_old_files_without_batch_counters_load()
    {
        string dir = TempDir();
        using var source = Create("resnet18", seed: 1, classes: 5);
        var names = TorchvisionNames(source).Where(kv => !kv.Key.EndsWith("num_batches_tracked")).ToDictionary(kv => kv.Key, kv => kv.Value);
        string file = Path.Combine(dir, "imagenet.safetensors");
        using (var sd = new StateDict())
        {
            foreach (var (k, v) in names) sd.Add(k, v);
            StateDictFile.Write(file, sd, StateDictFormat.Safetensors);
        }
        using var target = Create("resnet18", seed: 2, classes: 2);
        using var read = StateDictFile.Read(file);
        var e = Assert.Throws<InvalidDataException>(() => TorchvisionResNetImport.ImportClassifier(target, read, file));
        Assert.Contains(file, e.Message);
        Assert.Contains("--skip-fc", e.Message);

        using var fcBefore = target.state_dict()["fc.weight"].clone();
        var result = TorchvisionResNetImport.ImportClassifier(target, read, file, skipFc: true);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, result.Unused);
        Assert.Contains("fc.weight", result.UnusedWarning(file));
        Assert.NotEmpty(result.ZeroedBatchCounters);
        Assert.True(target.state_dict()["fc.weight"].eq(fcBefore).all().item<bool>());
        string conv1 = target.state_dict().Keys.First(k => k.EndsWith("layer3.1.conv2.weight"));
        Assert.True(target.state_dict()[conv1].eq(read["layer3.1.conv2.weight"]).all().item<bool>());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_file_of_another_architecture_is_rejected_naming_the_tensors()
    {
        string dir = TempDir();
        using var source = Create("resnet18", seed: 1);
        var names = TorchvisionNames(source).Where(kv => !kv.Key.StartsWith("layer4.1.")).ToDictionary(kv => kv.Key, kv => kv.Value);
        names["layer1.0.conv3.weight"] = zeros(8, 8, 1, 1);
        string file = Path.Combine(dir, "other.pt");
        WritePt(file, names);
        using var target = Create("resnet18", seed: 2);
        using var read = StateDictFile.Read(file);
        var e = Assert.Throws<InvalidDataException>(() => TorchvisionResNetImport.ImportClassifier(target, read, file));
        Assert.Contains(file, e.Message);
        Assert.Contains("layer4.1.conv1.weight", e.Message);
        Assert.Contains("layer1.0.conv3.weight", e.Message); // listed as unused
        Assert.DoesNotContain('\n', e.Message);

        names = TorchvisionNames(source);
        names["layer1.0.conv1.weight"] = zeros(8, 8, 1, 1);
        WritePt(file, names);
        using var read2 = StateDictFile.Read(file);
        e = Assert.Throws<InvalidDataException>(() => TorchvisionResNetImport.ImportClassifier(target, read2, file));
        Assert.Contains("shape mismatch", e.Message);
        Assert.Contains("layer1.0.conv1.weight [8,8,1,1]", e.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Backbone_import_fills_only_a_part_models_resnet_trunk()
    {
        string dir = TempDir();
        using var source = Create("resnet18", seed: 1);
        MoveBatchNormStatistics(source, 32);
        string file = Path.Combine(dir, "backbone.pt");
        var names = TorchvisionNames(source);
        WritePt(file, names);

        using var part = Create("part-downsampled", seed: 2);
        string trunk = TorchvisionResNetImport.TrunkPrefix(part);
        Assert.StartsWith("segmenter.", trunk);
        var before = part.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var result = TorchvisionResNetImport.ImportBackbone(part, file);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, result.Unused);
        foreach (var (k, v) in part.state_dict())
        {
            var expected = k.StartsWith(trunk) ? names[k[trunk.Length..]] : before[k]; // trunk from the file, the rest untouched
            Assert.True(v.eq(expected).all().item<bool>(), k);
        }
        Assert.Equal(names.Count - 2, result.Filled);
        Directory.Delete(dir, true);
    }
}
