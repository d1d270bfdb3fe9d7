using System.Text.Json.Serialization;

namespace PartRobust.Evaluation.Statistics;

/// <summary>
/// Comparison of two models evaluated on the same test points: accuracy difference A − B with a 95% confidence
/// interval and a two-sided p-value, either per point (<see cref="PairedStatistics.PerPoint"/>) or across seeds
/// (<see cref="PairedStatistics.AcrossSeeds"/>).
/// </summary>
public sealed record PairedComparison
{
    /// <summary>Key of model A (the minuend).</summary>
    public required string A { get; init; }

    /// <summary>Key of model B (the subtrahend).</summary>
    public required string B { get; init; }

    /// <summary>Metric compared, e.g. <c>clean</c>, <c>pgd</c>, <c>worst_case</c>.</summary>
    public required string Metric { get; init; }

    /// <summary>Number of paired units: points (per-point test) or seeds (across seeds).</summary>
    public required int N { get; init; }

    /// <summary>What <see cref="N"/> counts: <c>points</c> or <c>seeds</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>Accuracy of A as a fraction in [0,1] (mean over seeds for <c>seeds</c>).</summary>
    public double AccuracyA { get; init; }

    /// <summary>Accuracy of B as a fraction in [0,1] (mean over seeds for <c>seeds</c>).</summary>
    public double AccuracyB { get; init; }

    /// <summary>Accuracy A − accuracy B, a fraction in [−1,1].</summary>
    public required double Difference { get; init; }

    /// <summary>Lower end of the 95% CI of <see cref="Difference"/>; null when undefined (e.g. one seed).</summary>
    public double? CiLow { get; init; }

    /// <summary>Upper end of the 95% CI of <see cref="Difference"/>; null when undefined (e.g. one seed).</summary>
    public double? CiHigh { get; init; }

    /// <summary>Two-sided p-value of "no difference"; null when undefined (e.g. one seed).</summary>
    public double? PValue { get; init; }

    /// <summary>One sentence naming how the CI and p were computed.</summary>
    public required string Method { get; init; }

    /// <summary>Per-point comparisons only: number of points A gets right and B gets wrong; else null.</summary>
    public int? OnlyA { get; init; }

    /// <summary>Per-point comparisons only: number of points B gets right and A gets wrong; else null.</summary>
    public int? OnlyB { get; init; }

    /// <summary>True when the 95% CI exists and excludes 0.</summary>
    [JsonIgnore] public bool Significant => CiLow is { } l && CiHigh is { } h && (l > 0 || h < 0);
}
