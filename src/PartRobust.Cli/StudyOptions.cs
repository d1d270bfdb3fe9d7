using System.CommandLine;
using PartRobust.Runs;
using PartRobust.Runs.Study;

namespace PartRobust.Cli;

/// <summary>The flags of <c>study</c>: the experiment flags over the study's own experiment, and the study's design.</summary>
sealed class StudyOptions
{
    static readonly StudyConfig D = new();

    public readonly ExperimentOptions Experiment = new(HelpDefaults());
    readonly Option<string?> seeds = new("--seeds") { Description = $"Training seeds: a count (3 = 0,1,2) or a list (default {D.Seeds.Length})" };
    readonly Option<string?> regimes = new("--regimes") { Description = $"PartShapes presets compared (default {string.Join(",", D.Regimes)})" };
    readonly Option<string?> arms = new("--arms") { Description = $"Arms of the main runs (default {string.Join(",", D.Arms)})" };
    readonly Option<string?> curveArms = new("--curve-arms") { Description = $"Arms of the data-efficiency runs (default {string.Join(",", D.CurveArms)})" };
    readonly Option<string?> curveRegimes = new("--curve-regimes") { Description = "Regimes of the data-efficiency runs (default: all of --regimes)" };
    readonly Option<string?> regimeSeeds = new("--regime-seeds") { Description = "Fewer seeds for some regimes, e.g. easy=1 (the first seeds of --seeds; default: every regime runs every seed)" };
    readonly Option<string?> sizes = new("--train-sizes") { Description = $"Training-set sizes of the data-efficiency curve; the largest is the main runs' (default {string.Join(",", D.TrainSizes)})" };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue the interrupted study whose --out was DIR", HelpName = "DIR" };

    /// <summary>
    /// The study's experiment, with the two settings the study keeps for itself (and gives its main runs, see
    /// <see cref="StudyRunner"/>): the AutoAttack points and the general-robustness images.
    /// </summary>
    static ExperimentConfig HelpDefaults() => D.Experiment with
    {
        Eval = D.Experiment.Eval with { AutoAttackPoints = D.AutoAttackPoints },
        Robustness = D.Experiment.Robustness with { Images = D.RobustnessImages },
    };

    public void AddTo(Command command)
    {
        Experiment.AddTo(command);
        foreach (var x in new Option[] { seeds, regimes, arms, curveArms, curveRegimes, regimeSeeds, sizes, Resume }) command.Options.Add(x);
    }

    /// <summary>The default study, then the experiment flags over its experiment, then the study flags.</summary>
    public StudyConfig Resolve(ParseResult p)
    {
        var study = D with { Experiment = Experiment.Resolve(p, D.Experiment) };
        if (p.GetValue(seeds) is { } s) study = study with { Seeds = ParseSeeds(s) };
        if (p.GetValue(regimes) is { } r) study = study with { Regimes = SharedOptions.Split(r) };
        if (p.GetValue(arms) is { } a) study = study with { Arms = SharedOptions.Split(a) };
        if (p.GetValue(curveArms) is { } ca) study = study with { CurveArms = SharedOptions.Split(ca) };
        if (p.GetValue(curveRegimes) is { } cr) study = study with { CurveRegimes = SharedOptions.Split(cr) };
        if (p.GetValue(regimeSeeds) is { } rs) study = study with { RegimeSeeds = ParseRegimeSeeds(rs) };
        if (p.GetValue(sizes) is { } ts) study = study with { TrainSizes = ParseInts(ts, "--train-sizes") };
        // In a study --autoattack-points applies to the main runs (the data-efficiency runs use PGD only).
        if (p.GetValue(Experiment.AutoAttackPoints) is { } aa) study = study with { AutoAttackPoints = aa };
        if (p.GetValue(Experiment.RobustnessImages) is { } ri) study = study with { RobustnessImages = ri };
        return study;
    }

    static Dictionary<string, int> ParseRegimeSeeds(string text)
    {
        var d = new Dictionary<string, int>();
        foreach (var item in SharedOptions.Split(text))
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
        try { return SharedOptions.Split(text).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{flag} {text}: expected comma-separated integers"); }
    }
}
