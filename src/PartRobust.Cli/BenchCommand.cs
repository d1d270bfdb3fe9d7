using System.CommandLine;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>bench</c> command: this machine's speed for the models, the data loader or the corruptions.</summary>
sealed class BenchCommand
{
    // The corruption benchmark's size and images per corruption and severity (it has no settings record).
    const int CorruptionImageSize = 224, CorruptionImages = 20;

    static readonly ExperimentConfig Demo = new();
    static readonly LoaderBenchmarkRequest LoaderDefaults = new();
    static readonly BenchmarkRequest ModelDefaults = new() { Models = Demo.Models };

    readonly Option<string?> models = new("--models") { Description = $"Comma-separated models (default {string.Join(",", Demo.Models)})" };
    readonly Option<int?> size = new("--image-size") { Description = "Image size (default: the demo's)" };
    readonly Option<int?> width = new("--width") { Description = "Backbone width (default: the demo's)" };
    readonly Option<int?> batch = new("--batch-size") { Description = "Batch size (default: the demo's)" };
    readonly Option<int?> steps = new("--train-attack-steps") { Description = "PGD steps of the training attack (default: the demo's)" };
    readonly Option<int?> classes = new("--num-classes") { Description = $"Classes C (default {ModelDefaults.NumClasses})" };
    readonly Option<int?> iterations = new("--iterations") { Description = $"Timed training steps per measurement (default {ModelDefaults.Iterations})" };
    readonly Option<string?> segmenter = new("--segmenter") { Description = "Segmenter of the part models (default: the demo's compact one)" };
    readonly Option<string?> loader = new("--loader") { Description = "Measure the data loader instead (images/s of decoding and the train/eval transforms): a prepared dataset folder, or 'synthetic' for ImageNet-sized JPEGs" };
    readonly Option<int?> images = new("--images") { Description = $"Images per loader measurement (default {LoaderDefaults.Images}) or per corruption and severity (default {CorruptionImages})" };
    readonly Option<bool> corruptions = new("--corruptions") { Description = $"Measure how fast each common corruption is made instead (images/s at --image-size, default {CorruptionImageSize}; --table)" };
    readonly Option<string?> corruptionTable = new("--table") { Description = "With --corruptions: imagenet or cifar10 (default: cifar10 up to 32 px, imagenet above)" };
    readonly Option<string?> saveWeights = new("--save-weights")
    {
        Description = "Folder to write, for each model before it is timed, its initial weights (MODEL-SIZEpx.safetensors, PyTorch names), " +
                      "a probe (MODEL-SIZEpx.probe.safetensors: a seeded input x [4,3,S,S] and the eval-mode logits, and parts for part models) " +
                      "and after timing the settings and results (MODEL-SIZEpx.json), for the PyTorch twins in bench/pytorch",
        HelpName = "DIR",
    };
    readonly Option<string?> json = new("--json") { Description = "Also write the results (machine, settings, matmul GFLOP/s, one row per model) as JSON to FILE", HelpName = "FILE" };

    public static Command Create()
    {
        var cmd = new Command("bench", "Measure this machine: matrix-multiply GFLOP/s and each model's clean and PGD adversarial-training throughput " +
                                       "(images/s, achieved GFLOP/s) on random data; prints a Markdown table for docs/benchmarks.md.");
        var b = new BenchCommand();
        foreach (var opt in new Option[] { b.models, b.size, b.width, b.batch, b.steps, b.classes, b.iterations, b.segmenter, b.saveWeights, b.json, b.loader, b.images, b.corruptions, b.corruptionTable })
            cmd.Options.Add(opt);
        cmd.SetAction(b.Run);
        return cmd;
    }

    int Run(ParseResult p)
    {
        if ((p.GetValue(corruptions) || p.GetValue(loader) is not null) && (p.GetValue(saveWeights) is not null || p.GetValue(json) is not null))
            throw new ArgumentException("--save-weights and --json apply to the model benchmark, not to --corruptions or --loader");
        if (p.GetValue(corruptions)) return MeasureCorruptions(p);
        if (p.GetValue(loader) is { } data) return MeasureLoader(p, data);
        return MeasureModels(p);
    }

    int MeasureCorruptions(ParseResult p)
    {
        string sheet = "";
        var t = p.GetValue(corruptionTable) is { } name ? CorruptionRegistry.ParseTable(name) : (CorruptionTable?)null;
        int exit = ConsoleProgress.Run(sink => { sheet = CorruptionBenchmark.Run(p.GetValue(size) ?? CorruptionImageSize, p.GetValue(images) ?? CorruptionImages, t, sink); return 0; });
        Console.WriteLine(sheet);
        return exit;
    }

    int MeasureLoader(ParseResult p, string data)
    {
        var loaderRequest = new LoaderBenchmarkRequest
        {
            DataDir = data == "synthetic" ? null : data, ImageSize = p.GetValue(size) ?? LoaderDefaults.ImageSize,
            Images = p.GetValue(images) ?? LoaderDefaults.Images, BatchSize = p.GetValue(batch) ?? LoaderDefaults.BatchSize,
        };
        string table = "";
        int code = ConsoleProgress.Run(sink => { table = LoaderBenchmark.Run(loaderRequest, sink); return 0; });
        Console.WriteLine(table);
        return code;
    }

    int MeasureModels(ParseResult p)
    {
        var d = Demo with { ImageSize = p.GetValue(size) ?? Demo.ImageSize, Width = p.GetValue(width) };
        var request = new BenchmarkRequest
        {
            Models = p.GetValue(models) is { } m ? SharedOptions.Split(m) : d.Models,
            ImageSize = d.ImageSize,
            Width = d.EffectiveWidth,
            BatchSize = p.GetValue(batch) ?? d.Train.BatchSize,
            AttackSteps = p.GetValue(steps) ?? d.Train.AttackSteps,
            NumClasses = p.GetValue(classes) ?? ModelDefaults.NumClasses,
            Iterations = p.GetValue(iterations) ?? ModelDefaults.Iterations,
            Segmenter = p.GetValue(segmenter) ?? d.Segmenter,
            SaveWeightsDir = p.GetValue(saveWeights),
        };
        BenchmarkReport? report = null;
        int rc = ConsoleProgress.Run(sink => { report = Benchmark.Measure(request, sink); return 0; });
        if (report is null) return rc;
        Console.WriteLine(Benchmark.ToMarkdown(report));
        if (p.GetValue(json) is { } jsonPath) Benchmark.WriteJson(report, jsonPath);
        return rc;
    }
}
