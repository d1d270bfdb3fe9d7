using System.Text.Json;
using PartRobust.Cli;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Cli;

/// <summary>train/eval on a prepared real-format dataset (a tiny fixture with images of varying sizes).</summary>
[Collection("console")]
public sealed class RealDataCliTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (PartRobustCli.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void Train_on_a_prepared_dataset_streams_crops_and_evaluates_the_checkpoint()
    {
        string data = PreparedFixture.Write(Path.Combine(_root, "pascal"), perSplit: 4);
        string run = Path.Combine(_root, "run");
        var r = Run("train", "--data", data, "--out", run, "--image-size", "32", "--models", "part-downsampled", "--width", "4",
            "--clean-epochs", "1", "--adv-epochs", "1", "--train-attack-steps", "1", "--batch-size", "4", "--attack-points", "4",
            "--autoattack-points", "0", "--pgd-steps", "2", "--pgd-restarts", "1", "--workers", "2", "--semi-label", "0.5");
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains("RandomResizedCrop(32)", r.Out);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            Assert.Equal("pascal-part", config.RootElement.GetProperty("dataset").GetString());
            Assert.Equal(32, config.RootElement.GetProperty("image_size").GetInt32());
            Assert.Equal(0, config.RootElement.GetProperty("test_size").GetInt32());
        }
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json"))))
        {
            var d = report.RootElement.GetProperty("settings");
            Assert.Equal(8, d.GetProperty("train_size").GetInt32());
            Assert.Equal(8, d.GetProperty("test_size").GetInt32());
            Assert.StartsWith("pascal-part:", d.GetProperty("dataset").GetString());
        }

        var eval = Run("eval", "--checkpoint", Path.Combine(run, "checkpoints", "part-downsampled.safetensors"), "--data", data,
            "--out", Path.Combine(_root, "eval"), "--attack-points", "2", "--autoattack-points", "0", "--pgd-steps", "1", "--no-masking-checks");
        Assert.True(eval.Code == 0, eval.Err + eval.Out);
    }

    [Fact]
    public void A_folder_of_another_dataset_is_a_one_line_error()
    {
        string data = PreparedFixture.Write(Path.Combine(_root, "pascal"), perSplit: 1);
        var r = Run("train", "--data", data, "--dataset", "partimagenet", "--out", Path.Combine(_root, "run"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains("holds pascal-part, not partimagenet", r.Err);
        Assert.False(Directory.Exists(Path.Combine(_root, "run")));
    }
}
