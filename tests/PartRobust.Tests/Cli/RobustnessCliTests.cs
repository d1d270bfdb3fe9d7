using System.Text.Json;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Cli;

[Collection("console")]
public sealed class RobustnessCliTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    public RobustnessCliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    static readonly string[] Tiny =
    [
        "--models", "resnet18,part-bbox", "--image-size", "32", "--classes", "Car,Fish,Snake", "--train-size", "48", "--val-size", "16",
        "--test-size", "24", "--attack-points", "0", "--width", "4", "--clean-epochs", "1", "--adv-epochs", "0", "--batch-size", "16",
        "--autoattack-points", "0",
    ];

    static JsonElement Model(JsonDocument doc, int i) => doc.RootElement.GetProperty("models")[i];

    static Dictionary<string, Dictionary<string, double>> Corruptions(JsonElement m) =>
        m.GetProperty("corruptions").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.EnumerateObject().ToDictionary(s => s.Name, s => s.Value.GetDouble()));

    [Fact]
    public void Train_runs_the_suite_and_the_robustness_command_reproduces_it_from_the_checkpoints()
    {
        string run = Path.Combine(_root, "run");
        var t = CliRunner.Run(["train", "--out", run, .. Tiny]);
        Assert.True(t.Code == 0, t.Err);
        using var trained = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        var g = trained.RootElement.GetProperty("settings").GetProperty("general_robustness");
        Assert.Equal(24, g.GetProperty("images").GetInt32()); // the default 100 capped at the 24 test images
        Assert.Equal("cifar10", g.GetProperty("table").GetString()); // 32 px
        Assert.Equal("resnet18", g.GetProperty("mce_baseline").GetString());
        Assert.Equal(19, g.GetProperty("corruptions").GetArrayLength());
        for (int i = 0; i < 2; i++)
        {
            var m = Model(trained, i);
            var corruptions = Corruptions(m);
            Assert.Equal(19, corruptions.Count);
            Assert.All(corruptions.Values, d => Assert.Equal(["1", "2", "3", "4", "5"], d.Keys));
            Assert.All(corruptions.Values.SelectMany(d => d.Values), a => Assert.InRange(a, 0, 1));
            Assert.InRange(m.GetProperty("corruption_accuracy").GetDouble(), 0, 1);
            Assert.InRange(m.GetProperty("cue_conflict_accuracy").GetDouble(), 0, 1);
            Assert.Equal(10, m.GetProperty("background").EnumerateObject().Count()); // 7 from the masks, 3 from the generator
            Assert.InRange(m.GetProperty("bg_gap").GetDouble(), -1, 1);
        }
        Assert.Equal(1.0, Model(trained, 0).GetProperty("mce").GetDouble(), 12);
        string md = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("## General robustness", md);
        Assert.Contains("| Bounding-Box part model (`part-bbox`) |", md);
        foreach (var f in new[] { "corruption_heatmap.png", "corruption_contact_sheet.png" })
        {
            Assert.True(File.Exists(Path.Combine(run, f)), f);
            Assert.Contains($"]({f})", md);
        }

        // The same checkpoints, test images and seed through `robustness` give the same numbers.
        string rob = Path.Combine(_root, "rob");
        var r = CliRunner.Run("robustness", "--checkpoint", run, "--out", rob);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("general robustness on the first 24 test images (CIFAR-10-C table, severities 1,2,3,4,5)", r.Out);
        Assert.Contains("Bounding-Box part model", r.Out);
        using var again = JsonDocument.Parse(File.ReadAllText(Path.Combine(rob, "report.json")));
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(Model(trained, i).GetProperty("name").GetString(), Model(again, i).GetProperty("name").GetString());
            Assert.Equal(Corruptions(Model(trained, i)), Corruptions(Model(again, i)));
            foreach (var key in new[] { "cue_conflict_accuracy", "bg_gap", "mce", "corruption_accuracy", "clean_accuracy" })
                Assert.Equal(Model(trained, i).GetProperty(key).GetDouble(), Model(again, i).GetProperty(key).GetDouble());
        }
        Assert.Contains("## General robustness", File.ReadAllText(Path.Combine(rob, "report.md")));

        // One checkpoint, one corruption at one severity: the same number again, no mCE (nothing to compare with).
        string one = Path.Combine(_root, "one");
        var o = CliRunner.Run("robustness", "--checkpoint", Path.Combine(run, "checkpoints", "part-bbox"), "--suite", "corruptions",
            "--corruptions", "fog", "--severities", "2", "--out", one);
        Assert.True(o.Code == 0, o.Err);
        using var single = JsonDocument.Parse(File.ReadAllText(Path.Combine(one, "report.json")));
        var sm = Model(single, 0);
        Assert.Equal(Corruptions(Model(trained, 1))["fog"]["2"], Corruptions(sm)["fog"]["2"]);
        Assert.Equal(["fog"], Corruptions(sm).Keys);
        Assert.False(sm.TryGetProperty("mce", out var mce) && mce.ValueKind == JsonValueKind.Number);
        Assert.False(sm.TryGetProperty("cue_conflict_accuracy", out var cca) && cca.ValueKind == JsonValueKind.Number);

        // eval can add a suite to its attacks.
        string ev = Path.Combine(_root, "eval");
        var evr = CliRunner.Run("eval", "--checkpoint", Path.Combine(run, "checkpoints", "resnet18"), "--attack-points", "0", "--robustness", "texture", "--out", ev);
        Assert.True(evr.Code == 0, evr.Err);
        using var evalDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ev, "report.json")));
        Assert.Equal(Model(trained, 0).GetProperty("cue_conflict_accuracy").GetDouble(), Model(evalDoc, 0).GetProperty("cue_conflict_accuracy").GetDouble());
        Assert.False(Model(evalDoc, 0).TryGetProperty("corruptions", out var ec) && ec.ValueKind == JsonValueKind.Object);

        // A dataset folder (here an exported PartShapes test split): no generator, so cue conflict comes from the masks.
        string data = Path.Combine(_root, "data");
        var d = CliRunner.Run("data", "generate", "--out", data, "--classes", "Car,Fish,Snake", "--train-size", "6", "--val-size", "3", "--test-size", "9");
        Assert.True(d.Code == 0, d.Err);
        string folder = Path.Combine(_root, "folder");
        var fr = CliRunner.Run("robustness", "--checkpoint", run, "--data", data, "--suite", "texture,background", "--out", folder);
        Assert.True(fr.Code == 0, fr.Err);
        using var folderDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        var fg = folderDoc.RootElement.GetProperty("settings").GetProperty("general_robustness");
        Assert.Equal(9, fg.GetProperty("images").GetInt32());
        Assert.StartsWith("part masks", fg.GetProperty("cue_conflict_method").GetString());
        Assert.Equal(7, Model(folderDoc, 0).GetProperty("background").EnumerateObject().Count()); // no generator variants
        Assert.False(File.Exists(Path.Combine(folder, "corruption_heatmap.png")));

        // Bad input: one line naming the flag, exit 2, no run folder.
        foreach (var (args, text) in new (string[], string)[]
                 {
                     (["--severities", "0-2"], "--severities 0-2"),
                     (["--suite", "colour"], "colour"),
                     (["--corruptions", "rain"], "rain"),
                     (["--baseline", "resnet50"], "--baseline resnet50"),
                     (["--images", "-1"], "--images -1"),
                     (["--table", "mnist"], "--table mnist"),
                 })
        {
            string bad = Path.Combine(_root, "bad");
            var e = CliRunner.Run(["robustness", "--checkpoint", run, "--out", bad, .. args]);
            Assert.Equal(2, e.Code);
            Assert.Single(e.Err.Trim().Split('\n'));
            Assert.Contains(text, e.Err);
            Assert.False(Directory.Exists(bad), string.Join(" ", args));
        }
        var missing = CliRunner.Run("robustness", "--checkpoint", Path.Combine(_root, "nothing"), "--out", Path.Combine(_root, "bad"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("nothing", missing.Err);
    }

    [Fact]
    public void Demo_and_train_can_skip_the_suite()
    {
        string run = Path.Combine(_root, "skip");
        var t = CliRunner.Run(["train", "--out", run, "--robustness", "none", .. Tiny]);
        Assert.True(t.Code == 0, t.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        Assert.False(doc.RootElement.GetProperty("settings").TryGetProperty("general_robustness", out var g) && g.ValueKind == JsonValueKind.Object);
        Assert.DoesNotContain("General robustness", File.ReadAllText(Path.Combine(run, "report.md")));
        var bad = CliRunner.Run(["train", "--out", Path.Combine(_root, "bad"), "--robustness", "colour", .. Tiny]);
        Assert.Equal(2, bad.Code);
        Assert.Contains("colour", bad.Err);
    }
}
