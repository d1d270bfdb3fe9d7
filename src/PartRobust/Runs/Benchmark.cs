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
    public static ModelBenchmark MeasureModel(string name, int numClasses, int numSegLabels, int imageSize, int width, int batchSize,
        int attackSteps, int iterations, IProgressSink progress)
    {
        manual_seed(0);
        using var model = ModelRegistry.Create(new ModelSpec(name, numClasses, numSegLabels, imageSize, width));
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
