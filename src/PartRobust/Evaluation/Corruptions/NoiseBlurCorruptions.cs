namespace PartRobust.Evaluation.Corruptions;

/// <summary>The noise and blur corruptions of ImageNet-C (and the speckle/gaussian-blur extras) implemented here.</summary>
public static class NoiseBlurCorruptions
{
    /// <summary>One instance of each, in imagecorruptions order (noise, then blur, extras after their group).</summary>
    public static IReadOnlyList<ICorruption> All { get; } = new ICorruption[]
    {
        new GaussianNoise(), new ShotNoise(), new ImpulseNoise(), new SpeckleNoise(),
        new DefocusBlur(), new GlassBlur(), new MotionBlur(), new ZoomBlur(), new GaussianBlur(),
    };
}
