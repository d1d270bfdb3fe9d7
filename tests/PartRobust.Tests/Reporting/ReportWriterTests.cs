using System.Text.Json;
using PartRobust.Reporting;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class ReportWriterTests
{
    [Fact]
    public void Json_round_trip_keeps_values_and_uses_expected_keys()
    {
        string dir = ReportSamples.TempDir();
        var report = ReportSamples.Report(200, ReportSamples.Model("part", 0.9, 0.6, 0.55), ReportSamples.Model("plain", 0.92, 0.5, 0.45, part: false));
        ReportWriter.Write(dir, report, []);

        string path = Path.Combine(dir, "report.json");
        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            JsonElement root = doc.RootElement;
            Assert.True(root.TryGetProperty("settings", out _));
            JsonElement m0 = root.GetProperty("models")[0];
            foreach (string key in new[] { "name", "parameters", "train_seconds", "clean_accuracy", "part_pixel_accuracy", "part_miou" })
                Assert.True(m0.TryGetProperty(key, out _), $"missing key {key}");
            Assert.Equal(0.6, m0.GetProperty("robust_accuracy").GetProperty("pgd").GetDouble());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("models")[1].GetProperty("part_miou").ValueKind);
        }

        RunReport back = ReportWriter.ReadJson(path);
        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(back));
        Assert.Equal("part", back.Models[0].Name);
        Assert.Equal(0.55, back.Models[0].RobustAccuracy["autoattack"]);
        Assert.Equal(4, back.Models[0].History.Count);
        Assert.Null(back.Models[0].History[0].ValRobustAccuracy);
        Assert.Equal(0.55, back.Models[0].PartMiou);
        Assert.Null(back.Models[1].PartPixelAccuracy);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")));
    }

    [Fact]
    public void Architecture_of_each_model_is_in_the_json_and_the_settings_table()
    {
        string dir = ReportSamples.TempDir();
        var spec = new PartRobust.Models.ModelSpec("part-downsampled", 11, 41, 224, 64) { Segmenter = "deeplabv3plus-resnet50", Background = false };
        var part = ReportSamples.Model("part-downsampled", 0.9, 0.6).WithArchitecture(spec);
        var plain = ReportSamples.Model("resnet50", 0.92, 0.5, part: false).WithArchitecture(spec with { Name = "resnet50" });
        Assert.Equal(("deeplabv3plus-resnet50", 64, (bool?)false), (part.Segmenter, part.Width, part.BackgroundChannel));
        Assert.Equal((null, 64, (bool?)null), (plain.Segmenter, plain.Width, plain.BackgroundChannel));
        ReportWriter.Write(dir, ReportSamples.Report(200, part, plain), []);
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        // The paper's segmenter is always full width, so only the ResNet's width is stated.
        Assert.Contains("| architecture | `part-downsampled`: segmenter `deeplabv3plus-resnet50`, background channel dropped; `resnet50`: width 64 |", md);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        Assert.Equal("deeplabv3plus-resnet50", doc.RootElement.GetProperty("models")[0].GetProperty("segmenter").GetString());
    }

    [Fact]
    public void NaN_and_infinity_are_rejected_and_nothing_is_written()
    {
        string dir = ReportSamples.TempDir();
        var bad = ReportSamples.Model("m", double.NaN, 0.5);
        var ex = Assert.Throws<ArgumentException>(() => ReportWriter.Write(dir, ReportSamples.Report(100, bad), []));
        Assert.Contains("clean_accuracy", ex.Message);
        Assert.False(File.Exists(Path.Combine(dir, "report.json")));
        Assert.False(File.Exists(Path.Combine(dir, "report.md")));

        var badHistory = ReportSamples.Model("m", 0.5, 0.5);
        badHistory.History[1] = badHistory.History[1] with { TrainLoss = double.PositiveInfinity };
        ex = Assert.Throws<ArgumentException>(() => ReportWriter.Write(dir, ReportSamples.Report(100, badHistory), []));
        Assert.Contains("train_loss", ex.Message);

        var badRobust = ReportSamples.Model("m", 0.5, double.NaN);
        Assert.Throws<ArgumentException>(() => ReportJson.Serialize(ReportSamples.Report(100, badRobust)));
    }

    [Fact]
    public void ReadJson_rejects_garbage()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "report.json");
        File.WriteAllText(path, "{\"settings\": 3}");
        Assert.Throws<InvalidDataException>(() => ReportWriter.ReadJson(path));
    }

    [Fact]
    public void Clear_win_is_reported_as_a_win()
    {
        // n = 100 → noise threshold 10 points; gap 20 points.
        var report = ReportSamples.Report(100, ReportSamples.Model("a", 0.9, 0.40), ReportSamples.Model("b", 0.9, 0.60));
        string s = HeadlineRanking.WinnerSentence(report);
        Assert.StartsWith("Winner: b model", s);
        Assert.Contains("60.0%", s);
        Assert.DoesNotContain("tied", s);
    }

    [Fact]
    public void Gap_within_noise_is_reported_as_a_tie()
    {
        // n = 100 → threshold 10 points; gap 5 points.
        var report = ReportSamples.Report(100, ReportSamples.Model("a", 0.9, 0.45), ReportSamples.Model("b", 0.9, 0.50),
            ReportSamples.Model("c", 0.9, 0.20));
        string s = HeadlineRanking.WinnerSentence(report);
        Assert.StartsWith("No clear winner", s);
        Assert.Contains("b model (50.0%) and a model (45.0%) are tied", s);
        Assert.DoesNotContain("c model", s);

        // The same gap is a win with 10 000 attacked points (threshold 1 point).
        var big = ReportSamples.Report(10_000, ReportSamples.Model("a", 0.9, 0.45), ReportSamples.Model("b", 0.9, 0.50));
        Assert.StartsWith("Winner: b model", HeadlineRanking.WinnerSentence(big));
    }

    [Fact]
    public void Winner_is_decided_under_the_strongest_attack()
    {
        // a wins under pgd, b wins under autoattack (lower accuracies → the stronger attack).
        var report = ReportSamples.Report(400, ReportSamples.Model("a", 0.9, 0.70, aa: 0.30), ReportSamples.Model("b", 0.9, 0.60, aa: 0.50));
        Assert.Equal("autoattack", ReportWriter.StrongestAttack(report.Models));
        Assert.StartsWith("Winner: b model", HeadlineRanking.WinnerSentence(report));
    }

    [Fact]
    public void Robust_accuracy_near_chance_is_flagged()
    {
        var report = ReportSamples.Report(100, ReportSamples.Model("a", 0.9, 0.26), ReportSamples.Model("b", 0.9, 0.05));
        string s = HeadlineRanking.WinnerSentence(report);
        Assert.Contains("not clearly above chance", s);
    }

    [Fact]
    public void Markdown_has_tables_chance_winner_figures_and_reproduction()
    {
        string dir = ReportSamples.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "figures"));
        string fig = Path.Combine(dir, "figures", "accuracy_vs_robust.png");
        File.WriteAllBytes(fig, [1]);
        var report = ReportSamples.Report(100, ReportSamples.Model("part", 0.9, 0.6, 0.5), ReportSamples.Model("plain", 0.9, 0.3, 0.2, part: false));
        ReportWriter.Write(dir, report, [fig], "partrobust train --config config.json --out runs/x");
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));

        Assert.StartsWith("# PartRobust run report", md);
        Assert.Contains("## Settings", md);
        Assert.Contains("| model | params | train time | clean acc |", md);
        Assert.Contains("robust acc (pgd)", md);
        Assert.Contains("robust acc (autoattack)", md);
        Assert.Contains("| 90.0% |", md);
        Assert.Contains("| 80.0% | 55.0% |", md);     // part metrics of the part model
        Assert.Contains("| — | — |", md);           // none for the plain model
        Assert.Contains("Chance level", md);
        Assert.Contains("25.0%", md);
        Assert.Contains("Winner: part model", md);
        Assert.Contains("](figures/accuracy_vs_robust.png)", md);
        Assert.Contains("partrobust train --config config.json --out runs/x", md);
        Assert.Contains("config.json", md);
    }

    [Fact]
    public void Adversarial_examples_get_a_section_in_markdown_and_their_file_names_in_json()
    {
        string dir = ReportSamples.TempDir();
        var part = ReportSamples.Model("part", 0.9, 0.6) with
        {
            AdversarialExamplesFigure = "adversarial_part.png", AdversarialExamplesTensors = "adversarial_part.safetensors", AdversarialExamplesAttack = "pgd",
        };
        var report = ReportSamples.Report(100, part, ReportSamples.Model("plain", 0.9, 0.3, part: false));
        ReportWriter.Write(dir, report, []);

        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("## Adversarial examples", md);
        Assert.Contains("![adversarial examples: part model under pgd](adversarial_part.png)", md);
        Assert.Contains("](adversarial_part.safetensors)", md);
        Assert.DoesNotContain("adversarial_plain", md);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var models = doc.RootElement.GetProperty("models");
        Assert.Equal("adversarial_part.png", models[0].GetProperty("adversarial_examples_figure").GetString());
        Assert.Equal("pgd", models[0].GetProperty("adversarial_examples_attack").GetString());
        Assert.Equal(JsonValueKind.Null, models[1].GetProperty("adversarial_examples_figure").ValueKind);
        Assert.False(models[0].TryGetProperty("examples", out _));

        // Without any figure there is no section.
        Assert.DoesNotContain("## Adversarial examples", ReportWriter.ToMarkdown(dir, ReportSamples.Report(100, ReportSamples.Model("x", 0.9, 0.5)), [], "cmd"));
    }
}
