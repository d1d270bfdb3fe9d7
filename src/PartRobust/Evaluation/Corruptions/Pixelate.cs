namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>pixelate</c> as imagecorruptions: the uint8 image (round(255·x)) is resized with Pillow BOX to
/// (int(W·c), int(H·c)) and back to (W,H) with Pillow NEAREST (imagecorruptions; hendrycks' make_imagenet_c uses BOX for
/// the upscale too — identical for integer factors). c = .6,.5,.4,.3,.25 (ImageNet) or .95,.9,.85,.75,.65 (CIFAR-10-C).
/// Deviation: the reduced size is clamped to at least 1 pixel (Pillow would fail on 0). Deterministic.
/// </summary>
public sealed class Pixelate : ICorruption
{
    static readonly double[] ImageNetC = { .6, .5, .4, .3, .25 };
    static readonly double[] CifarC = { .95, .9, .85, .75, .65 };

    /// <inheritdoc />
    public string Name => "pixelate";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        double c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        int sw = Math.Max(1, (int)(width * c)), sh = Math.Max(1, (int)(height * c));
        var small = BoxResize.Box(WeatherDigitalArgs.ToBytes(image), 3, width, height, sw, sh);
        return WeatherDigitalArgs.FromBytes(BoxResize.Nearest(small, 3, sw, sh, width, height));
    }
}
