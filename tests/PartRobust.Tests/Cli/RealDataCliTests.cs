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

    static (int Code, string Out, string Err) Run(params string[] args) => TestSupport.CliRunner.Run(args);

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

    /// <summary>A raw PASCAL-Part source of 20 dogs and cats (12×10 JPEGs, head and torso parts) plus one horse.</summary>
    string PascalSource()
    {
        string src = Path.Combine(_root, "src");
        var body = PascalPartSource.Grid("............", "..########..", "..########..", "..########..", "..########..",
            "..########..", "..########..", "..########..", "............", "............");
        var head = PascalPartSource.Grid("............", "..####......", "..####......", "............", "............",
            "............", "............", "............", "............", "............");
        for (int i = 0; i < 20; i++)
        {
            string name = $"2008_{i:D6}";
            PascalPartSource.WriteAnnotation(src, name, new PascalObject(i % 2 == 0 ? "dog" : "cat", body, ("head", head), ("torso", body)));
            PascalPartSource.WriteJpeg(src, name, 12, 10, i);
        }
        PascalPartSource.WriteAnnotation(src, "2008_999999", new PascalObject("horse", body));
        PascalPartSource.WriteJpeg(src, "2008_999999", 12, 10);
        return src;
    }

    [Fact]
    public void Data_prepare_writes_the_folder_that_train_reads_and_prints_the_summary()
    {
        string src = PascalSource(), data = Path.Combine(_root, "prepared");
        var r = Run("data", "prepare", "pascal-part", "--source", src, "--out", data);
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains("| cat | 8 | 1 | 1 | 10 |", r.Out);
        Assert.Contains("| dog | 8 | 1 | 1 | 10 |", r.Out);
        Assert.Contains("| largest object is a horse | 1 |", r.Out);
        Assert.Contains("Annotations_Part/2008_999999.mat: largest object is a horse", File.ReadAllText(Path.Combine(data, "skipped.txt")));
        var mask = PartRobust.Data.ImageIO.DecodeGray(File.ReadAllBytes(Path.Combine(data, "train", "masks", "dog", "2008_000000.png")));
        Assert.Equal((byte)13, mask.Gray[1 * 12 + 2]);  // dog head painted first
        Assert.Equal((byte)15, mask.Gray[5 * 12 + 5]);  // dog body (torso)
        Assert.Equal((byte)0, mask.Gray[0]);

        // Preparing again replaces the folder with identical content; --limit takes the first files.
        var again = Run("data", "prepare", "pascal-part", "--source", src, "--out", data, "--limit", "4");
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(data, "train", "index.csv")).Length - 1
                        + File.ReadAllLines(Path.Combine(data, "val", "index.csv")).Length - 1
                        + File.ReadAllLines(Path.Combine(data, "test", "index.csv")).Length - 1);
        Assert.Empty(Directory.GetDirectories(_root, ".prepared.tmp-*"));
    }

    [Fact]
    public void Data_prepare_bad_flags_are_one_line_errors_and_leave_no_output()
    {
        string src = PascalSource(), outDir = Path.Combine(_root, "out");
        void OneLine((int Code, string Out, string Err) r, string text)
        {
            Assert.Equal(2, r.Code);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.Contains(text, r.Err);
            Assert.DoesNotContain("   at ", r.Err);
            Assert.False(Directory.Exists(outDir));
        }
        OneLine(Run("data", "prepare", "pascal-part", "--source", Path.Combine(_root, "nothing"), "--out", outDir), "--source");
        OneLine(Run("data", "prepare", "imagenet", "--source", src, "--out", outDir), "unknown dataset 'imagenet'");
        OneLine(Run("data", "prepare", "pascal-part", "--source", src, "--out", outDir, "--split", "original"), "original");
        OneLine(Run("data", "prepare", "pascal-part", "--source", src, "--out", outDir, "--limit", "0"), "--limit");
        OneLine(Run("data", "prepare", "cityscapes", "--source", src, "--out", outDir), "leftImg8bit");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "mine.txt"), "keep");
        var r = Run("data", "prepare", "pascal-part", "--source", src, "--out", outDir);
        Assert.Equal(2, r.Code);
        Assert.Contains("not a prepared dataset", r.Err);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(outDir, "mine.txt")));
    }

    [Fact]
    public void A_corrupt_prepared_folder_is_a_one_line_error()
    {
        string data = PreparedFixture.Write(Path.Combine(_root, "pascal"), perSplit: 1);
        File.WriteAllText(Path.Combine(data, "dataset.json"), "{ nope");
        var r = Run("train", "--data", data, "--dataset", "pascal-part", "--out", Path.Combine(_root, "run"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains("dataset.json", r.Err);
        Directory.Delete(data, recursive: true);
        PreparedFixture.Write(data, perSplit: 1);
        File.Delete(Path.Combine(data, "test", "taxonomy.json"));
        r = Run("train", "--data", data, "--out", Path.Combine(_root, "run"));
        Assert.Equal(2, r.Code);
        Assert.Contains("taxonomy.json", r.Err);
        Assert.False(Directory.Exists(Path.Combine(_root, "run")));
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
