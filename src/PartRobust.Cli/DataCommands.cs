using System.CommandLine;
using PartRobust.Data.Prepare;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>data</c> command: <c>generate</c> PartShapes to a folder, <c>prepare</c> a real dataset's download.</summary>
static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Dataset tools.");
        data.Subcommands.Add(Generate());
        data.Subcommands.Add(Prepare());
        return data;
    }

    static Command Generate()
    {
        var gen = new Command("generate", "Write PartShapes to a folder (train/, val/, test/ and the test variants) as PNG images, PNG part masks and index.csv.");
        var d = new ExperimentConfig();
        var outOpt = new Option<string>("--out") { Description = "Folder to create", Required = true };
        var size = new Option<int?>("--image-size") { Description = $"Image size, 32-224 (default: as the demo, {d.ImageSize})" };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated classes (default all 11)" };
        var train = new Option<int?>("--train-size") { Description = "Training images (default: as the demo)" };
        var val = new Option<int?>("--val-size") { Description = "Validation images (default: as the demo)" };
        var test = new Option<int?>("--test-size") { Description = "Test images, also per test variant (default: as the demo)" };
        var seed = new Option<long?>("--seed") { Description = $"Seed (default: the demo's data seed, {d.DataSeed})" };
        var variants = new Option<bool>("--variants") { Description = "Also write the test variants: cue-conflict, mixed-background, only-foreground, only-background" };
        var preset = SharedOptions.Preset(d);
        var config = new Option<string?>("--config") { Description = "JSON config, e.g. a run's config.json (image_size, classes, train/val/test sizes, data_seed, partshapes regime); flags override it" };
        foreach (var opt in new Option[] { outOpt, size, classes, train, val, test, seed, preset, variants, config }) gen.Options.Add(opt);
        gen.SetAction(p =>
        {
            var c = p.GetValue(config) is { } file ? ExperimentConfig.Load(file) : d;
            var request = new DatasetExportRequest
            {
                ImageSize = p.GetValue(size) ?? c.ImageSize,
                Classes = p.GetValue(classes) is { } cls ? SharedOptions.Split(cls) : c.Classes,
                TrainSize = p.GetValue(train) ?? c.TrainSize,
                ValSize = p.GetValue(val) ?? c.ValSize,
                TestSize = p.GetValue(test) ?? c.TestSize,
                Seed = p.GetValue(seed) ?? c.DataSeed,
                PartShapes = p.GetValue(preset) is { } name ? c.PartShapes with { Preset = name } : c.PartShapes,
                Variants = p.GetValue(variants),
            };
            return ConsoleProgress.Run(sink => { DatasetExport.Run(request, p.GetValue(outOpt)!, sink); return 0; });
        });
        return gen;
    }

    static Command Prepare()
    {
        var cmd = new Command("prepare", "Turn the official download of PartImageNet, Cityscapes-Panoptic-Parts or PASCAL-Part into the paper's samples " +
                                         "(image, part mask, class) with the paper's split, in PartRobust's prepared format; see README 'Real datasets'.");
        var dataset = new Argument<string>("dataset") { Description = string.Join(", ", DatasetPreparers.Names) };
        var source = new Option<string>("--source") { Description = "Folder of the official download (layout in README 'Real datasets')", Required = true };
        var outOpt = new Option<string>("--out") { Description = "Folder to create (a previous preparation there is replaced)", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Prepare only the first N source items (a quick subset)" };
        var prepareDefaults = new PrepareOptions();
        var split = new Option<string?>("--split") { Description = $"{prepareDefaults.Split} (default: the authors' seeded 80/10/10 re-split) or original (PartImageNet's own class-disjoint split)" };
        var workers = new Option<int?>("--workers") { Description = "Decode threads (default: one per core)" };
        cmd.Arguments.Add(dataset);
        foreach (var opt in new Option[] { source, outOpt, limit, split, workers }) cmd.Options.Add(opt);
        cmd.SetAction(p => ConsoleProgress.Run(sink =>
        {
            var options = new PrepareOptions
            {
                Limit = p.GetValue(limit), Split = p.GetValue(split) ?? prepareDefaults.Split, Workers = p.GetValue(workers) ?? Environment.ProcessorCount,
            };
            var summary = DatasetPreparers.Run(p.GetValue(dataset)!, p.GetValue(source)!, p.GetValue(outOpt)!, options, sink);
            sink.Log($"prepared {summary.Total} samples into {summary.OutDir} in {summary.Seconds:F1}s ({summary.Skipped.Count} files skipped; summary.md and skipped.txt there)");
            Console.WriteLine(summary.ToMarkdown());
            return 0;
        }));
        return cmd;
    }
}
