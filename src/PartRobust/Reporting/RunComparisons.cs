using PartRobust.Evaluation.Statistics;

namespace PartRobust.Reporting;

/// <summary>
/// The paired comparisons a run reports: for every part model trained with part labels whose control arm
/// (<c>NAME:no-part-labels</c>) is in the run, part labels vs no part labels — the effect of part supervision with the
/// architecture fixed — and every part model with part labels vs the run's first plain classifier (the paper's
/// comparison). Each on the clean test set, under PGD and under the headline attack, on the same points, from the
/// per-point outcomes (<see cref="ModelResult.PerPoint"/>): paired bootstrap 95% CI and exact McNemar p.
/// </summary>
public static class RunComparisons
{
    /// <summary>Metric name of clean accuracy in a comparison.</summary>
    public const string CleanMetric = "clean";

    /// <summary>The pairs (a, b) of model keys compared, part-label effects first.</summary>
    public static List<(ModelResult A, ModelResult B)> Pairs(IReadOnlyList<ModelResult> models)
    {
        var pairs = new List<(ModelResult, ModelResult)>();
        var labelled = models.Where(m => m.SegWeight is > 0).ToList();
        foreach (var part in labelled)
            if (models.FirstOrDefault(m => m.Name == part.Name + Models.ModelRegistry.NoPartLabelsSuffix) is { } control) pairs.Add((part, control));
        if (models.FirstOrDefault(m => m.SegWeight is null && !m.Name.StartsWith("part-", StringComparison.Ordinal)) is { } baseline)
            foreach (var part in labelled) pairs.Add((part, baseline));
        return pairs;
    }

    /// <summary>Whether the pair is "part labels vs no part labels".</summary>
    public static bool IsPartLabelEffect(PairedComparison c) => c.B == c.A + Models.ModelRegistry.NoPartLabelsSuffix;

    /// <summary>
    /// The comparisons of <paramref name="models"/> on <see cref="CleanMetric"/>, <c>pgd</c> and
    /// <paramref name="headline"/> (each once; metrics a model lacks per-point outcomes for are skipped).
    /// </summary>
    public static List<PairedComparison> Compute(IReadOnlyList<ModelResult> models, string? headline, ulong seed = 0)
    {
        var metrics = new List<string> { CleanMetric, "pgd" };
        if (headline is not null && !metrics.Contains(headline)) metrics.Add(headline);
        var list = new List<PairedComparison>();
        foreach (var (a, b) in Pairs(models))
            foreach (var metric in metrics)
            {
                var fa = PerPointOutcomes.Decode(a, metric);
                var fb = PerPointOutcomes.Decode(b, metric);
                if (fa is null || fb is null || fa.Length == 0 || fa.Length != fb.Length) continue;
                list.Add(PairedStatistics.PerPoint(a.Name, b.Name, metric, fa, fb, seed: seed));
            }
        return list;
    }

    /// <summary>
    /// The verdict on part supervision: one sentence per part architecture with a control arm, under
    /// <paramref name="headline"/>, naming a direction only when the 95% CI excludes 0; "" when the run has no control arm.
    /// </summary>
    public static string Verdict(IReadOnlyList<PairedComparison> comparisons, IReadOnlyList<ModelResult> models, string? headline)
    {
        var effects = comparisons.Where(c => IsPartLabelEffect(c) && c.Metric == (headline ?? "pgd")).ToList();
        if (effects.Count == 0) effects = comparisons.Where(c => IsPartLabelEffect(c) && c.Metric == "pgd").ToList();
        string Display(string key) => models.FirstOrDefault(m => m.Name == key)?.DisplayName ?? key;
        return string.Join(" ", effects.Select(c =>
        {
            string effect = !c.Significant ? ""
                : c.Difference > 0 ? " Part labels made the model more robust." : " Part labels made the model less robust.";
            return PairedStatistics.Describe(c, Display(c.A), Display(c.B)) + effect;
        }));
    }
}
