using System.CommandLine;
using PartRobust.Runs;
using PartRobust.Runs.Study;

namespace PartRobust.Cli;

/// <summary>The <c>study</c> command: the paper's question as one resumable experiment (<see cref="StudyRunner"/>).</summary>
static class StudyCommand
{
    public static Command Create()
    {
        var d = new StudyConfig();
        var cmd = new Command("study", "Do part labels make a model more robust? Trains ResNet-18, part models with part labels and the same part " +
                                       "architecture without them (c_seg = 0) over several seeds and PartShapes regimes, plus a data-efficiency curve, " +
                                       "and reports paired comparisons with 95% confidence intervals and a verdict. Resumable (--resume DIR).");
        var o = new ExperimentOptions();
        o.AddTo(cmd);
        var seeds = new Option<string?>("--seeds") { Description = $"Training seeds: a count (3 = 0,1,2) or a list (default {d.Seeds.Length})" };
        var regimes = new Option<string?>("--regimes") { Description = $"PartShapes presets compared (default {string.Join(",", d.Regimes)})" };
        var arms = new Option<string?>("--arms") { Description = $"Arms of the main runs (default {string.Join(",", d.Arms)})" };
        var curveArms = new Option<string?>("--curve-arms") { Description = $"Arms of the data-efficiency runs (default {string.Join(",", d.CurveArms)})" };
        var curveRegimes = new Option<string?>("--curve-regimes") { Description = "Regimes of the data-efficiency runs (default: all of --regimes)" };
        var regimeSeeds = new Option<string?>("--regime-seeds") { Description = "Fewer seeds for some regimes, e.g. easy=1 (the first seeds of --seeds; default: every regime runs every seed)" };
        var sizes = new Option<string?>("--train-sizes") { Description = $"Training-set sizes of the data-efficiency curve; the largest is the main runs' (default {string.Join(",", d.TrainSizes)})" };
        var resume = new Option<string?>("--resume") { Description = "Continue the interrupted study whose --out was DIR", HelpName = "DIR" };
        foreach (var x in new Option[] { seeds, regimes, arms, curveArms, curveRegimes, regimeSeeds, sizes, resume }) cmd.Options.Add(x);
        cmd.SetAction(p =>
        {
            if (p.GetValue(resume) is { } dir)
            {
                var saved = StudyConfig.Load(Path.Combine(RunDirectory.PartialPath(dir), "config.json"));
                return Run(saved, dir, p, resume: true);
            }
            var baseline = d.Experiment;
            var experiment = o.Resolve(p, baseline);
            var study = d with { Experiment = experiment };
            if (p.GetValue(seeds) is { } s) study = study with { Seeds = ParseSeeds(s) };
            if (p.GetValue(regimes) is { } r) study = study with { Regimes = ExperimentOptions.Split(r) };
            if (p.GetValue(arms) is { } a) study = study with { Arms = ExperimentOptions.Split(a) };
            if (p.GetValue(curveArms) is { } ca) study = study with { CurveArms = ExperimentOptions.Split(ca) };
            if (p.GetValue(curveRegimes) is { } cr) study = study with { CurveRegimes = ExperimentOptions.Split(cr) };
            if (p.GetValue(regimeSeeds) is { } rs) study = study with { RegimeSeeds = ParseRegimeSeeds(rs) };
            if (p.GetValue(sizes) is { } ts) study = study with { TrainSizes = ParseInts(ts, "--train-sizes") };
            // In a study --autoattack-points applies to the main runs (the data-efficiency runs use PGD only).
            if (p.GetValue(o.AutoAttackPoints) is { } aa) study = study with { AutoAttackPoints = aa };
            if (p.GetValue(o.RobustnessImages) is { } ri) study = study with { RobustnessImages = ri };
            return Run(study, p.GetValue(o.Out) ?? ExperimentOptions.DefaultOut("study"), p, resume: false);
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

    static Dictionary<string, int> ParseRegimeSeeds(string text)
    {
        var d = new Dictionary<string, int>();
        foreach (var item in ExperimentOptions.Split(text))
        {
            var kv = item.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], out int k)) throw new ArgumentException($"--regime-seeds {text}: expected REGIME=COUNT, e.g. easy=1");
            d[kv[0].Trim()] = k;
        }
        return d;
    }

    static long[] ParseSeeds(string text)
    {
        if (!text.Contains(',') && int.TryParse(text, out int count))
            return count >= 1 ? Enumerable.Range(0, count).Select(i => (long)i).ToArray() : throw new ArgumentException($"--seeds {text}: expected a count ≥ 1 or a list");
        return ParseInts(text, "--seeds").Select(i => (long)i).ToArray();
    }

    static int[] ParseInts(string text, string flag)
    {
        try { return ExperimentOptions.Split(text).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{flag} {text}: expected comma-separated integers"); }
    }
}
