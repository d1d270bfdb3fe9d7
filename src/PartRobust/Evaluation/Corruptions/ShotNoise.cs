using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>shot_noise</c>: Poisson(x·c)/c per value, clipped to [0,1] (smaller c = harsher).
/// c ImageNet 60,25,12,5,3; CIFAR-10-C 500,250,100,75,50. Same sampling algorithm as numpy, our uniform stream.
/// </summary>
public sealed class ShotNoise : ICorruption
{
    internal static readonly double[] ImageNetRate = { 60, 25, 12, 5, 3 };
    internal static readonly double[] CifarRate = { 500, 250, 100, 75, 50 };

    /// <inheritdoc/>
    public string Name => "shot_noise";

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        double c = NoiseBlurSeverity.Pick(ImageNetRate, CifarRate, severity, table);
        var rng = new PartShapesRandom(seed);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = NoiseBlurSeverity.Clip01(PoissonSampler.Next(rng, image[i] * c) / c);
        return o;
    }
}
