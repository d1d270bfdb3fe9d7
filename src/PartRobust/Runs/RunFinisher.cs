using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// How the run commands (<c>train</c>/<c>demo</c>, <c>eval</c>, <c>robustness</c>) end: the accuracy-vs-robust figure,
/// the general-robustness suite with its figures, then report.json, report.md and report.html, then the commit that
/// renames the partial folder into place. Nothing before the commit makes the run folder appear, so a failed run leaves
/// none.
/// </summary>
internal static class RunFinisher
{
    /// <summary>File name of the clean-vs-robust accuracy figure.</summary>
    public const string AccuracyVsRobustFile = "accuracy_vs_robust.png";

    /// <summary>Plots clean against robust accuracy under <paramref name="attack"/> and returns the figure's file name.</summary>
    public static string WriteAccuracyVsRobust(RunDirectory run, IReadOnlyList<ModelResult> results, string attack, double chance)
    {
        Plots.AccuracyVsRobust(results, attack, chance, run.PathOf(AccuracyVsRobustFile));
        return AccuracyVsRobustFile;
    }

    /// <summary>
    /// Runs the general-robustness suite on <paramref name="models"/> (one per result, in the same order) and writes its
    /// figures; returns the results with its fields filled in and the report's settings. Corruption errors are relative
    /// to model <paramref name="baseline"/>, named in the settings by <paramref name="modelNames"/>, when given.
    /// </summary>
    public static (List<ModelResult> Results, RobustnessSettings Settings) MeasureGeneralRobustness(RunDirectory run,
        IReadOnlyList<nn.Module<Tensor, Tensor>> models, IReadOnlyList<ModelResult> results, PartDataset test,
        GeneralRobustnessOptions options, PartShapesGenerator? generator, int? baseline, IReadOnlyList<string> modelNames, IProgressSink progress)
    {
        var measured = GeneralRobustnessEvaluator.Run(models, test, options, progress, results.Select(r => r.DisplayName).ToList(), generator);
        var measuredResults = GeneralRobustnessReport.Apply(results, measured, baseline);
        var figures = GeneralRobustnessFigures.Write(run.WorkPath, measuredResults, test, measured, options);
        return (measuredResults, GeneralRobustnessReport.Settings(measured, options, baseline is { } b ? modelNames[b] : null, figures));
    }

    /// <summary>Writes the report (embedding <paramref name="figures"/>) and commits the run folder.</summary>
    public static RunReport Finish(RunDirectory run, RunReport report, IReadOnlyList<string> figures, string commandLine)
    {
        ReportWriter.Write(run.WorkPath, report, figures, commandLine);
        run.Commit();
        return report;
    }
}
