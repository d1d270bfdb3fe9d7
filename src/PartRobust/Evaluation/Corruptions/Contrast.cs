namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>contrast</c>: (x − mean)·c + mean per channel (mean over the whole image), clipped to [0,1].
/// c = .4,.3,.2,.1,.05 (ImageNet) or .75,.5,.4,.3,.15 (CIFAR-10-C). Deterministic (no random draws).
/// </summary>
public sealed class Contrast : ICorruption
{
    static readonly double[] ImageNetC = { .4, .3, .2, .1, .05 };
    static readonly double[] CifarC = { .75, .5, .4, .3, .15 };

    /// <inheritdoc />
    public string Name => "contrast";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        double c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        int px = width * height;
        var o = new float[3 * px];
        for (int ch = 0; ch < 3; ch++)
        {
            double sum = 0;
            for (int i = 0; i < px; i++) sum += image[ch * px + i];
            double mean = sum / px;
            for (int i = 0; i < px; i++) o[ch * px + i] = WeatherDigitalArgs.Clip01((image[ch * px + i] - mean) * c + mean);
        }
        return o;
    }
}
