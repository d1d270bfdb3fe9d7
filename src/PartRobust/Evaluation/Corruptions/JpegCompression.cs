using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>jpeg_compression</c>: the uint8 image (round(255·x), as the PIL image holds it) is JPEG-encoded at quality
/// c and decoded, here with SkiaSharp through <see cref="ImageIO"/>. c = 25,18,15,10,7 (ImageNet) or 80,65,58,50,40
/// (CIFAR-10-C). Deviation: Skia's libjpeg-turbo settings (chroma subsampling, DCT/upsampling method) may differ from
/// Pillow's, so bytes are not guaranteed identical to the library's output. Deterministic.
/// </summary>
public sealed class JpegCompression : ICorruption
{
    static readonly int[] ImageNetC = { 25, 18, 15, 10, 7 };
    static readonly int[] CifarC = { 80, 65, 58, 50, 40 };

    /// <inheritdoc />
    public string Name => "jpeg_compression";

    /// <summary>The JPEG quality used at a severity.</summary>
    public static int Quality(int severity, CorruptionTable table = CorruptionTable.ImageNet) =>
        (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var jpeg = ImageIO.EncodeRgbJpeg(WeatherDigitalArgs.ToBytes(image), width, height, Quality(severity, table));
        var (planar, w, h) = ImageIO.DecodeRgb(jpeg);
        if (w != width || h != height) throw new InvalidOperationException($"jpeg_compression: decoded {w}x{h}, expected {width}x{height}.");
        return WeatherDigitalArgs.FromBytes(planar);
    }
}
