namespace PartRobust.Runs;

/// <summary>What to generate.</summary>
public sealed record DatasetExportRequest
{
    /// <summary>Image size in pixels.</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>Class subset; null = all 11.</summary>
    public string[]? Classes { get; init; }
    /// <summary>Training images.</summary>
    public int TrainSize { get; init; } = 4000;
    /// <summary>Validation images.</summary>
    public int ValSize { get; init; } = 500;
    /// <summary>Test images (and per test variant).</summary>
    public int TestSize { get; init; } = 1000;
    /// <summary>Seed.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>The regime (preset and overrides), as a run's config gives it; the default is the demo's.</summary>
    public PartShapesConfig PartShapes { get; init; } = new();
    /// <summary>Also write the four test variants.</summary>
    public bool Variants { get; init; }
}
