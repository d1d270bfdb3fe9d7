using System.Text.Json.Serialization;

namespace PartRobust.Models;

/// <summary>Everything needed to build a model by name from the model registry.</summary>
/// <param name="Name">Registry name, e.g. <c>resnet18</c>, <c>part-downsampled</c>, <c>part-bbox</c>.</param>
/// <param name="NumClasses">Number of classes C.</param>
/// <param name="NumSegLabels">Number of segmentation labels K (parts + background); ignored by plain classifiers.</param>
/// <param name="ImageSize">Input height = width in pixels.</param>
/// <param name="Width">Channels of the first backbone stage (64 for a standard ResNet-18).</param>
/// <param name="PoolSize">N of the Downsampled head's N×N pooling (the paper uses 4).</param>
public sealed record ModelSpec(string Name, int NumClasses, int NumSegLabels, int ImageSize, int Width = 16, int PoolSize = 4)
{
    /// <summary>Segmenter of a part model, by <see cref="SegmenterRegistry"/> name (default: the compact demo segmenter).</summary>
    [JsonPropertyName("segmenter")] public string Segmenter { get; init; } = SegmenterRegistry.Default;

    /// <summary>
    /// Whether a part model's head sees the background channel (the paper's default). False drops it, which is what the
    /// authors' <c>no_bg</c> experiments meant to do (their code tested for <c>nobg</c>, so it never took effect).
    /// </summary>
    [JsonPropertyName("background")] public bool Background { get; init; } = true;

    /// <summary>
    /// For each segmentation label the class it belongs to, −1 for background (the dataset's <c>part_to_class</c>);
    /// needed by heads that group parts by class (Pixel model). Null when the model does not need it.
    /// </summary>
    [JsonPropertyName("part_class")] public int[]? PartClass { get; init; }

    /// <summary>The spec of model <paramref name="name"/> for a dataset's classes and parts (C, K and part_class from <paramref name="taxonomy"/>).</summary>
    public static ModelSpec For(string name, Data.PartTaxonomy taxonomy, int imageSize, int width,
        string segmenter = SegmenterRegistry.Default, bool background = true)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        return new ModelSpec(name, taxonomy.NumClasses, taxonomy.NumSegLabels, imageSize, width)
        {
            Segmenter = segmenter,
            Background = background,
            PartClass = taxonomy.PartClass.ToArray(),
        };
    }
}
