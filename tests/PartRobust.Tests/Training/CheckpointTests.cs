using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

public class CheckpointTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    [Theory]
    [InlineData("resnet18")]
    [InlineData("part-downsampled")]
    [InlineData("part-bbox")]
    public void Round_trip_gives_bit_identical_outputs(string name)
    {
        manual_seed(1);
        var spec = new ModelSpec(name, Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 4);
        using var model = ModelRegistry.Create(spec);
        // Move batch-norm statistics away from their initial values so buffers are really tested.
        model.train();
        using (no_grad()) model.call(rand(8, 3, 32, 32) * 0.5f + 0.25f);
        model.eval();
        string stem = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}", name);
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = Taxonomy, Train = new TrainOptions() });
        var x = rand(4, 3, 32, 32);
        using var expected = model.call(x);
        var (loaded, info) = Checkpoint.Load(stem + ".safetensors");
        using (loaded)
        {
            using var got = loaded.call(x);
            Assert.Equal(expected.data<float>().ToArray(), got.data<float>().ToArray());
            Assert.Equal(spec, info.Model);
            Assert.Equal(Taxonomy.PartNames, info.Taxonomy.PartNames);
            Assert.Equal(new TrainOptions().AttackSteps, info.Train!.AttackSteps);
        }
        Directory.Delete(Path.GetDirectoryName(stem)!, recursive: true);
    }

    [Fact]
    public void Bad_checkpoints_give_errors_that_name_the_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string stem = Path.Combine(dir, "m");
        Assert.Contains("m.json", Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(stem)).Message);

        File.WriteAllText(stem + ".json", "{ broken");
        File.WriteAllBytes(stem + ".safetensors", new byte[] { 1, 2, 3 });
        Assert.Contains("m.json", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(stem)).Message);

        // Valid description, weights of another model.
        var spec = new ModelSpec("part-bbox", Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 4);
        using (var other = ModelRegistry.Create(spec with { Name = "resnet18" }))
            Checkpoint.Save(stem, other, new CheckpointInfo { Model = spec with { Name = "resnet18" }, Taxonomy = Taxonomy });
        File.WriteAllText(stem + ".json", File.ReadAllText(stem + ".json").Replace("\"resnet18\"", "\"part-bbox\""));
        Assert.Contains("m.safetensors", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(stem)).Message);
        Directory.Delete(dir, recursive: true);
    }
}
