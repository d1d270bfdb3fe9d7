namespace PartRobust.Evaluation.Corruptions;

/// <summary>The weather and digital corruptions of ImageNet-C (and the extras saturate/spatter) implemented here.</summary>
public static class WeatherDigitalCorruptions
{
    /// <summary>One instance of each, in ImageNet-C order within the group.</summary>
    public static IReadOnlyList<ICorruption> All { get; } = new ICorruption[]
    {
        new Snow(), new Frost(), new Fog(), new Brightness(), new Contrast(), new Pixelate(), new ElasticTransform(), new JpegCompression(), new Spatter(), new Saturate(),
    };
}
