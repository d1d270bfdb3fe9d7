using PartRobust.Data;

namespace PartRobust.Models;

/// <summary>One registered model with what it is and, optionally, its size for a given setting.</summary>
/// <param name="Name">Registry name.</param>
/// <param name="DisplayName">Human-readable name.</param>
/// <param name="IsPartModel">Segmenter + head (takes <c>--segmenter</c>).</param>
/// <param name="Parameters">Trainable parameters for the requested setting; null when not counted.</param>
public sealed record CatalogEntry(string Name, string DisplayName, bool IsPartModel, long? Parameters);

/// <summary>
/// Lists the model and segmenter registries (timm-style discovery: <c>partrobust models</c>), optionally with parameter
/// counts for a PartImageNet-shaped setting, obtained by building each model.
/// </summary>
public static class ModelCatalog
{
    /// <summary>
    /// Every registered model; with <paramref name="count"/>, each is built for the first <paramref name="numClasses"/>
    /// PartImageNet classes (K follows from their parts) at <paramref name="imageSize"/> px with <paramref name="segmenter"/>
    /// for part models, and its trainable parameters counted.
    /// </summary>
    public static IReadOnlyList<CatalogEntry> Models(bool count, int numClasses = 11, int imageSize = 224, int width = 64,
        string segmenter = SegmenterRegistry.Default)
    {
        if (numClasses < 1 || numClasses > PartImageNetTaxonomy.ClassNames.Count)
            throw new ArgumentException($"--num-classes {numClasses}: expected 1 to {PartImageNetTaxonomy.ClassNames.Count}");
        SegmenterRegistry.Describe(segmenter);
        var taxonomy = PartImageNetTaxonomy.Select(PartImageNetTaxonomy.ClassNames.Take(numClasses));
        var rows = new List<CatalogEntry>();
        foreach (var name in ModelRegistry.Names)
        {
            long? parameters = null;
            if (count)
            {
                using var model = ModelRegistry.Create(ModelSpec.For(name, taxonomy, imageSize, width, segmenter));
                parameters = model.ParameterCount();
            }
            rows.Add(new CatalogEntry(name, ModelRegistry.DisplayName(name), ModelRegistry.IsPartModel(name), parameters));
        }
        return rows;
    }

    /// <summary>Every registered segmenter with its one-line description.</summary>
    public static IReadOnlyList<(string Name, string Description)> Segmenters() =>
        SegmenterRegistry.Names.Select(n => (n, SegmenterRegistry.Describe(n))).ToList();
}
