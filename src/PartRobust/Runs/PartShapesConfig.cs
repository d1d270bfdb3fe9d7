using PartRobust.Data;

namespace PartRobust.Runs;

/// <summary>
/// The PartShapes regime of a run: a named preset (<see cref="PartShapesPresets"/>) and any knob overridden on top of
/// it (null = the preset's value). Config key <c>partshapes</c>; a config file written before presets existed has no
/// such key and means <c>easy</c>, the generator it was made with.
/// </summary>
public sealed record PartShapesConfig
{
    /// <summary>Preset name: <c>natural</c> (default) or <c>easy</c>.</summary>
    public string Preset { get; init; } = PartShapesPresets.Default;
    /// <summary>Probability that an object wears its class's texture (pattern, and hue with <see cref="TextureHues"/>).</summary>
    public double? TextureCorrelation { get; init; }
    /// <summary>Probability that an image has its class's background.</summary>
    public double? BackgroundCorrelation { get; init; }
    /// <summary>Whether a class texture also carries the class's hue.</summary>
    public bool? TextureHues { get; init; }
    /// <summary>Whether a class background also carries the class's hue.</summary>
    public bool? BackgroundHues { get; init; }
    /// <summary>Minimum brightness difference between parts and background.</summary>
    public double? ForegroundSeparation { get; init; }
    /// <summary>Object size as a fraction of the image side.</summary>
    public double? ObjectScale { get; init; }
    /// <summary>Smallest width in pixels of limb-like parts.</summary>
    public double? MinPartWidth { get; init; }
    /// <summary>Probability of an occluding distractor.</summary>
    public double? OcclusionProbability { get; init; }

    /// <summary>The generator options: the preset, these overrides, and the run's size, classes and seed.</summary>
    /// <exception cref="ArgumentException">Unknown preset or a knob out of range.</exception>
    public PartShapesOptions ToOptions(int imageSize, IReadOnlyList<string>? classes, long seed)
    {
        var p = PartShapesPresets.Get(Preset);
        var options = p with
        {
            ImageSize = imageSize, Classes = classes, Seed = (ulong)seed,
            TextureCorrelation = TextureCorrelation ?? p.TextureCorrelation,
            BackgroundCorrelation = BackgroundCorrelation ?? p.BackgroundCorrelation,
            TextureHues = TextureHues ?? p.TextureHues,
            BackgroundHues = BackgroundHues ?? p.BackgroundHues,
            ForegroundSeparation = ForegroundSeparation ?? p.ForegroundSeparation,
            ObjectScale = ObjectScale ?? p.ObjectScale,
            MinPartWidth = MinPartWidth ?? p.MinPartWidth,
            OcclusionProbability = OcclusionProbability ?? p.OcclusionProbability,
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"partshapes: {e.Message}"); }
        return options;
    }
}
