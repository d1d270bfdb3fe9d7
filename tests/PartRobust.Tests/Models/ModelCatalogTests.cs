using PartRobust.Models;
using Xunit;

namespace PartRobust.Tests.Models;

public class ModelCatalogTests
{
    [Fact]
    public void Lists_every_registered_model_and_segmenter()
    {
        var models = ModelCatalog.Models(count: false);
        Assert.Equal(ModelRegistry.Names, models.Select(m => m.Name));
        Assert.All(models, m => Assert.Null(m.Parameters));
        Assert.Contains(models, m => m.Name == "resnet50" && !m.IsPartModel);
        Assert.Contains(models, m => m.Name == "part-2heads-d" && m.IsPartModel);
        Assert.Equal(SegmenterRegistry.Names, ModelCatalog.Segmenters().Select(s => s.Name));
    }

    [Fact]
    public void Counts_the_papers_head_sizes_on_top_of_the_same_segmenter()
    {
        // Compact segmenter, small setting: the heads' counts must be the paper's hand computations (the reference heads' parameter formulas) on top
        // of the Pixel model, which has no parameters of its own.
        var rows = ModelCatalog.Models(count: true, numClasses: 11, imageSize: 32, width: 4).ToDictionary(m => m.Name, m => m.Parameters!.Value);
        Assert.Equal(146_056, rows["part-downsampled"] - rows["part-pixel"]);
        Assert.Equal(11_111, rows["part-bbox"] - rows["part-pixel"]);
    }

    [Fact]
    public void Unknown_segmenter_or_bad_class_count_is_rejected()
    {
        Assert.Contains("segmenter", Assert.Throws<ArgumentException>(() => ModelCatalog.Models(true, segmenter: "wat")).Message);
        Assert.Contains("--num-classes", Assert.Throws<ArgumentException>(() => ModelCatalog.Models(true, numClasses: 12)).Message);
    }
}
