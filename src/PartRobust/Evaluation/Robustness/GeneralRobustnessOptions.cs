using PartRobust.Evaluation.Corruptions;

namespace PartRobust.Evaluation.Robustness;

/// <summary>What <see cref="GeneralRobustnessEvaluator"/> runs.</summary>
public sealed record GeneralRobustnessOptions
{
    /// <summary>Suites to run.</summary>
    public RobustnessSuite Suites { get; init; } = RobustnessSuite.All;

    /// <summary>Test images measured (the first ones of the test set); 0 = all.</summary>
    public int Images { get; init; }

    /// <summary>
    /// Corruption parameter table; null = by image size: CIFAR-10-C's for images of at most 32 px (ImageNet-C's radii and
    /// zooms are made for 224 px and leave nothing of a 32 px image at severity 3 and above), ImageNet-C's otherwise.
    /// </summary>
    public CorruptionTable? Table { get; init; }

    /// <summary>Corruptions by imagecorruptions name; null = all of <see cref="CorruptionRegistry.All"/> (the 15 and the extras).</summary>
    public IReadOnlyList<string>? Corruptions { get; init; }

    /// <summary>Severities 1–5 to run.</summary>
    public IReadOnlyList<int> Severities { get; init; } = [1, 2, 3, 4, 5];

    /// <summary>Seed of every corruption draw and donor choice. Image i's corruption depends only on (seed, corruption, severity, i).</summary>
    public ulong Seed { get; init; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Images per corrupted chunk; null = as many as fit in 256 MB of float32 pixels (tests set it small).</summary>
    internal int? ChunkImages { get; init; }

    /// <summary>The table in effect for images of <paramref name="imageSize"/> px.</summary>
    public CorruptionTable TableFor(int imageSize) => Table ?? (imageSize <= 32 ? CorruptionTable.Cifar10 : CorruptionTable.ImageNet);

    /// <summary>The corruptions in effect.</summary>
    public IReadOnlyList<ICorruption> CorruptionList() =>
        Corruptions is null ? CorruptionRegistry.All : Corruptions.Select(CorruptionRegistry.Get).ToList();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Suites == RobustnessSuite.None) throw new ArgumentException("--suite: at least one suite is needed");
        if (Images < 0) throw new ArgumentException($"--images {Images}: must be ≥ 0 (0 = the whole test set)");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size {BatchSize}: must be ≥ 1");
        if (Severities.Count == 0 || Severities.Any(s => s is < 1 or > 5) || Severities.Distinct().Count() != Severities.Count)
            throw new ArgumentException($"--severities {string.Join(",", Severities)}: expected distinct severities from 1 to 5");
        if (Corruptions is { Count: 0 }) throw new ArgumentException("--corruptions: at least one corruption is needed");
        CorruptionList(); // names the unknown corruption
    }
}
