using PartRobust.Reporting;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class RunComparisonsTests
{
    static ModelResult Model(string name, double? segWeight, string clean, string pgd) => new()
    {
        Name = name, DisplayName = name, Parameters = 1, TrainSeconds = 1, CleanAccuracy = clean.Count(c => c == '1') / (double)clean.Length,
        CleanAccuracyAttackSubset = 0, RobustAccuracy = new() { ["pgd"] = pgd.Count(c => c == '1') / (double)pgd.Length },
        Checkpoint = "", History = new(), SegWeight = segWeight,
        PerPoint = new() { ["clean"] = clean, ["pgd"] = pgd },
    };

    [Fact]
    public void Part_labels_are_compared_with_their_control_arm_and_the_baseline_on_the_same_points()
    {
        string allRight = new('1', 200), half = string.Concat(Enumerable.Repeat("10", 100));
        var models = new List<ModelResult>
        {
            Model("resnet18", null, allRight, half),
            Model("part-downsampled", 0.5, allRight, allRight),
            Model("part-downsampled:no-part-labels", 0, allRight, half),
        };
        var list = RunComparisons.Compute(models, "pgd");
        Assert.Equal(4, list.Count); // (part, control) and (part, resnet), each on clean and pgd
        var effect = list.Single(c => c.A == "part-downsampled" && c.B == "part-downsampled:no-part-labels" && c.Metric == "pgd");
        Assert.True(RunComparisons.IsPartLabelEffect(effect));
        Assert.Equal(0.5, effect.Difference, 12);
        Assert.Equal(100, effect.OnlyA);
        Assert.Equal(0, effect.OnlyB);
        Assert.True(effect.Significant);
        var clean = list.Single(c => c.B == "part-downsampled:no-part-labels" && c.Metric == "clean");
        Assert.Equal(0, clean.Difference);
        Assert.False(clean.Significant);
        string verdict = RunComparisons.Verdict(list, models, "pgd");
        Assert.Contains("more robust", verdict);
    }

    [Fact]
    public void A_difference_within_the_noise_is_reported_as_no_detectable_difference()
    {
        // 3 of 200 points differ between the arms: a 1.5-point difference that the CI cannot tell from 0.
        string a = new string('1', 103) + new string('0', 97), b = new string('1', 100) + new string('0', 100);
        var models = new List<ModelResult> { Model("part-bbox", 0.5, a, a), Model("part-bbox:no-part-labels", 0, b, b) };
        var list = RunComparisons.Compute(models, "pgd");
        var effect = list.Single(c => c.Metric == "pgd");
        Assert.False(effect.Significant);
        Assert.True(effect.CiLow <= 0 && effect.CiHigh > 0); // all 3 discordant points favour A, so no resample goes below 0
        string verdict = RunComparisons.Verdict(list, models, "pgd");
        Assert.Contains("no detectable difference", verdict);
        Assert.DoesNotContain("more robust", verdict);
        var report = ReportSamples.Report(200) with { Models = models, Comparisons = list, Verdict = verdict };
        string md = ReportWriter.ToMarkdown(Path.GetTempPath(), report, Array.Empty<string>(), "partrobust demo");
        Assert.Contains("## Paired comparisons", md);
        Assert.Contains("(includes 0)", md);
    }
}
