using System.CommandLine;
using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>models</c> command: the model and segmenter registries, with each model's parameter count.</summary>
static class ModelsCommand
{
    // Counted for the demo's setting unless told otherwise: the models a first run trains, all built in about a second.
    static readonly ExperimentConfig Demo = new();
    static readonly int AllClasses = PartImageNetTaxonomy.ClassNames.Count;

    public static Command Create()
    {
        var cmd = new Command("models", "List the registered models (--models) with their trainable parameters, built for the demo's setting " +
                                        "unless told otherwise (--image-size 224 gives the paper's), and the segmenters (--segmenter).");
        var classes = new Option<int?>("--num-classes") { Description = $"Classes C: the first C PartImageNet classes, K follows (default {AllClasses}, K = {PartImageNetTaxonomy.Select(PartImageNetTaxonomy.ClassNames).NumSegLabels})" };
        var size = new Option<int?>("--image-size") { Description = $"Image size in pixels (default {Demo.ImageSize}, the demo's; the paper's is 224)" };
        var width = new Option<int?>("--width") { Description = $"First-stage width of the ResNets and the compact segmenter (default {WidthAt(64)} up to 64 px, {WidthAt(65)} above, as in training)" };
        var segmenter = new Option<string?>("--segmenter") { Description = $"Segmenter of the part models (default {Demo.Segmenter})" };
        foreach (var o in new Option[] { classes, size, width, segmenter }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var setting = Demo with { ImageSize = p.GetValue(size) ?? Demo.ImageSize, Width = p.GetValue(width), Segmenter = p.GetValue(segmenter) ?? Demo.Segmenter };
            int c = p.GetValue(classes) ?? AllClasses, n = setting.ImageSize, w = setting.EffectiveWidth;
            var models = ModelCatalog.Models(count: true, c, n, w, setting.Segmenter);
            bool isDemo = c == AllClasses && n == Demo.ImageSize && w == Demo.EffectiveWidth && setting.Segmenter == Demo.Segmenter;
            Console.WriteLine($"models (parameters for C = {c}, {n} px, width {w}, part models on '{setting.Segmenter}'{(isDemo ? "; the demo's setting" : "")}):");
            foreach (var m in models)
                Console.WriteLine($"  {m.Name,-24} {m.DisplayName,-50} {m.Parameters,14:N0}");
            Console.WriteLine("segmenters (part models; --segmenter):");
            foreach (var (name, description) in ModelCatalog.Segmenters())
                Console.WriteLine($"  {name,-24} {description}");
            return 0;
        });
        return cmd;
    }

    static int WidthAt(int imageSize) => (Demo with { ImageSize = imageSize }).EffectiveWidth;
}
