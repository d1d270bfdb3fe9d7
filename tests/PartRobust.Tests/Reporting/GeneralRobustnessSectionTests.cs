using System.Text.Json;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;
using PartRobust.Runs;
using Xunit;

namespace PartRobust.Tests.Reporting;

public sealed class GeneralRobustnessSectionTests
{
    static GeneralRobustnessRun Measured() => new(
        [
            new GeneralRobustnessResult
            {
                CleanAccuracy = 0.9,
                Corruptions = new() { ["fog"] = new() { [1] = 0.8, [5] = 0.4 }, ["saturate"] = new() { [1] = 0.9, [5] = 0.7 } },
                CueConflict = new ShapeBiasResult(10, 0, 3, 6),
                Background = new() { ["original"] = 0.9, ["mixed_same"] = 0.8, ["mixed_rand"] = 0.5 },
                Seconds = 2,
            },
            new GeneralRobustnessResult
            {
                CleanAccuracy = 0.8,
                Corruptions = new() { ["fog"] = new() { [1] = 0.7, [5] = 0.6 }, ["saturate"] = new() { [1] = 0.8, [5] = 0.8 } },
                CueConflict = new ShapeBiasResult(10, 0, 0, 0),
                Background = new() { ["original"] = 0.8, ["mixed_same"] = 0.7, ["mixed_rand"] = 0.65 },
                Seconds = 3,
            },
        ], 10, CorruptionTable.Cifar10, ["fog", "saturate"], [1, 5], "method A", "method B", 7);

    static RunReport Report()
    {
        var models = new List<ModelResult> { ReportSamples.Model("resnet18", 0.9, 0.5, part: false), ReportSamples.Model("part-bbox", 0.8, 0.5) };
        var run = Measured();
        var options = new GeneralRobustnessOptions { Corruptions = ["fog", "saturate"], Severities = [1, 5], Seed = 4 };
        var applied = GeneralRobustnessReport.Apply(models, run, GeneralRobustnessReport.ResolveBaseline(null, ["resnet18", "part-bbox"]));
        var report = ReportSamples.Report(100, applied.ToArray());
        return report with { Settings = report.Settings with { GeneralRobustness = GeneralRobustnessReport.Settings(run, options, "resnet18", ["corruption_heatmap.png"]) } };
    }

    [Fact]
    public void Apply_fills_the_per_model_fields_the_issue_names_as_fractions()
    {
        var r = Report();
        var part = r.Models[1];
        Assert.Equal(0.65, part.CorruptionAccuracy!.Value, 12); // fog only: saturate is an extra
        Assert.Equal(new Dictionary<string, double> { ["1"] = 0.7, ["5"] = 0.6 }, part.Corruptions!["fog"]);
        Assert.Equal(0.7 / 0.8, part.Mce!.Value, 12); // (0.3 + 0.4) / (0.2 + 0.6)
        Assert.Equal(1.0, r.Models[0].Mce!.Value, 12);
        Assert.Equal(0.3, r.Models[0].CueConflictAccuracy!.Value, 12);
        Assert.Equal(1 / 3.0, r.Models[0].ShapeBias!.Value, 12);
        Assert.Null(part.ShapeBias); // no shape or texture hit: undefined, not NaN
        Assert.Equal(0.05, part.BgGap!.Value, 12);

        using var doc = JsonDocument.Parse(ReportJson.Serialize(r));
        var m = doc.RootElement.GetProperty("models")[0];
        foreach (var key in new[] { "corruption_accuracy", "corruptions", "cue_conflict_accuracy", "shape_bias", "background", "bg_gap", "mce" })
            Assert.True(m.TryGetProperty(key, out _), key);
        Assert.Equal(0.4, m.GetProperty("corruptions").GetProperty("fog").GetProperty("5").GetDouble());
        Assert.Equal(0.5, m.GetProperty("background").GetProperty("mixed_rand").GetDouble());
        var g = doc.RootElement.GetProperty("settings").GetProperty("general_robustness");
        Assert.Equal("cifar10", g.GetProperty("table").GetString());
        Assert.Equal("resnet18", g.GetProperty("mce_baseline").GetString());
    }

    [Fact]
    public void Markdown_has_the_paper_style_table_with_one_row_per_model()
    {
        string dir = ReportSamples.TempDir();
        try
        {
            string md = ReportWriter.ToMarkdown(dir, Report(), [], "partrobust demo");
            Assert.Contains("## General robustness", md);
            Assert.Contains("| model | clean acc | common corruptions | texture bias (cue-conflict acc) | background bias (Mixed-Rand acc) | mCE | shape bias | BG-gap |", md);
            Assert.Contains("| resnet18 model (`resnet18`) | 90.0% | 60.0% | 30.0% | 50.0% | 1.00 | 33.3% | +30.0 |", md);
            Assert.Contains("| part-bbox model (`part-bbox`) | 80.0% | 65.0% | 0.0% | 65.0% | 0.88 | — | +5.0 |", md);
            Assert.Contains("CIFAR-10-C parameters", md);
            Assert.Contains("| saturate * |", md);
            Assert.Contains("| mixed_rand | foreground on the background of an image of another class | 50.0% | 65.0% |", md);
            Assert.Contains("![corruption heatmap](corruption_heatmap.png)", md);
            // 10 images: ±31.6 points of noise. Corruptions 65.0 vs 60.0 is a tie; nothing here clears the noise.
            Assert.Contains("Highest common-corruption accuracy: part-bbox model (65.0%), 5.0 points above resnet18 model: within the ±31.6-point sampling noise, a tie.", md);
            Assert.Contains("Highest cue-conflict accuracy: resnet18 model (30.0%), 30.0 points above part-bbox model: within the ±31.6-point sampling noise, a tie.", md);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_margin_beyond_the_sampling_noise_is_not_called_a_tie()
    {
        string dir = ReportSamples.TempDir();
        try
        {
            var report = Report();
            report = report with { Settings = report.Settings with { GeneralRobustness = report.Settings.GeneralRobustness! with { Images = 1000 } } };
            string md = ReportWriter.ToMarkdown(dir, report, [], "partrobust demo");
            Assert.Contains("Highest common-corruption accuracy: part-bbox model (65.0%), 5.0 points above resnet18 model, more than the ±3.2-point sampling noise.", md);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Without_the_suite_the_report_has_no_section()
    {
        string dir = ReportSamples.TempDir();
        try
        {
            var report = ReportSamples.Report(100, ReportSamples.Model("resnet18", 0.9, 0.5, part: false));
            Assert.DoesNotContain("General robustness", ReportWriter.ToMarkdown(dir, report, [], "x"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Default_baseline_is_the_first_plain_model()
    {
        Assert.Equal(1, GeneralRobustnessReport.ResolveBaseline(null, ["part-bbox", "resnet50", "resnet18"]));
        Assert.Equal(0, GeneralRobustnessReport.ResolveBaseline(null, ["part-bbox", "part-downsampled"]));
        Assert.Null(GeneralRobustnessReport.ResolveBaseline(null, ["resnet18"]));
        Assert.Null(GeneralRobustnessReport.ResolveBaseline("none", ["resnet18", "part-bbox"]));
        Assert.Equal(1, GeneralRobustnessReport.ResolveBaseline("part-bbox", ["resnet18", "part-bbox"]));
        Assert.Contains("--baseline wat", Assert.Throws<ArgumentException>(() => GeneralRobustnessReport.ResolveBaseline("wat", ["resnet18"])).Message);
    }
}
