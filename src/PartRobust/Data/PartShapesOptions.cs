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

    /// <summary>
    /// Size of the object's layout unit as a fraction of the image side (±12% per image). Default 0.45: objects
    /// cover about a quarter of the image, so every part has enough pixels to learn at 32 px.
    /// </summary>
    public double ObjectScale { get; init; } = 0.45;

    /// <summary>
    /// Minimum difference in brightness (HSV value, 0–1) between every part and the background. Default 0.3, ten
    /// times the usual L∞ radius 8/255, so that robust features exist and adversarial training can find them.
    /// </summary>
    public double ForegroundSeparation { get; init; } = 0.3;

    /// <summary>Probability that an unlabelled distractor is drawn over the object (occlusion). Default 0.3.</summary>
    public double OcclusionProbability { get; init; } = 0.3;

    /// <summary>Probability that the object is shifted so that it is partly outside the frame (truncation). Default 0.15.</summary>
    public double TruncationProbability { get; init; } = 0.15;

    /// <summary>Maximum number of unlabelled clutter shapes behind the object (0..MaxDistractors, uniform). Default 2.</summary>
    public int MaxDistractors { get; init; } = 2;

    /// <summary>
    /// When an object wears its class's preferred texture family, its parts also take the class's hue
    /// (<see cref="PartShapesGenerator.PreferredTextureHue"/> ± <see cref="HueSpread"/>), so "texture" means pattern and
    /// colour together, as in the style of a natural image. Default false (hues drawn from a pool shared by all classes).
    /// </summary>
    public bool TextureHues { get; init; }

    /// <summary>As <see cref="TextureHues"/> for the class's preferred background family. Default false.</summary>
    public bool BackgroundHues { get; init; }

    /// <summary>Half-range of the hue around a class hue (hue in 0–1). Default 0.03.</summary>
    public double HueSpread { get; init; } = 0.03;

    /// <summary>
    /// Smallest width in pixels of the capsule, ellipse and ring primitives that parts are drawn with (limbs, tails,
    /// feet, mirrors, tyres); 0 = as the layout draws them, which leaves thin parts 1–2 px wide at 32 px. Default 0.
    /// </summary>
    public double MinPartWidth { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid knob.</summary>
    public void Validate()
    {
        if (ImageSize is < 32 or > 224)
            throw new ArgumentException($"ImageSize must be in 32..224, got {ImageSize}.", nameof(ImageSize));
        CheckProbability(TextureCorrelation, nameof(TextureCorrelation));
        CheckProbability(BackgroundCorrelation, nameof(BackgroundCorrelation));
        CheckProbability(BlurProbability, nameof(BlurProbability));
        CheckProbability(OcclusionProbability, nameof(OcclusionProbability));
        if (!(ForegroundSeparation >= 0 && ForegroundSeparation <= 0.6))
            throw new ArgumentException($"ForegroundSeparation must be in [0, 0.6], got {ForegroundSeparation}.", nameof(ForegroundSeparation));
        if (!(ObjectScale >= 0.1 && ObjectScale <= 0.8))
            throw new ArgumentException($"ObjectScale must be in [0.1, 0.8], got {ObjectScale}.", nameof(ObjectScale));
        CheckProbability(TruncationProbability, nameof(TruncationProbability));
        if (!(NoiseStd >= 0 && NoiseStd <= 0.5))
            throw new ArgumentException($"NoiseStd must be in [0,0.5], got {NoiseStd}.", nameof(NoiseStd));
        if (MaxDistractors is < 0 or > 32)
            throw new ArgumentException($"MaxDistractors must be in 0..32, got {MaxDistractors}.", nameof(MaxDistractors));
        if (!(HueSpread >= 0 && HueSpread <= 0.5))
            throw new ArgumentException($"HueSpread must be in [0,0.5], got {HueSpread}.", nameof(HueSpread));
        if (!(MinPartWidth >= 0 && MinPartWidth <= 8))
            throw new ArgumentException($"MinPartWidth must be in [0,8] pixels, got {MinPartWidth}.", nameof(MinPartWidth));
        if (Classes is not null) PartImageNetTaxonomy.Select(Classes); // throws on unknown / repeated / empty
    }

    static void CheckProbability(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name} must be in [0,1], got {p}.", name);
    }
}
