using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using PartRobust.Attacks;
using PartRobust.Models;
using PartRobust.Training;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>Throughput of one model.</summary>
/// <param name="Name">Registry name.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="ForwardGflopPerImage">Conv + linear FLOPs of one forward pass, in GFLOP.</param>
/// <param name="CleanTrainImagesPerSecond">Clean training steps, images per second.</param>
/// <param name="AdvTrainImagesPerSecond">PGD-k adversarial training steps (attack included), images per second.</param>
/// <param name="AdvTrainGflops">Achieved GFLOP/s of adversarial training, counting k·2F + 3F per image.</param>
/// <param name="PeakMemoryMb">Resident memory of the process after the model's runs, in MB.</param>
public sealed record ModelBenchmark(string Name, long Parameters, double ForwardGflopPerImage, double CleanTrainImagesPerSecond,
    double AdvTrainImagesPerSecond, double AdvTrainGflops, double PeakMemoryMb);

/// <summary>Where a benchmark ran: the machine, the library versions and the time.</summary>
/// <param name="Os">OS description.</param>
/// <param name="Cores">Logical processors.</param>
/// <param name="TorchThreads">Torch intra-op threads.</param>
/// <param name="TorchSharpVersion">TorchSharp's assembly version.</param>
/// <param name="DateUtc">UTC time the facts were captured (whole seconds).</param>
public sealed record BenchmarkMachine(string Os, int Cores, int TorchThreads,
    [property: JsonPropertyName("torchsharp_version")] string TorchSharpVersion, DateTime DateUtc)
{
    /// <summary>This process's machine facts, now.</summary>
    public static BenchmarkMachine Capture()
    {
        var now = DateTime.UtcNow;
        return new(System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.ProcessorCount, get_num_threads(),
            typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?", now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
    }
}

/// <summary>Everything one <c>partrobust bench</c> run measured, as written by <c>--json</c>.</summary>
/// <param name="Machine">Where it ran.</param>
/// <param name="Settings">What was measured (the request, with the derived segmentation-label count).</param>
/// <param name="NumSegLabels">Segmentation labels K (parts + background) that follow from the classes.</param>
/// <param name="MatmulGflops">Achieved GFLOP/s of a 1024×1024 float32 matrix multiply.</param>
/// <param name="Models">One row per model, in request order.</param>
public sealed record BenchmarkReport(BenchmarkMachine Machine, BenchmarkRequest Settings, int NumSegLabels, double MatmulGflops,
    IReadOnlyList<ModelBenchmark> Models);

/// <summary>Measures the machine's matrix-multiply speed and each model's training throughput in one run.</summary>
public static class Benchmark
{
    /// <summary>The JSON form of <see cref="BenchmarkReport"/> and of the twin settings: snake_case names, indented.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs every measurement and returns a Markdown section with the machine, date and a table.</summary>
    public static string Run(BenchmarkRequest request, IProgressSink progress) => ToMarkdown(Measure(request, progress));

    /// <summary>Runs every measurement: the matrix multiply, then each model in turn.</summary>
    public static BenchmarkReport Measure(BenchmarkRequest request, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        Validate(request);
        var taxonomy = Taxonomy(request.NumClasses);
        double matmul = MatmulGflops();
        progress.Log($"matmul 1024×1024 float32: {matmul:F1} GFLOP/s");
        var rows = new List<ModelBenchmark>();
        foreach (var m in request.Models)
        {
            var spec = ModelSpec.For(m, taxonomy, request.ImageSize, request.Width, request.Segmenter);
            var r = MeasureModel(spec, request.BatchSize, request.AttackSteps, request.Iterations, progress, request.SaveWeightsDir);
            progress.Log($"{r.Name}: clean {r.CleanTrainImagesPerSecond:F1} img/s ({1000 / r.CleanTrainImagesPerSecond:F0} ms/img), " +
                         $"PGD-{request.AttackSteps} AT {r.AdvTrainImagesPerSecond:F2} img/s ({1000 / r.AdvTrainImagesPerSecond:F0} ms/img), {r.AdvTrainGflops:F1} GFLOP/s");
            rows.Add(r);
        }
        return new BenchmarkReport(BenchmarkMachine.Capture(), request, taxonomy.NumSegLabels, matmul, rows);
    }

    /// <summary>The Markdown section of a report: machine, settings, matrix-multiply speed and one table row per model.</summary>
    public static string ToMarkdown(BenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (machine, request, matmul) = (report.Machine, report.Settings, report.MatmulGflops);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"Machine: {machine.Os}, {machine.Cores} cores, torch threads {machine.TorchThreads}; date {machine.DateUtc:yyyy-MM-dd HH:mm} UTC.");
        sb.AppendLine($"Setting: {request.ImageSize}px, width {request.Width}, segmenter {request.Segmenter}, batch {request.BatchSize}, C={request.NumClasses}, K={report.NumSegLabels}, " +
                      $"PGD-{request.AttackSteps} training attack, {request.Iterations} timed steps after one warm-up step.");
        sb.AppendLine($"Matrix multiply (1024×1024 float32): **{matmul:F1} GFLOP/s**.");
        sb.AppendLine();
        sb.AppendLine($"| model | parameters | forward GFLOP/image | clean training img/s | ms/img (forward+backward) | PGD-{request.AttackSteps} AT img/s | ms/img (PGD-{request.AttackSteps} AT step) | PGD AT GFLOP/s | % of matmul | RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in report.Models)
            sb.AppendLine($"| {r.Name} | {r.Parameters:N0} | {r.ForwardGflopPerImage:F4} | {r.CleanTrainImagesPerSecond:F1} | {1000 / r.CleanTrainImagesPerSecond:F0} | " +
                          $"{r.AdvTrainImagesPerSecond:F2} | {1000 / r.AdvTrainImagesPerSecond:F0} | {r.AdvTrainGflops:F1} | {100 * r.AdvTrainGflops / matmul:F0}% | {r.PeakMemoryMb:F0} |");
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="report"/> as JSON to <paramref name="path"/> (through a temporary file and a rename).</summary>
    public static void WriteJson(BenchmarkReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, Json) + "\n");
    }

    /// <summary>Achieved GFLOP/s of float32 n×n matrix multiplication.</summary>
    public static double MatmulGflops(int n = 1024, int repeats = 30)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        a.matmul(b);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            using var s = NewDisposeScope();
            a.matmul(b);
        }
        return repeats * 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>
    /// Training throughput of a model on random data shaped like PartShapes. With <paramref name="saveWeightsDir"/>, the
    /// model's initial weights and a probe are written there before timing and the settings with the results after
    /// (<see cref="BenchmarkTwinFiles"/>).
    /// </summary>
    public static ModelBenchmark MeasureModel(ModelSpec spec, int batchSize, int attackSteps, int iterations, IProgressSink progress,
        string? saveWeightsDir = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(progress);
        manual_seed(Seed);
        string name = DisplayName(spec);
        using var model = ModelRegistry.Create(spec);
        if (saveWeightsDir is not null) BenchmarkTwinFiles.WriteModel(saveWeightsDir, spec, model);
        double flops = FlopCounter.ForwardFlopsPerImage(model, spec.ImageSize);
        var options = new TrainOptions { BatchSize = batchSize, AttackSteps = attackSteps };
        using var optimizer = Trainer.CreateOptimizer(model, options);
        var attack = PgdAttack.PaperTraining(options.Epsilon, attackSteps);
        using var batch = RandomBatch(batchSize, spec);

        double clean = Throughput(model, optimizer, batch, null, iterations, progress, $"bench {name} clean");
        double adv = Throughput(model, optimizer, batch, attack, iterations, progress, $"bench {name} PGD-{attackSteps} AT");
        double perImage = attackSteps * 2 * flops + 3 * flops;
        double rssMb = Process.GetCurrentProcess().WorkingSet64 / 1e6;
        var result = new ModelBenchmark(name, model.ParameterCount(), flops / 1e9, clean, adv, adv * perImage / 1e9, rssMb);
        if (saveWeightsDir is not null)
            BenchmarkTwinFiles.WriteSettings(saveWeightsDir, BenchmarkTwinFiles.Settings(spec, options, attack, iterations, result));
        return result;
    }

    /// <summary>The seg weight c of the joint loss in the benchmark's training step (the paper's 0.5).</summary>
    public const double SegWeight = 0.5;

    /// <summary>The global seed set before each model is built (so its initial weights are reproducible).</summary>
    public const long Seed = 0;

    static void Validate(BenchmarkRequest request)
    {
        if (request.Iterations < 1) throw new ArgumentException("--iterations must be ≥ 1");
        if (request.BatchSize < 2) throw new ArgumentException("--batch-size must be ≥ 2");
        foreach (var m in request.Models) ModelRegistry.DisplayName(m);
        SegmenterRegistry.Describe(request.Segmenter);
    }

    static Data.PartTaxonomy Taxonomy(int numClasses) =>
        Data.PartImageNetTaxonomy.Select(Data.PartImageNetTaxonomy.ClassNames.Take(Math.Clamp(numClasses, 1, 11)));

    static string DisplayName(ModelSpec spec) =>
        ModelRegistry.IsPartModel(spec.Name) && spec.Segmenter != SegmenterRegistry.Default ? $"{spec.Name} + {spec.Segmenter}" : spec.Name;

    /// <summary>Random images in [0,1], labels and part masks, drawn from the global generator.</summary>
    sealed record Batch(Tensor Images, Tensor Labels, Tensor Masks) : IDisposable
    {
        public void Dispose()
        {
            Images.Dispose();
            Labels.Dispose();
            Masks.Dispose();
        }
    }

    static Batch RandomBatch(int batchSize, ModelSpec spec) => new(
        rand(batchSize, 3, spec.ImageSize, spec.ImageSize),
        randint(0, spec.NumClasses, batchSize),
        randint(0, spec.NumSegLabels, new long[] { batchSize, spec.ImageSize, spec.ImageSize }));

    /// <summary>Images per second of <paramref name="iterations"/> training steps after one warm-up step (PGD-k AT when <paramref name="attack"/> is given).</summary>
    static double Throughput(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Batch batch, PgdAttack? attack, int iterations,
        IProgressSink progress, string description)
    {
        using var task = progress.Start(description, iterations + 1);
        var clock = new Stopwatch();
        for (int i = 0; i <= iterations; i++) // iteration 0 warms up
        {
            if (i == 1) clock.Start();
            TrainStep(model, optimizer, batch, attack);
            task.Advance();
        }
        return iterations * batch.Images.shape[0] / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One training step: the attack (model in eval mode), then forward in train mode, the joint loss, backward, update.</summary>
    static void TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Batch batch, PgdAttack? attack)
    {
        using var scope = NewDisposeScope();
        var input = attack is null ? batch.Images : attack.Perturb(model, batch.Images, batch.Labels);
        model.train();
        optimizer.zero_grad();
        Tensor loss;
        if (model is IPartModel part)
        {
            var (c, p) = part.ForwardWithParts(input);
            loss = PartLoss.Compute(c, batch.Labels, p, batch.Masks, SegWeight);
        }
        else
        {
            loss = PartLoss.Compute(model.call(input), batch.Labels, null, null, 0);
        }
        loss.backward();
        optimizer.step();
    }
}
