using System.CommandLine;
using PartRobust.Models;

namespace PartRobust.Cli;

/// <summary>The <c>models</c> command: the model and segmenter registries, optionally with parameter counts.</summary>
static class ModelsCommand
{
    // --count measures the paper's setting: PartImageNet's 11 classes at 224 px on torchvision-width ResNets.
    internal const int DefaultClasses = 11, DefaultImageSize = 224, DefaultWidth = 64;

    public static Command Create()
    {
        var cmd = new Command("models", "List the registered models (--models) and segmenters (--segmenter); --count builds each model and counts its parameters.");
        var count = new Option<bool>("--count") { Description = "Build each model and print its trainable parameters (a few seconds for the full-size ones)" };
        var classes = new Option<int?>("--num-classes") { Description = $"Classes C for --count: the first C PartImageNet classes, K follows (default {DefaultClasses}, K = 41)" };
        var size = new Option<int?>("--image-size") { Description = $"Image size for --count (default {DefaultImageSize})" };
        var width = new Option<int?>("--width") { Description = $"First-stage width of the ResNets and the compact segmenter for --count (default {DefaultWidth})" };
        var segmenter = new Option<string?>("--segmenter") { Description = $"Segmenter of the part models for --count (default {SegmenterRegistry.Default})" };
        foreach (var o in new Option[] { count, classes, size, width, segmenter }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            bool doCount = p.GetValue(count);
            int c = p.GetValue(classes) ?? DefaultClasses, n = p.GetValue(size) ?? DefaultImageSize, w = p.GetValue(width) ?? DefaultWidth;
            string seg = p.GetValue(segmenter) ?? SegmenterRegistry.Default;
            var models = ModelCatalog.Models(doCount, c, n, w, seg);
            Console.WriteLine(doCount ? $"models (parameters for C = {c}, {n} px, width {w}, part models on '{seg}'):" : "models:");
            foreach (var m in models)
                Console.WriteLine($"  {m.Name,-24} {m.DisplayName,-50}{(m.Parameters is { } k ? $" {k,14:N0}" : "")}");
            Console.WriteLine("segmenters (part models; --segmenter):");
            foreach (var (name, description) in ModelCatalog.Segmenters())
                Console.WriteLine($"  {name,-24} {description}");
            return 0;
        });
        return cmd;
    }
}
