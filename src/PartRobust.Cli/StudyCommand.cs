using System.CommandLine;
using PartRobust.Runs;
using PartRobust.Runs.Study;

namespace PartRobust.Cli;

/// <summary>The <c>study</c> command: the paper's question as one resumable experiment (<see cref="StudyRunner"/>).</summary>
static class StudyCommand
{
    public static Command Create()
    {
        var cmd = new Command("study", "Do part labels make a model more robust? Trains ResNet-18, part models with part labels and the same part " +
                                       "architecture without them (c_seg = 0) over several seeds and PartShapes regimes, plus a data-efficiency curve, " +
                                       "and reports paired comparisons with 95% confidence intervals and a verdict. Resumable (--resume DIR).");
        var o = new StudyOptions();
        o.AddTo(cmd);
        cmd.SetAction(p =>
        {
            if (p.GetValue(o.Resume) is { } dir)
            {
                var saved = StudyConfig.Load(Path.Combine(RunDirectory.PartialPath(dir), "config.json"));
                return Run(saved, dir, p, resume: true);
            }
            return Run(o.Resolve(p), p.GetValue(o.Experiment.Out) ?? SharedOptions.DefaultOut("study"), p, resume: false);
        });
        return cmd;
    }

    static int Run(StudyConfig study, string outDir, ParseResult p, bool resume)
    {
        study.Validate();
        Reporting.StudyReport? report = null;
        string command = "partrobust " + string.Join(' ', p.Tokens.Select(t => t.Value));
        int rc = ConsoleProgress.Run(sink => { report = StudyRunner.Run(study, outDir, sink, command, resume); return 0; });
        if (report is null) return rc;
        Console.WriteLine();
        foreach (var v in report.Verdict) Console.WriteLine(v);
        Console.WriteLine($"study: {report.Runs.Count} runs, {report.ComputeSeconds:F0}s. Report: {Path.Combine(outDir, "report.md")}");
        return rc;
    }
}
