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
        return HsvColor.MapPlanar(image, width * height, p => (p.H, p.S, Math.Clamp(p.V + c, 0, 1)));
    }
}
