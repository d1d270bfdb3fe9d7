using PartRobust.Evaluation.Statistics;

namespace PartRobust.Reporting;

/// <summary>The result of <c>partrobust study</c>: what its <c>report.json</c> holds and its <c>report.md</c> shows.</summary>
public sealed record StudyReport
{
    /// <summary>The study's configuration (regimes, seeds, arms, sizes, recipe).</summary>
    public required System.Text.Json.JsonElement Config { get; init; }
    /// <summary>The key robustness is judged by (<c>worst_case</c> or <c>pgd</c>).</summary>
    public required string HeadlineAttack { get; init; }
    /// <summary>What each evaluation attack key means.</summary>
    public required Dictionary<string, string> EvalAttacks { get; init; }
    /// <summary>Test points (clean accuracy) and points attacked with PGD.</summary>
    public required int TestSize { get; init; }
    /// <summary>Chance accuracy 1/C.</summary>
    public required double ChanceAccuracy { get; init; }
    /// <summary>The sub-runs, in the order they ran.</summary>
    public required List<StudyRunRecord> Runs { get; init; }
    /// <summary>Every arm of every main run (the largest training set), one row per seed.</summary>
    public required List<StudySeedRow> PerSeed { get; init; }
    /// <summary>Means over seeds with 95% t-intervals, per regime and arm, at the main training-set size.</summary>
    public required List<StudyArmSummary> Arms { get; init; }
    /// <summary>Comparisons across seeds (t-interval over the per-seed differences), per regime and training-set size.</summary>
    public required List<StudyComparison> Comparisons { get; init; }
    /// <summary>Per-point comparisons within each seed's main run (paired bootstrap CI, McNemar p).</summary>
    public required List<StudyComparison> PerSeedComparisons { get; init; }
    /// <summary>Clean and PGD accuracy against training-set size, means over seeds with 95% CIs.</summary>
    public required List<StudyCurvePoint> DataEfficiency { get; init; }
    /// <summary>The verdict on part supervision, one sentence per regime and part architecture with a control arm.</summary>
    public required List<string> Verdict { get; init; }
    /// <summary>Figures, relative to the study folder.</summary>
    public required List<string> Figures { get; init; }
    /// <summary>Machine facts and the wall-clock seconds of the whole study (sub-runs' own times summed, resumed runs included).</summary>
    public required RunEnvironment Environment { get; init; }
    /// <summary>Sum of the sub-runs' wall-clock seconds.</summary>
    public required double ComputeSeconds { get; init; }
}

/// <summary>One sub-run of a study.</summary>
public sealed record StudyRunRecord
{
    /// <summary>Folder name under <c>runs/</c>, e.g. <c>natural-seed0-n4000</c>.</summary>
    public required string Name { get; init; }
    /// <summary>PartShapes preset.</summary>
    public required string Regime { get; init; }
    /// <summary>Training seed.</summary>
    public required long Seed { get; init; }
    /// <summary>Training images.</summary>
    public required int TrainSize { get; init; }
    /// <summary>Whether this is a main run (full evaluation) rather than a data-efficiency run.</summary>
    public required bool Main { get; init; }
    /// <summary>Arms trained.</summary>
    public required string[] Models { get; init; }
    /// <summary>Wall-clock seconds of the run (the sum of its sessions when resumed).</summary>
    public required double Seconds { get; init; }
}

/// <summary>One arm of one main run.</summary>
public sealed record StudySeedRow
{
    /// <summary>PartShapes preset.</summary>
    public required string Regime { get; init; }
    /// <summary>Training seed.</summary>
    public required long Seed { get; init; }
    /// <summary>Arm key.</summary>
    public required string Arm { get; init; }
    /// <summary>Display name.</summary>
    public required string DisplayName { get; init; }
    /// <summary>Clean, PGD and headline accuracy, and the general-robustness columns, as fractions (null when not measured).</summary>
    public required Dictionary<string, double?> Metrics { get; init; }
    /// <summary>Part models: validation part mIoU at the end of each training stage.</summary>
    public Dictionary<string, double>? ValPartMiouByStage { get; init; }
    /// <summary>Part models: change of validation part mIoU over the last epoch of each stage (near 0 = levelled off).</summary>
    public Dictionary<string, double>? ValPartMiouLastEpochGain { get; init; }
}

/// <summary>An arm's metrics averaged over seeds, with 95% t-intervals (null with one seed).</summary>
public sealed record StudyArmSummary
{
    /// <summary>PartShapes preset.</summary>
    public required string Regime { get; init; }
    /// <summary>Arm key.</summary>
    public required string Arm { get; init; }
    /// <summary>Display name.</summary>
    public required string DisplayName { get; init; }
    /// <summary>Seeds averaged.</summary>
    public required int Seeds { get; init; }
    /// <summary>Metric → mean over seeds.</summary>
    public required Dictionary<string, double> Mean { get; init; }
    /// <summary>Metric → [low, high] of the 95% t-interval of the mean over seeds.</summary>
    public required Dictionary<string, double[]> Ci { get; init; }
}

/// <summary>A comparison in a regime at a training-set size (across seeds, or within one seed).</summary>
public sealed record StudyComparison
{
    /// <summary>PartShapes preset.</summary>
    public required string Regime { get; init; }
    /// <summary>Training images.</summary>
    public required int TrainSize { get; init; }
    /// <summary>The seed for a per-point comparison within one run; null across seeds.</summary>
    public long? Seed { get; init; }
    /// <summary>The comparison.</summary>
    public required PairedComparison Comparison { get; init; }
}
