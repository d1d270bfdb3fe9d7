namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>gaussian_blur</c>: skimage <c>gaussian(x, sigma=c, channel_axis=-1)</c> (scipy, mode 'nearest',
/// truncate 4), clipped to [0,1]. c ImageNet 1,2,3,4,6; CIFAR-10-C .4,.6,.7,.8,1. Deterministic (seed unused).
/// </summary>
public sealed class GaussianBlur : ICorruption
{
    internal static readonly double[] ImageNetSigma = { 1, 2, 3, 4, 6 };
    internal static readonly double[] CifarSigma = { .4, .6, .7, .8, 1 };

    /// <inheritdoc/>
    public string Name => "gaussian_blur";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        double c = NoiseBlurSeverity.Pick(ImageNetSigma, CifarSigma, severity, table);
        var blurred = GaussianFilter.ApplyNearest(GaussianFilter.ToDouble(image), 3, width, height, c);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(blurred[i]);
        return o;
    }
}
