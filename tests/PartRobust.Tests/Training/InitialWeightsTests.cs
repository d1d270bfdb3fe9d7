using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class InitialWeightsTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    static ModelSpec Spec(string name = "part-downsampled") => new(name, Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 4);

    static string SaveTrainedLike(string runDir, ModelSpec spec, long seed)
    {
        manual_seed(seed);
        using var model = ModelRegistry.Create(spec);
        model.train();
        using (no_grad()) model.call(rand(4, 3, 32, 32)); // batch-norm statistics away from their initial values
        string stem = Path.Combine(runDir, "checkpoints", spec.Name);
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = Taxonomy });
        return stem;
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static void AssertSameState(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys.OrderBy(k => k), sb.Keys.OrderBy(k => k));
        foreach (var (k, v) in sa) Assert.True(Same(v, sb[k]), k);
    }

    [Fact]
    public void A_run_folder_a_stem_or_a_file_starts_the_model_from_those_exact_weights()
    {
        string run = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));
        string stem = SaveTrainedLike(run, Spec(), seed: 1);
        var (saved, _) = Checkpoint.Load(stem);
        using var _saved = saved;
        foreach (var source in new[] { run, Path.Combine(run, "checkpoints"), stem, stem + ".safetensors" })
        {
            manual_seed(2);
            using var fresh = ModelRegistry.Create(Spec());
            Assert.False(Same(fresh.state_dict()["head.fc2.weight"], saved.state_dict()["head.fc2.weight"]));
            string used = InitialWeights.Load(fresh, source, "part-downsampled");
            Assert.Equal(Path.GetFullPath(stem + ".safetensors"), Path.GetFullPath(used));
            AssertSameState(saved, fresh);
        }
        Directory.Delete(run, recursive: true);
    }

    [Fact]
    public void Another_spec_or_a_missing_checkpoint_is_refused_naming_the_file()
    {
        string run = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));
        SaveTrainedLike(run, Spec(), seed: 1);
        manual_seed(3);
        using var other = ModelRegistry.Create(Spec() with { Background = false }); // head takes K−1 channels
        var before = other.state_dict()["head.fc2.weight"].clone();
        var e = Assert.Throws<InvalidDataException>(() => InitialWeights.Load(other, run, "part-downsampled"));
        Assert.Contains("part-downsampled.safetensors", e.Message);
        Assert.True(Same(other.state_dict()["head.fc2.weight"], before)); // nothing copied

        using var bbox = ModelRegistry.Create(Spec("part-bbox"));
        Assert.Contains("no checkpoint for model 'part-bbox'", Assert.Throws<FileNotFoundException>(() => InitialWeights.Load(bbox, run, "part-bbox")).Message);
        Assert.Contains("--init-from", Assert.Throws<FileNotFoundException>(() => InitialWeights.Resolve("/no/such/run", "part-bbox")).Message);
        Directory.Delete(run, recursive: true);
    }
}
