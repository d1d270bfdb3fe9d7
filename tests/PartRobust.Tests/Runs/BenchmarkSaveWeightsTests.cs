using System.Text.Json;
using PartRobust.Data;
using PartRobust.Interop;
using PartRobust.Models;
using PartRobust.Runs;
using PartRobust.Tests.TestSupport;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Tests.Runs;

[Collection("console")]
public sealed class BenchmarkSaveWeightsTests
{
    [Fact]
    public void Bench_save_weights_writes_weights_a_probe_that_reloads_and_settings_and_json_writes_the_results()
    {
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-tests", "bench-" + Guid.NewGuid().ToString("N"));
        string weightsDir = Path.Combine(dir, "weights");
        string jsonPath = Path.Combine(dir, "bench.json");
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("bench", "--models", "resnet18", "--image-size", "32", "--batch-size", "2",
                "--train-attack-steps", "1", "--iterations", "1", "--save-weights", weightsDir, "--json", jsonPath);
            Assert.True(code == 0, stderr);
            Assert.Contains("| resnet18 |", stdout);

            string stem = Path.Combine(weightsDir, "resnet18-32px");
            foreach (var suffix in new[] { ".safetensors", ".probe.safetensors", ".json" })
                Assert.True(File.Exists(stem + suffix), $"missing {stem}{suffix}");
            Assert.Equal(3, Directory.GetFiles(weightsDir).Length); // no temporary file left behind

            AssertProbeMatchesReloadedWeights(stem);
            AssertSettings(stem + ".json");
            AssertReport(jsonPath);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Save_weights_and_json_are_refused_with_the_loader_benchmark()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "--loader", "synthetic", "--json", "x.json");
        Assert.Equal(2, code);
        Assert.Contains("--save-weights and --json", stderr);
    }

    static void AssertProbeMatchesReloadedWeights(string stem)
    {
        using var scope = NewDisposeScope();
        var spec = ModelSpec.For("resnet18", PartImageNetTaxonomy.Select(PartImageNetTaxonomy.ClassNames), 32, 16);
        manual_seed(123); // other initial weights than the bench's, so the comparison shows the file was loaded
        using var model = ModelRegistry.Create(spec);
        model.eval();
        using var probe = StateDictFile.Read(stem + ".probe.safetensors");
        Assert.Equal(new[] { "x", "logits" }, probe.Names);
        var x = probe["x"];
        Assert.Equal(new long[] { BenchmarkTwinFiles.ProbeBatch, 3, 32, 32 }, x.shape);
        Assert.True(x.min().item<float>() >= 0 && x.max().item<float>() <= 1);
        Assert.Equal(new long[] { BenchmarkTwinFiles.ProbeBatch, 11 }, probe["logits"].shape);
        using (no_grad())
            Assert.True(model.call(x).sub(probe["logits"]).abs().max().item<float>() > 1e-3, "fresh weights should give other logits");

        using var weights = StateDictFile.Read(stem + ".safetensors");
        var result = WeightTransfer.Apply(model, weights, n => n, stem + ".safetensors");
        Assert.Empty(result.Unused);
        Assert.Empty(result.ZeroedBatchCounters);
        using (no_grad())
        {
            float diff = model.call(x).sub(probe["logits"]).abs().max().item<float>();
            Assert.True(diff <= 1e-6, $"logits of the reloaded weights differ from the probe's by {diff}");
        }
    }

    static void AssertSettings(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var s = doc.RootElement;
        Assert.Equal("resnet18", s.GetProperty("model").GetString());
        Assert.Equal(32, s.GetProperty("image_size").GetInt32());
        Assert.Equal(16, s.GetProperty("width").GetInt32());
        Assert.Equal(11, s.GetProperty("num_classes").GetInt32());
        Assert.Equal(41, s.GetProperty("num_seg_labels").GetInt32());
        Assert.Equal(2, s.GetProperty("batch_size").GetInt32());
        Assert.Equal(1, s.GetProperty("attack_steps").GetInt32());
        Assert.Equal(8.0 / 255, s.GetProperty("epsilon").GetDouble(), 12);
        Assert.Equal(1.25 * 8 / 255, s.GetProperty("step_size").GetDouble(), 12);
        var o = s.GetProperty("optimizer");
        Assert.Equal("adamw", o.GetProperty("name").GetString());
        Assert.Equal(2e-3, o.GetProperty("lr").GetDouble());
        Assert.Equal(5e-4, o.GetProperty("weight_decay").GetDouble());
        Assert.Equal(new[] { 0.9, 0.999 }, o.GetProperty("betas").EnumerateArray().Select(b => b.GetDouble()));
        Assert.Equal(1e-8, o.GetProperty("eps").GetDouble());
        Assert.True(s.GetProperty("clean_train_images_per_second").GetDouble() > 0);
        Assert.True(s.GetProperty("adv_train_images_per_second").GetDouble() > 0);
    }

    static void AssertReport(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        Assert.True(r.GetProperty("matmul_gflops").GetDouble() > 0);
        Assert.Equal(41, r.GetProperty("num_seg_labels").GetInt32());
        Assert.Equal(32, r.GetProperty("settings").GetProperty("image_size").GetInt32());
        Assert.True(r.GetProperty("machine").GetProperty("cores").GetInt32() >= 1);
        var row = Assert.Single(r.GetProperty("models").EnumerateArray());
        Assert.Equal("resnet18", row.GetProperty("name").GetString());
        Assert.True(row.GetProperty("clean_train_images_per_second").GetDouble() > 0);
        Assert.True(row.GetProperty("adv_train_images_per_second").GetDouble() > 0);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }
}
