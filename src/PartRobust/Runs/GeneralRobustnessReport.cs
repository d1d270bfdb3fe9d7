using PartRobust.Evaluation.Corruptions;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;

namespace PartRobust.Runs;

/// <summary>Puts a <see cref="GeneralRobustnessRun"/> into report records: the per-model fields and the settings.</summary>
public static class GeneralRobustnessReport
{
    /// <summary>
    /// The default mCE baseline among <paramref name="modelNames"/>: the first model that is not a part model (the
    /// ResNet), else the first model; null with fewer than two models (a model relative to itself says nothing).
    /// </summary>
    public static int? DefaultBaseline(IReadOnlyList<string> modelNames)
    {
        if (modelNames.Count < 2) return null;
        for (int i = 0; i < modelNames.Count; i++)
            if (!ModelArm.Parse(modelNames[i]).IsPartModel) return i;
        return 0;
    }

    /// <summary>
    /// Resolves a <c>--baseline</c> value among <paramref name="modelNames"/> (registry names); null = <see cref="DefaultBaseline"/>,
    /// <c>none</c> = no baseline.
    /// </summary>
    /// <exception cref="ArgumentException">A name that is not one of the models.</exception>
    public static int? ResolveBaseline(string? requested, IReadOnlyList<string> modelNames)
    {
        if (requested is null) return DefaultBaseline(modelNames);
        if (requested == "none") return null;
        int i = modelNames.ToList().IndexOf(requested);
        if (i < 0) throw new ArgumentException($"--baseline {requested}: not one of the evaluated models ({string.Join(", ", modelNames)}) or none");
        return i;
    }

    /// <summary>
    /// <paramref name="results"/> (one per model, in the run's order) with the general-robustness fields filled in; corruption
    /// errors are relative to model <paramref name="baseline"/> when given.
    /// </summary>
    public static List<ModelResult> Apply(IReadOnlyList<ModelResult> results, GeneralRobustnessRun run, int? baseline)
    {
        if (results.Count != run.Results.Count) throw new ArgumentException($"{results.Count} model results but {run.Results.Count} robustness results");
        var list = new List<ModelResult>();
        for (int m = 0; m < results.Count; m++)
        {
            var g = run.Results[m];
            var r = results[m];
            if (g.Corruptions.Count > 0)
            {
                r = r with
                {
                    CorruptionAccuracy = g.CorruptionAccuracy,
                    Corruptions = g.Corruptions.ToDictionary(kv => kv.Key, kv => kv.Value.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(), s => s.Value)),
                };
                if (baseline is { } b && run.Results[b].Corruptions.Count > 0)
                {
                    var ce = CorruptionErrors.Compute(g, run.Results[b]);
                    r = r with
                    {
                        CorruptionErrors = ce.PerCorruption.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.Value),
                        Mce = ce.Mce,
                        RelativeMce = ce.RelativeMce,
                    };
                }
            }
            if (g.CueConflict is { } cue)
                r = r with { CueConflictAccuracy = Finite(cue.ShapeAccuracy), TextureAccuracy = Finite(cue.TextureAccuracy), ShapeBias = Finite(cue.Bias) };
            if (g.Background.Count > 0) r = r with { BackgroundAccuracy = new Dictionary<string, double>(g.Background), BgGap = g.BgGap };
            list.Add(r with { GeneralRobustnessSeconds = g.Seconds });
        }
        return list;
    }

    /// <summary>The settings record of <paramref name="run"/>.</summary>
    public static RobustnessSettings Settings(GeneralRobustnessRun run, GeneralRobustnessOptions options, string? baselineName, List<string>? figures) => new()
    {
        Suites = RobustnessSuites.Describe(options.Suites),
        Images = run.Images,
        Table = run.Table is { } t ? TableName(t) : null,
        Corruptions = run.Corruptions.Count > 0 ? run.Corruptions.ToList() : null,
        Severities = run.Severities.Count > 0 ? run.Severities.ToList() : null,
        Seed = (long)options.Seed,
        MceBaseline = run.Table is null ? null : baselineName,
        CueConflictMethod = run.CueConflictMethod,
        BackgroundMethod = run.BackgroundMethod,
        Figures = figures is { Count: > 0 } ? figures : null,
        Seconds = run.Seconds,
    };

    /// <summary><c>imagenet</c> or <c>cifar10</c>, as <c>--table</c> takes it.</summary>
    public static string TableName(CorruptionTable table) => table == CorruptionTable.Cifar10 ? "cifar10" : "imagenet";

    static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
