using System.Text.Json.Nodes;
using PartRobust.Reporting;
using PartRobust.Tests.Reporting;
using PartRobust.Runs;
using PartRobust.Runs.Study;
using PartRobust.Training;
using Xunit;

namespace PartRobust.Tests.Runs;

[Collection("console")]
public class StudyRunnerTests
{
    static StudyConfig Tiny() => new()
    {
        Regimes = ["natural"],
        Seeds = [0],
        Arms = ["resnet18", "part-downsampled", "part-downsampled:no-part-labels"],
        CurveArms = ["part-downsampled", "part-downsampled:no-part-labels"],
        TrainSizes = [16, 24],
        AutoAttackPoints = 0,
        Experiment = new ExperimentConfig
        {
            Classes = ["Car", "Fish"], ValSize = 8, TestSize = 12, AttackPoints = 12, Width = 4,
            Train = new TrainOptions { CleanEpochs = 1, AdvEpochs = 1, BatchSize = 8, ValAttackPoints = 4 },
            Eval = new EvalOptions { PgdSteps = 2, OverlayImages = 0, AdversarialExamples = 0 },
            Robustness = new RobustnessConfig { Suites = "none" },
        },
    };

    /// <summary>report.json without what legitimately differs between sessions: timings and the environment.</summary>
    static string Comparable(string studyDir)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(studyDir, ReportWriter.JsonFileName)))!.AsObject();
        node.Remove("environment");
        node.Remove("compute_seconds");
        foreach (var run in node["runs"]!.AsArray()) run!.AsObject().Remove("seconds");
        return node.ToJsonString();
    }

    [Fact]
    public void An_interrupted_study_resumes_to_the_result_of_an_uninterrupted_one()
    {
        string root = ReportSamples.TempDir();
        try
        {
            string whole = Path.Combine(root, "whole"), cut = Path.Combine(root, "cut");
            var report = StudyRunner.Run(Tiny(), whole, NullProgress.Instance, "partrobust study");
            Assert.Equal(2, report.Runs.Count);
            Assert.Contains(report.Comparisons, c => c.Comparison.A == "part-downsampled" && c.Comparison.B == "part-downsampled:no-part-labels");
            Assert.True(File.Exists(Path.Combine(whole, StudyAggregation.TradeOffFigure)));
            Assert.True(File.Exists(Path.Combine(whole, StudyAggregation.DataEfficiencyFigure)));
            string md = File.ReadAllText(Path.Combine(whole, ReportWriter.MarkdownFileName));
            Assert.Contains("## Verdict", md);
            // report.html beside it with every figure inside the page; each run folder has its TensorBoard logs.
            string html = File.ReadAllText(Path.Combine(whole, ReportWriter.HtmlFileName));
            Assert.Contains("<h2>Verdict</h2>", html);
            int figures = System.Text.RegularExpressions.Regex.Matches(md, @"!\[").Count;
            Assert.True(figures >= 2);
            Assert.Equal(figures, System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/png;base64,").Count);
            foreach (var run in Directory.GetDirectories(Path.Combine(whole, StudyRunner.RunsFolder)))
                Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, TensorBoardOptions.RunFolderName), "events.out.tfevents.*", SearchOption.AllDirectories));

            Assert.Throws<OperationCanceledException>(() => StudyRunner.Run(Tiny(), cut, NullProgress.Instance, "partrobust study", stopAfterRuns: 1));
            Assert.False(Directory.Exists(cut)); // only the partial folder exists until the study finishes
            Assert.True(Directory.Exists(RunDirectory.PartialPath(cut)));
            var again = Assert.Throws<ArgumentException>(() => StudyRunner.Run(Tiny(), cut, NullProgress.Instance, "partrobust study"));
            Assert.Contains("--resume", again.Message);
            StudyRunner.Run(StudyConfig.Load(Path.Combine(RunDirectory.PartialPath(cut), "config.json")), cut, NullProgress.Instance, "partrobust study", resume: true);
            Assert.Equal(Comparable(whole), Comparable(cut));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void The_plan_runs_main_runs_first_and_can_be_scaled_per_regime()
    {
        var study = Tiny() with { Regimes = ["natural", "easy"], Seeds = [0, 1, 2], TrainSizes = [500, 1000, 4000] };
        var plan = StudyRunner.Plan(study);
        Assert.Equal(2 * 3 + 2 * 3 * 2, plan.Count);
        Assert.All(plan.Take(6), p => Assert.True(p.Main && p.TrainSize == 4000 && p.Config.Models.SequenceEqual(study.Arms)));
        Assert.All(plan.Skip(6), p => Assert.True(!p.Main && p.Config.Models.SequenceEqual(study.CurveArms) && p.Config.Robustness.Suites == "none"));
        Assert.All(plan, p => Assert.Equal(p.Regime, p.Config.PartShapes.Preset));
        Assert.All(plan, p => Assert.Equal(p.Seed, p.Config.Train.Seed));
        var reduced = StudyRunner.Plan(study with { RegimeSeeds = new() { ["easy"] = 1 }, CurveRegimes = ["natural"], TrainSizes = [1000, 4000] });
        Assert.Equal(new[] { "natural-seed0-n4000", "natural-seed1-n4000", "natural-seed2-n4000", "easy-seed0-n4000",
                             "natural-seed0-n1000", "natural-seed1-n1000", "natural-seed2-n1000" }, reduced.Select(p => p.Name));
    }

    [Fact]
    public void Bad_study_settings_are_rejected_with_the_flag_named()
    {
        Assert.Contains("--seeds", Assert.Throws<ArgumentException>(() => (Tiny() with { Seeds = [] }).Validate()).Message);
        Assert.Contains("control arm", Assert.Throws<ArgumentException>(() => (Tiny() with { Arms = ["resnet18", "part-bbox"], CurveArms = ["resnet18"] }).Validate()).Message);
        Assert.Contains("--curve-arms", Assert.Throws<ArgumentException>(() => (Tiny() with { CurveArms = ["part-bbox"] }).Validate()).Message);
        Assert.Contains("--regimes", Assert.Throws<ArgumentException>(() => (Tiny() with { Regimes = ["natural", "natural"] }).Validate()).Message);
        Assert.Contains("--regime-seeds", Assert.Throws<ArgumentException>(() => (Tiny() with { RegimeSeeds = new() { ["natural"] = 2 } }).Validate()).Message);
        Assert.Contains("--curve-regimes", Assert.Throws<ArgumentException>(() => (Tiny() with { CurveRegimes = ["easy"] }).Validate()).Message);
    }
}
