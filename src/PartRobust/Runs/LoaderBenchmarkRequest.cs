namespace PartRobust.Runs;

/// <summary>What to measure.</summary>
public sealed class LoaderBenchmarkRequest
{
    /// <summary>A prepared dataset (its train split is read); null = synthetic JPEGs.</summary>
    public string? DataDir { get; init; }
    /// <summary>Output side.</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>Images per measurement.</summary>
    public int Images { get; init; } = 256;
    /// <summary>Batch size of the loader.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Synthetic image width (VOC/ImageNet-like).</summary>
    public int SyntheticWidth { get; init; } = 500;
    /// <summary>Synthetic image height.</summary>
    public int SyntheticHeight { get; init; } = 375;
}
