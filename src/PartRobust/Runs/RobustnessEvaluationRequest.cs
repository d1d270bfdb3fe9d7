namespace PartRobust.Runs;

/// <summary>What to evaluate.</summary>
public sealed record RobustnessEvaluationRequest
{
    /// <summary>Checkpoints (stem or either file) or run folders (every checkpoint in their <c>checkpoints/</c>, in the run's model order).</summary>
    public required IReadOnlyList<string> Checkpoints { get; init; }
    /// <summary>Dataset folder (its test/ split, or the folder itself when it holds index.csv); null = regenerate the PartShapes test split.</summary>
    public string? DataDir { get; init; }
    /// <summary>Test images loaded (regenerated PartShapes, or a cap on a folder's); null = as trained / all.</summary>
    public int? TestSize { get; init; }
    /// <summary>The suite's settings.</summary>
    public RobustnessConfig Robustness { get; init; } = new();
    /// <summary>Torch device.</summary>
    public string Device { get; init; } = "cpu";
}
