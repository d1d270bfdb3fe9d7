using System.Text.Json;
using PartRobust.Attacks;
using PartRobust.Models;
using PartRobust.Training;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>AdamW as <see cref="Trainer.CreateOptimizer"/> builds it for the benchmark.</summary>
/// <param name="Name"><c>adamw</c>.</param>
/// <param name="Lr">Learning rate (constant: the benchmark has no schedule).</param>
/// <param name="WeightDecay">Decoupled weight decay of the parameters with more than one dimension.</param>
/// <param name="Betas">β₁, β₂.</param>
/// <param name="Eps">ε.</param>
/// <param name="WeightDecayOn">Which parameters decay (the others, biases and normalisation parameters, have weight decay 0).</param>
public sealed record BenchmarkOptimizerSettings(string Name, double Lr, double WeightDecay, double[] Betas, double Eps, string WeightDecayOn);

/// <summary>
/// The settings of one model's benchmark and what it measured, written next to its weights by <c>bench --save-weights</c> so
/// that a twin implementation (bench/pytorch) can run the same measurement.
/// </summary>
public sealed record BenchmarkTwinSettings
{
    /// <summary>Registry name.</summary>
    public required string Model { get; init; }
    /// <summary>Segmenter of a part model (<see cref="SegmenterRegistry"/> name).</summary>
    public required string Segmenter { get; init; }
    /// <summary>Image side in pixels.</summary>
    public required int ImageSize { get; init; }
    /// <summary>Backbone width.</summary>
    public required int Width { get; init; }
    /// <summary>N of the Downsampled head's N×N pooling.</summary>
    public required int PoolSize { get; init; }
    /// <summary>Whether a part model's head sees the background channel.</summary>
    public required bool Background { get; init; }
    /// <summary>Classes C.</summary>
    public required int NumClasses { get; init; }
    /// <summary>Segmentation labels K (parts + background).</summary>
    public required int NumSegLabels { get; init; }
    /// <summary>Batch size.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Timed steps per measurement (after one warm-up step).</summary>
    public required int Iterations { get; init; }
    /// <summary>PGD steps of the training attack.</summary>
    public required int AttackSteps { get; init; }
    /// <summary>L∞ radius of the training attack.</summary>
    public required double Epsilon { get; init; }
    /// <summary>Sign-step size of the training attack.</summary>
    public required double StepSize { get; init; }
    /// <summary>Whether the attack starts from a uniform random point of the ball.</summary>
    public required bool RandomStart { get; init; }
    /// <summary>c of the joint loss (1 − c)·CE(class) + c·CE(parts), for part models.</summary>
    public required double SegWeight { get; init; }
    /// <summary>Global seed set before the model is built.</summary>
    public required long Seed { get; init; }
    /// <summary>The optimizer.</summary>
    public required BenchmarkOptimizerSettings Optimizer { get; init; }
    /// <summary>File name of the initial weights (safetensors, PyTorch names).</summary>
    public required string Weights { get; init; }
    /// <summary>File name of the probe (safetensors: x, logits and, for part models, parts).</summary>
    public required string Probe { get; init; }
    /// <summary>Measured clean training throughput, images per second.</summary>
    public required double CleanTrainImagesPerSecond { get; init; }
    /// <summary>Measured PGD-k adversarial-training throughput, images per second.</summary>
    public required double AdvTrainImagesPerSecond { get; init; }
    /// <summary>Torch intra-op threads during the measurement.</summary>
    public required int TorchThreads { get; init; }
}

/// <summary>
/// The files <c>bench --save-weights DIR</c> writes for each model, named after <see cref="Stem"/>:
/// <c>STEM.safetensors</c> (the initial state_dict), <c>STEM.probe.safetensors</c> (a seeded input <c>x</c> [4,3,S,S] in [0,1]
/// and the eval-mode outputs <c>logits</c> and, for part models, <c>parts</c>) and <c>STEM.json</c> (<see cref="BenchmarkTwinSettings"/>).
/// </summary>
public static class BenchmarkTwinFiles
{
    /// <summary>Images in the probe.</summary>
    public const int ProbeBatch = 4;

    /// <summary>Seed of the probe's own generator (the benchmark's global random stream is left untouched).</summary>
    public const ulong ProbeSeed = 1234;

