using System.Diagnostics;
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

/// <summary>Measures the machine's matrix-multiply speed and each model's training throughput in one run.</summary>
public static class Benchmark
{
    /// <summary>What to measure.</summary>
    public sealed record Request
    {
        /// <summary>Models by registry name.</summary>
        public required string[] Models { get; init; }
        /// <summary>Image size.</summary>
        public int ImageSize { get; init; } = 32;
        /// <summary>Backbone width.</summary>
        public int Width { get; init; } = 16;
        /// <summary>Segmenter of the part models (<see cref="SegmenterRegistry"/> name).</summary>
        public string Segmenter { get; init; } = SegmenterRegistry.Default;
        /// <summary>Batch size.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>PGD steps of the training attack.</summary>
        public int AttackSteps { get; init; } = 10;
        /// <summary>Classes C; the part count follows PartImageNet (40 parts for 11 classes).</summary>
        public int NumClasses { get; init; } = 11;
        /// <summary>Timed steps per measurement.</summary>
        public int Iterations { get; init; } = 10;
    }

    /// <summary>Runs every measurement and returns a Markdown section with the machine, date and a table.</summary>
    public static string Run(Request request, IProgressSink progress)
    {
        if (request.Iterations < 1) throw new ArgumentException("--iterations must be ≥ 1");
        if (request.BatchSize < 2) throw new ArgumentException("--batch-size must be ≥ 2");
        foreach (var m in request.Models) ModelRegistry.DisplayName(m);
        SegmenterRegistry.Describe(request.Segmenter);
        var taxonomy = Data.PartImageNetTaxonomy.Select(Data.PartImageNetTaxonomy.ClassNames.Take(Math.Clamp(request.NumClasses, 1, 11)));
        int segLabels = taxonomy.NumSegLabels;
        double matmul = MatmulGflops();
        progress.Log($"matmul 1024×1024 float32: {matmul:F1} GFLOP/s");
        var rows = new List<ModelBenchmark>();
        foreach (var m in request.Models)
        {
            var spec = ModelSpec.For(m, taxonomy, request.ImageSize, request.Width, request.Segmenter);
            var r = MeasureModel(spec, request.BatchSize, request.AttackSteps, request.Iterations, progress);
            progress.Log($"{r.Name}: clean {r.CleanTrainImagesPerSecond:F1} img/s ({1000 / r.CleanTrainImagesPerSecond:F0} ms/img), " +
                         $"PGD-{request.AttackSteps} AT {r.AdvTrainImagesPerSecond:F2} img/s ({1000 / r.AdvTrainImagesPerSecond:F0} ms/img), {r.AdvTrainGflops:F1} GFLOP/s");
            rows.Add(r);
        }
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"Machine: {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, " +
                      $"torch threads {get_num_threads()}; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        sb.AppendLine($"Setting: {request.ImageSize}px, width {request.Width}, segmenter {request.Segmenter}, batch {request.BatchSize}, C={request.NumClasses}, K={segLabels}, " +
                      $"PGD-{request.AttackSteps} training attack, {request.Iterations} timed steps after one warm-up step.");
        sb.AppendLine($"Matrix multiply (1024×1024 float32): **{matmul:F1} GFLOP/s**.");
        sb.AppendLine();
        sb.AppendLine($"| model | parameters | forward GFLOP/image | clean training img/s | ms/img (forward+backward) | PGD-{request.AttackSteps} AT img/s | ms/img (PGD-{request.AttackSteps} AT step) | PGD AT GFLOP/s | % of matmul | RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Name} | {r.Parameters:N0} | {r.ForwardGflopPerImage:F4} | {r.CleanTrainImagesPerSecond:F1} | {1000 / r.CleanTrainImagesPerSecond:F0} | " +
                          $"{r.AdvTrainImagesPerSecond:F2} | {1000 / r.AdvTrainImagesPerSecond:F0} | {r.AdvTrainGflops:F1} | {100 * r.AdvTrainGflops / matmul:F0}% | {r.PeakMemoryMb:F0} |");
        return sb.ToString();
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

    /// <summary>Training throughput of a model on random data shaped like PartShapes.</summary>
    public static ModelBenchmark MeasureModel(ModelSpec spec, int batchSize, int attackSteps, int iterations, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(spec);
        manual_seed(0);
        string name = ModelRegistry.IsPartModel(spec.Name) && spec.Segmenter != SegmenterRegistry.Default ? $"{spec.Name} + {spec.Segmenter}" : spec.Name;
        int imageSize = spec.ImageSize, numClasses = spec.NumClasses, numSegLabels = spec.NumSegLabels;
        using var model = ModelRegistry.Create(spec);
        double flops = FlopCounter.ForwardFlopsPerImage(model, imageSize);
        var options = new TrainOptions { BatchSize = batchSize, AttackSteps = attackSteps };
        using var optimizer = Trainer.CreateOptimizer(model, options);
        var attack = PgdAttack.PaperTraining(options.Epsilon, attackSteps);
        using var x = rand(batchSize, 3, imageSize, imageSize);
        using var y = randint(0, numClasses, batchSize);
        using var masks = randint(0, numSegLabels, new long[] { batchSize, imageSize, imageSize });

        double Measure(bool adversarial)
        {
            using var task = progress.Start($"bench {name} {(adversarial ? $"PGD-{attackSteps} AT" : "clean")}", iterations + 1);
            var clock = new Stopwatch();
            for (int i = 0; i <= iterations; i++) // iteration 0 warms up
            {
                using var scope = NewDisposeScope();
                if (i == 1) clock.Start();
                var input = adversarial ? attack.Perturb(model, x, y) : x;
                model.train();
                optimizer.zero_grad();
                Tensor loss;
                if (model is IPartModel part)
                {
                    var (c, p) = part.ForwardWithParts(input);
                    loss = PartLoss.Compute(c, y, p, masks, 0.5);
                }
                else
                {
                    loss = PartLoss.Compute(model.call(input), y, null, null, 0);
                }
                loss.backward();
                optimizer.step();
                task.Advance();
            }
            return iterations * batchSize / clock.Elapsed.TotalSeconds;
        }

        double clean = Measure(false);
        double adv = Measure(true);
        double perImage = attackSteps * 2 * flops + 3 * flops;
        double rssMb = Process.GetCurrentProcess().WorkingSet64 / 1e6;
        return new ModelBenchmark(name, model.ParameterCount(), flops / 1e9, clean, adv, adv * perImage / 1e9, rssMb);
    }
}
