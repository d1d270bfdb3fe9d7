namespace PartRobust.Data;

/// <summary>
/// Named PartShapes regimes. <c>natural</c> (the default) is calibrated so that a standard-trained ResNet baseline shows
/// the shortcut behaviour of ImageNet CNNs — texture bias and background reliance — with parts wide enough to segment
/// at 32 px (docs/calibration.md records the targets, the knobs and the measured baseline). <c>easy</c> is the generator
/// before calibration, byte for byte: shapes that a CNN reads directly, textures and backgrounds weakly correlated.
/// </summary>
public static class PartShapesPresets
{
    /// <summary>The default preset.</summary>
    public const string Default = "natural";

    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["natural", "easy"];

    /// <summary>The knobs of preset <paramref name="name"/> (image size, classes and seed are left at their defaults).</summary>
    /// <exception cref="ArgumentException">Unknown preset.</exception>
    public static PartShapesOptions Get(string name) => name switch
    {
        "easy" => new PartShapesOptions(),
        "natural" => new PartShapesOptions
        {
            TextureCorrelation = 0.9,
            BackgroundCorrelation = 0.9,
            TextureHues = true,
            BackgroundHues = true,
            ForegroundSeparation = 0.0,
            ObjectScale = 0.55,
            MinPartWidth = 3.5,
        },
        _ => throw new ArgumentException($"--preset {name}: expected one of: {string.Join(", ", Names)}"),
    };
}