    /// <summary>The file-name stem of a model at an image size, e.g. <c>resnet18-32px</c>.</summary>
    public static string Stem(string model, int imageSize) => $"{model}-{imageSize}px";

    /// <summary>Path of the weights file.</summary>
    public static string WeightsPath(string dir, ModelSpec spec) => Path.Combine(dir, Stem(spec.Name, spec.ImageSize) + ".safetensors");

    /// <summary>Path of the probe file.</summary>
    public static string ProbePath(string dir, ModelSpec spec) => Path.Combine(dir, Stem(spec.Name, spec.ImageSize) + ".probe.safetensors");

    /// <summary>Path of the settings file.</summary>
    public static string SettingsPath(string dir, string model, int imageSize) => Path.Combine(dir, Stem(model, imageSize) + ".json");

    /// <summary>Writes the model's current state_dict and a probe (the model's mode is restored afterwards).</summary>
    public static void WriteModel(string dir, ModelSpec spec, nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        using (var state = StateDict.FromModule(model))
            StateDictFile.Write(WeightsPath(dir, spec), state, StateDictFormat.Safetensors);
        using var probe = Probe(model, spec.ImageSize);
        StateDictFile.Write(ProbePath(dir, spec), probe, StateDictFormat.Safetensors);
    }

    /// <summary>The probe input <c>x</c> and the model's eval-mode outputs on it (<c>logits</c>, and <c>parts</c> for a part model).</summary>
    public static StateDict Probe(nn.Module<Tensor, Tensor> model, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var generator = new Generator(ProbeSeed, CPU);
        using var mode = EvalMode.Enter(model);
        using var noGrad = no_grad();
        var x = rand(new long[] { ProbeBatch, 3, imageSize, imageSize }, generator: generator);
        var probe = new StateDict();
        probe.Add("x", x); // Add takes the tensors out of the scope
        if (model is IPartModel part)
        {
            var (logits, parts) = part.ForwardWithParts(x);
            probe.Add("logits", logits);
            probe.Add("parts", parts);
        }
        else
        {
            probe.Add("logits", model.call(x));
        }
        return probe;
    }

    /// <summary>The settings of a finished measurement.</summary>
    public static BenchmarkTwinSettings Settings(ModelSpec spec, TrainOptions options, PgdAttack attack, int iterations, ModelBenchmark result)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(result);
        if (options.Optimizer != OptimizerKind.Adamw) throw new ArgumentException($"the benchmark's optimizer is adamw, not {SnakeCaseEnum.Name(options.Optimizer)}");
        return new BenchmarkTwinSettings
        {
            Model = spec.Name, Segmenter = spec.Segmenter, ImageSize = spec.ImageSize, Width = spec.Width, PoolSize = spec.PoolSize,
            Background = spec.Background, NumClasses = spec.NumClasses, NumSegLabels = spec.NumSegLabels,
            BatchSize = options.BatchSize, Iterations = iterations,
            AttackSteps = attack.Steps, Epsilon = attack.Threat.Epsilon, StepSize = attack.StepSize, RandomStart = attack.RandomStart,
            SegWeight = Benchmark.SegWeight, Seed = Benchmark.Seed,
            Optimizer = new BenchmarkOptimizerSettings("adamw", options.LearningRate, options.WeightDecay,
                new[] { Trainer.AdamBeta1, Trainer.AdamBeta2 }, Trainer.AdamEpsilon, "parameters with more than one dimension"),
            Weights = Path.GetFileName(WeightsPath(".", spec)), Probe = Path.GetFileName(ProbePath(".", spec)),
            CleanTrainImagesPerSecond = result.CleanTrainImagesPerSecond, AdvTrainImagesPerSecond = result.AdvTrainImagesPerSecond,
            TorchThreads = get_num_threads(),
        };
    }

    /// <summary>Writes <paramref name="settings"/> to <c>DIR/STEM.json</c> (through a temporary file and a rename).</summary>
    public static void WriteSettings(string dir, BenchmarkTwinSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AtomicFile.WriteAllText(SettingsPath(dir, settings.Model, settings.ImageSize),
            JsonSerializer.Serialize(settings, Benchmark.Json) + "\n");
    }
}
