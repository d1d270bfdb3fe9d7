using PartRobust.Models;

namespace PartRobust.Runs;

/// <summary>What to measure.</summary>
public sealed record BenchmarkRequest
{
    /// <summary>Models by registry name.</summary>
    public required string[] Models { get; init; }
    /// <summary>Image size.</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>Backbone width.</summary>
    public int Width { get; init; } = 16;
    /// <summary>Segmenter of the part models (<see cref="SegmenterRegistry"/> name).</summary>
    public string Segmenter { get; init; } = SegmenterRegistry.Default;
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>PGD steps of the training attack.</summary>
    public int AttackSteps { get; init; } = 10;
    /// <summary>Classes C; the part count follows PartImageNet (40 parts for 11 classes).</summary>
    public int NumClasses { get; init; } = 11;
    /// <summary>Timed steps per measurement.</summary>
    public int Iterations { get; init; } = 10;
    /// <summary>
    /// When set, each model's initial weights, a probe input with its outputs and the settings are written to this
    /// folder (<see cref="BenchmarkTwinFiles"/>), so that another implementation can be checked and timed on the same model.
    /// </summary>
    public string? SaveWeightsDir { get; init; }
}
