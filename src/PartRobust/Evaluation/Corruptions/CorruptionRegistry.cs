namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// The common corruptions by imagecorruptions name: ImageNet-C's 15 in the benchmark's order (noise, blur, weather,
/// digital), then the four extras in imagecorruptions' order (its <c>corruption_tuple</c>).
/// </summary>
public static class CorruptionRegistry
{
    /// <summary>ImageNet-C's 15 corruptions, in the benchmark's order.</summary>
    public static readonly string[] Benchmark =
    [
        "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
        "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression",
    ];

    /// <summary>The four extra ("validation") corruptions, in imagecorruptions' order.</summary>
    public static readonly string[] Extras = ["speckle_noise", "gaussian_blur", "spatter", "saturate"];

    static readonly NamedRegistry<ICorruption> Corruptions = new("corruption", Benchmark.Concat(Extras)
        .Select(name => (name, NoiseBlurCorruptions.All.Concat(WeatherDigitalCorruptions.All).Single(c => c.Name == name))).ToArray());

    /// <summary>Every corruption: <see cref="Benchmark"/>, then <see cref="Extras"/>.</summary>
    public static IReadOnlyList<ICorruption> All { get; } = Corruptions.Entries.Select(e => e.Entry).ToList();

    /// <summary>The corruption called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static ICorruption Get(string name) => Corruptions.Contains(name) ? Corruptions[name]
        : throw new ArgumentException($"--corruption {name}: unknown; expected one of: {string.Join(", ", Corruptions.Names)}");

    /// <summary>Parses <c>imagenet</c> or <c>cifar10</c>.</summary>
    public static CorruptionTable ParseTable(string text) => text switch
    {
        "imagenet" => CorruptionTable.ImageNet,
        "cifar10" => CorruptionTable.Cifar10,
        _ => throw new ArgumentException($"--table {text}: expected imagenet or cifar10"),
    };

    /// <summary>
    /// Reads a PNG or JPEG, applies <paramref name="name"/> at <paramref name="severity"/> and writes a PNG (atomically).
    /// Returns the image size.
    /// </summary>
    public static (int Width, int Height) ApplyToFile(string input, string output, string name, int severity, ulong seed, CorruptionTable table)
    {
        var corruption = Get(name);
        if (severity is < 1 or > 5) throw new ArgumentException($"--severity {severity}: expected 1 to 5");
        if (!File.Exists(input)) throw new FileNotFoundException($"{input}: file not found", input);
        (byte[] Planar, int Width, int Height) decoded;
        try { decoded = Data.ImageIO.DecodeRgb(File.ReadAllBytes(input)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{input}: not a readable PNG or JPEG ({e.Message})"); }
        var (planar, w, h) = decoded;
        var x = new float[planar.Length];
        for (int i = 0; i < x.Length; i++) x[i] = planar[i] / 255f;
        var y = corruption.Apply(x, w, h, severity, seed, table);
        var bytes = new byte[y.Length];
        for (int i = 0; i < y.Length; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(y[i] * 255f), 0f, 255f);
        AtomicFile.WriteAllBytes(output, Data.ImageIO.EncodeRgbPng(bytes, w, h));
        return (w, h);
    }
}
