namespace PartRobust.Data;

/// <summary>Knobs of the <see cref="PartShapesGenerator"/>. All have defaults tuned for 48-pixel CPU demos.</summary>
public sealed record PartShapesOptions
{
    /// <summary>Image height = width in pixels. Default 48; 32–224 supported (geometry scales with the size).</summary>
    public int ImageSize { get; init; } = 48;

    /// <summary>PartImageNet class names to include (see <see cref="PartImageNetTaxonomy.ClassNames"/>); null (default) = all 11.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Probability that an object takes its class's preferred texture family instead of a random one. Default 0.7.</summary>
    public double TextureCorrelation { get; init; } = 0.7;

    /// <summary>Probability that an image takes its class's preferred background family instead of a random one. Default 0.7.</summary>
    public double BackgroundCorrelation { get; init; } = 0.7;

    /// <summary>Master seed; the same seed gives byte-identical datasets. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Standard deviation of additive Gaussian pixel noise (in [0,1] units). Default 0.02.</summary>
    public double NoiseStd { get; init; } = 0.02;

    /// <summary>Probability of a mild 3×3 Gaussian blur of the image (the mask is not blurred). Default 0.3.</summary>
    public double BlurProbability { get; init; } = 0.3;

    /// <summary>Probability that an unlabelled distractor is drawn over the object (occlusion). Default 0.3.</summary>
    public double OcclusionProbability { get; init; } = 0.3;

    /// <summary>Probability that the object is shifted so that it is partly outside the frame (truncation). Default 0.15.</summary>
    public double TruncationProbability { get; init; } = 0.15;

    /// <summary>Maximum number of unlabelled clutter shapes behind the object (0..MaxDistractors, uniform). Default 4.</summary>
    public int MaxDistractors { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid knob.</summary>
    public void Validate()
    {
        if (ImageSize is < 32 or > 224)
            throw new ArgumentException($"ImageSize must be in 32..224, got {ImageSize}.", nameof(ImageSize));
        CheckProbability(TextureCorrelation, nameof(TextureCorrelation));
        CheckProbability(BackgroundCorrelation, nameof(BackgroundCorrelation));
        CheckProbability(BlurProbability, nameof(BlurProbability));
        CheckProbability(OcclusionProbability, nameof(OcclusionProbability));
        CheckProbability(TruncationProbability, nameof(TruncationProbability));
        if (!(NoiseStd >= 0 && NoiseStd <= 0.5))
            throw new ArgumentException($"NoiseStd must be in [0,0.5], got {NoiseStd}.", nameof(NoiseStd));
        if (MaxDistractors is < 0 or > 32)
            throw new ArgumentException($"MaxDistractors must be in 0..32, got {MaxDistractors}.", nameof(MaxDistractors));
        if (Classes is not null) PartImageNetTaxonomy.Select(Classes); // throws on unknown / repeated / empty
    }

    static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name} must be in [0,1], got {p}.", name);
    }
}
