namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>brightness</c>: adds c to the HSV value channel (skimage HSV), clipped to [0,1], and converts back.
/// c = .1,.2,.3,.4,.5 (ImageNet) or .05,.1,.15,.2,.3 (CIFAR-10-C). Deterministic (no random draws).
/// Works on the float image directly (the library works on the uint8 image / 255; identical for byte-valued inputs).
/// </summary>
public sealed class Brightness : ICorruption
{
    static readonly double[] ImageNetC = { .1, .2, .3, .4, .5 };
    static readonly double[] CifarC = { .05, .1, .15, .2, .3 };

    /// <inheritdoc />
    public string Name => "brightness";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        double c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        int px = width * height;
        var o = new float[3 * px];
        for (int i = 0; i < px; i++)
        {
            var (h, s, v) = HsvColor.FromRgb(image[i], image[px + i], image[2 * px + i]);
            var (r, g, b) = HsvColor.ToRgb(h, s, Math.Clamp(v + c, 0, 1));
            o[i] = WeatherDigitalArgs.Clip01(r); o[px + i] = WeatherDigitalArgs.Clip01(g); o[2 * px + i] = WeatherDigitalArgs.Clip01(b);
        }
        return o;
    }
}
