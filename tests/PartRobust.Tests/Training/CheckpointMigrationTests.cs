using PartRobust.Interop;
using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class CheckpointMigrationTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    static string NewStem(string name) => Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}", name);

    [Fact]
    public void Classifier_saved_with_the_old_backbone_prefix_loads_and_gives_identical_outputs()
    {
        manual_seed(2);
        var spec = new ModelSpec("resnet18", Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 4);
        using var model = ModelRegistry.Create(spec);
        model.train();
        using (no_grad()) model.call(rand(4, 3, 32, 32));
        model.eval();
        string stem = NewStem("old");
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = Taxonomy });

        // Rewrite the weights in the layout the first checkpoints had: backbone.conv1.weight, …, fc.weight.
        string weights = stem + ".safetensors";
        RenameKeys(weights, k => k.StartsWith("fc.", StringComparison.Ordinal) ? k : "backbone." + k);
        {
            var keys = SafetensorsLayout.Read(weights).Entries.Select(e => e.Name).ToList();
            Assert.Contains("backbone.layer4.1.bn2.running_var", keys);
            Assert.Contains("fc.weight", keys);
            Assert.DoesNotContain("conv1.weight", keys);
        }

        var x = rand(2, 3, 32, 32);
        using var expected = model.call(x);
        var (loaded, _) = Checkpoint.Load(stem);
        using (loaded)
        {
            Assert.Contains("layer4.1.bn2.running_var", loaded.state_dict().Keys);
            using var got = loaded.call(x);
            Assert.Equal(expected.data<float>().ToArray(), got.data<float>().ToArray());
        }
        Directory.Delete(Path.GetDirectoryName(stem)!, recursive: true);
    }

    [Fact]
    public void Keys_that_fit_neither_layout_are_still_rejected()
    {
        var spec = new ModelSpec("resnet18", Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 4);
        using var model = ModelRegistry.Create(spec);
        string stem = NewStem("bad");
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = Taxonomy });
        string weights = stem + ".safetensors";
        RenameKeys(weights, k => "encoder." + k);
        Assert.Contains("bad.safetensors", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(stem)).Message);
        Directory.Delete(Path.GetDirectoryName(stem)!, recursive: true);
    }

    /// <summary>Rewrites a safetensors file with every tensor renamed (the values unchanged).</summary>
    static void RenameKeys(string weights, Func<string, string> rename)
    {
        using var state = StateDictFile.Read(weights);
        using var renamed = new StateDict();
        foreach (var (name, tensor) in state.Items) renamed.Add(rename(name), tensor.clone());
        StateDictFile.Write(weights, renamed, StateDictFormat.Safetensors);
    }
}
