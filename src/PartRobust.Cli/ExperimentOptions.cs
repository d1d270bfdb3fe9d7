using System.CommandLine;
using PartRobust.Distributed;
using PartRobust.Runs;
using PartRobust.Training;

namespace PartRobust.Cli;

/// <summary>
/// The flags shared by <c>demo</c>, <c>train</c> and <c>study</c>, layered over a <c>--config</c> file and the defaults.
/// Each flag is declared once (<see cref="ConfigFlag"/>) with the setting it writes; the defaults its help states are
/// read from the config the command starts from.
/// </summary>
sealed class ExperimentOptions
{
    readonly ConfigFlag[] flags;

    /// <param name="d">The config whose values the help states as defaults: the one the command starts from.</param>
    public ExperimentOptions(ExperimentConfig d)
    {
        AutoAttackPoints = new("--autoattack-points") { Description = $"Test images evaluated with AutoAttack (and the adaptive attacks on part models), 0 = none (default {d.Eval.AutoAttackPoints})" };
        RobustnessImages = new("--robustness-images") { Description = $"Test images the general-robustness suites measure, 0 = all (default {d.Robustness.Images})" };
        // In help order.
        flags = [.. DataFlags(d), .. RecipeFlags(d), .. EvaluationFlags(d), .. SeedFlags(d), .. RobustnessFlags(d), .. MachineFlags(d), .. InitialWeightFlags()];
    }

    public readonly Option<string?> Config = new("--config") { Description = "JSON config file (e.g. a run's config.json); flags override it" };
    public readonly Option<string?> Out = new("--out") { Description = "Run folder to create (default: runs/<command>-<time>)" };
    public readonly Option<string?> Data = new("--data") { Description = "Dataset folder written by 'partrobust data prepare' or 'partrobust data generate' (default: generate PartShapes)" };
    public readonly Option<string?> Dataset = new("--dataset") { Description = "partshapes, folder, partimagenet, cityscapes or pascal-part (default: what --data holds, else partshapes)" };
    public readonly Option<int?> AutoAttackPoints;
    public readonly Option<int?> RobustnessImages;

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Config, Out, Data, Dataset }.Concat(flags.Select(f => f.Option))) command.Options.Add(o);
    }

    /// <summary>Defaults, then the config file, then every flag that was given.</summary>
    public ExperimentConfig Resolve(ParseResult p, ExperimentConfig defaults)
    {
        var c = p.GetValue(Config) is { } file ? ExperimentConfig.Load(file) : defaults;
        if (p.GetValue(Data) is { } data)
        {
            string dataset = p.GetValue(Dataset) ?? ExperimentData.DetectDataset(data);
            c = c with { Dataset = dataset, DataDir = data };
            // A real dataset without a config file: the paper's 224 px crops and every image of each split.
            if (p.GetValue(Config) is null && ExperimentData.RealDatasets.Contains(dataset))
                c = c with { ImageSize = 224, TrainSize = 0, ValSize = 0, TestSize = 0 };
        }
        else if (p.GetValue(Dataset) is { } named) c = c with { Dataset = named };
        foreach (var flag in flags) c = flag.Apply(p, c);
        return c;
    }

    static ConfigFlag[] DataFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Value<int>(new("--workers") { Description = "Loader threads decoding a real dataset's images (default: one per core; under MPI the cores divided among this machine's ranks)" }, (c, v) => c with { Workers = v }),
        ConfigFlag.Value<int>(new("--image-size") { Description = $"Model input size in pixels, 32-224: the PartShapes image size (default {d.ImageSize}) or a real dataset's crop (default 224)" }, (c, v) => c with { ImageSize = v }),
        ConfigFlag.Text(SharedOptions.Preset(d), (c, v) => c with { PartShapes = c.PartShapes with { Preset = v } }),
        ConfigFlag.Text(new("--classes") { Description = "Comma-separated PartImageNet classes to use (default: all 11)" }, (c, v) => c with { Classes = SharedOptions.Split(v) }),
        ConfigFlag.Value<int>(new("--train-size") { Description = $"Training images (default {d.TrainSize}; real datasets: at most this many, default 0 = all)" }, (c, v) => c with { TrainSize = v }),
        ConfigFlag.Value<int>(new("--val-size") { Description = $"Validation images (default {d.ValSize}; real datasets: at most this many, default 0 = all)" }, (c, v) => c with { ValSize = v }),
        ConfigFlag.Value<int>(new("--test-size") { Description = $"Test images (default {d.TestSize}; real datasets: at most this many, default 0 = all)" }, (c, v) => c with { TestSize = v }),
        ConfigFlag.Value<int>(new("--attack-points") { Description = $"Test images attacked (default {d.AttackPoints})" }, (c, v) => c with { AttackPoints = v }),
        ConfigFlag.Text(new("--models", "--model") { Description = $"Comma-separated model names (default {string.Join(",", d.Models)}); see 'partrobust models'" }, (c, v) => c with { Models = SharedOptions.Split(v) }),
        ConfigFlag.Text(new("--segmenter") { Description = $"Segmenter of the part models (default {d.Segmenter}); see 'partrobust models'" }, (c, v) => c with { Segmenter = v }),
        ConfigFlag.Switch(new("--no-background") { Description = "Drop the background channel from the Downsampled head's input (K−1 channels); the paper's no_bg setting" }, c => c with { Background = false }),
        ConfigFlag.Value<int>(new("--width") { Description = $"First-stage width of the ResNets and the compact segmenter, 64 = torchvision's (default {WidthAt(d, 64)} up to 64 px, {WidthAt(d, 65)} above)" }, (c, v) => c with { Width = v }),
    ];

    static int WidthAt(ExperimentConfig d, int imageSize) => (d with { ImageSize = imageSize }).EffectiveWidth;

    static ConfigFlag[] RecipeFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Value<int>(new("--clean-epochs") { Description = $"Clean warm-start epochs (default {d.Train.CleanEpochs})" }, (c, v) => c with { Train = c.Train with { CleanEpochs = v } }),
        ConfigFlag.Value<int>(new("--adv-epochs") { Description = $"Adversarial-training epochs (--adv-train), 0 = standard training (default {d.Train.AdvEpochs})" }, (c, v) => c with { Train = c.Train with { AdvEpochs = v } }),
        ConfigFlag.Value<int>(new("--batch-size") { Description = $"Training batch size (default {d.Train.BatchSize})" }, (c, v) => c with { Train = c.Train with { BatchSize = v } }),
        ConfigFlag.Text(new("--optimizer") { Description = $"{SnakeCaseEnum.Name(d.Train.Optimizer)} (default) or sgd (the paper's, with --lr 0.1)" }, (c, v) => c with { Train = c.Train with { Optimizer = SnakeCaseEnum.Parse<OptimizerKind>(v, "--optimizer") } }),
        ConfigFlag.Value<double>(new("--lr") { Description = $"Peak learning rate of each stage's cosine schedule (default {d.Train.LearningRate})" }, (c, v) => c with { Train = c.Train with { LearningRate = v } }),
        ConfigFlag.Value<double>(new("--seg-weight") { Description = $"c_seg, weight of the part segmentation loss in [0,1] (default {d.Train.SegWeight})" }, (c, v) => c with { Train = c.Train with { SegWeight = v } }),
        ConfigFlag.Text(new("--eps") { Description = $"L∞ radius for training and evaluation, e.g. {ExperimentRunner.FormatEpsilon(d.Train.Epsilon)} (default)" }, SetEpsilon),
        ConfigFlag.Value<int>(new("--train-attack-steps") { Description = $"PGD steps of the training attack, step 1.25ε/steps (default {d.Train.AttackSteps})" }, (c, v) => c with { Train = c.Train with { AttackSteps = v } }),
        ConfigFlag.Text(new("--adv-train") { Description = $"Adversarial training recipe: {SnakeCaseEnum.Name(d.Train.AdvTrain)} (default) or trades" }, (c, v) => c with { Train = c.Train with { AdvTrain = SnakeCaseEnum.Parse<AdversarialRecipe>(v, "--adv-train") } }),
        ConfigFlag.Value<double>(new("--trades-beta") { Description = $"TRADES β, weight of the KL term (default {d.Train.TradesBeta}; the paper's scripts use 1 or 2)" }, (c, v) => c with { Train = c.Train with { TradesBeta = v } }),
        ConfigFlag.Value<double>(new("--label-smoothing") { Description = $"Label smoothing of the class cross-entropy (default {d.Train.LabelSmoothing} = off)" }, (c, v) => c with { Train = c.Train with { LabelSmoothing = v } }),
        ConfigFlag.Value<double>(new("--semi-label") { Description = $"Fraction of training images that keep their part masks, chosen by a fixed seed-0 permutation (default {d.Train.SemiLabel})" }, (c, v) => c with { Train = c.Train with { SemiLabel = v } }),
        ConfigFlag.Text(new("--batch-norm") { Description = "Under MPI: batch-norm statistics over the global batch, sync (default; the result of one process), or over each rank's rows, local (PyTorch DDP's default)" }, (c, v) => c with { Train = c.Train with { BatchNorm = SnakeCaseEnum.Parse<BatchNormMode>(v, "--batch-norm") } }),
        ConfigFlag.Value<double>(new("--warmup-epochs") { Description = $"Linear learning-rate warm-up epochs at the start of each stage (default {d.Train.WarmupEpochs})" }, (c, v) => c with { Train = c.Train with { WarmupEpochs = v } }),
    ];

    /// <summary>One radius for training and evaluation.</summary>
    static ExperimentConfig SetEpsilon(ExperimentConfig c, string text)
    {
        double eps = SharedOptions.ParseEps(text);
        return c with { Train = c.Train with { Epsilon = eps }, Eval = c.Eval with { Epsilon = eps } };
    }

    ConfigFlag[] EvaluationFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Value<int>(new("--pgd-steps") { Description = $"PGD steps of the evaluation attack (default {d.Eval.PgdSteps})" }, (c, v) => c with { Eval = c.Eval with { PgdSteps = v } }),
        ConfigFlag.Value<int>(new("--pgd-restarts") { Description = $"PGD restarts of the evaluation attack (default {d.Eval.PgdRestarts})" }, (c, v) => c with { Eval = c.Eval with { PgdRestarts = v } }),
        ConfigFlag.Switch(new("--paper-pgd") { Description = "Evaluate with the paper's PGD: 100 steps of max(0.001, ε/40), 5 restarts" }, c => c with { Eval = c.Eval with { PaperPgd = true } }),
        ConfigFlag.Value(AutoAttackPoints, (c, v) => c with { Eval = c.Eval with { AutoAttackPoints = v } }),
        ConfigFlag.Switch(SharedOptions.NoMaskingChecks(), c => c with { Eval = c.Eval with { MaskingChecks = false } }),
    ];

    static ConfigFlag[] SeedFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Value<long>(new("--seed") { Description = $"Training seed (default {d.Train.Seed})" }, (c, v) => c with { Train = c.Train with { Seed = v } }),
        ConfigFlag.Value<long>(new("--data-seed") { Description = $"PartShapes seed (default {d.DataSeed})" }, (c, v) => c with { DataSeed = v }),
    ];

    ConfigFlag[] RobustnessFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Text(new("--robustness") { Description = $"General-robustness suites run after the attacks: comma-separated corruptions, texture, background, or {d.Robustness.Suites} (default) or none" }, (c, v) => c with { Robustness = c.Robustness with { Suites = v } }),
        ConfigFlag.Value(RobustnessImages, (c, v) => c with { Robustness = c.Robustness with { Images = v } }),
        ConfigFlag.Text(new("--severities") { Description = $"Corruption severities, e.g. {d.Robustness.Severities} (default), 3 or 1,3,5" }, (c, v) => c with { Robustness = c.Robustness with { Severities = v } }),
        ConfigFlag.Text(new("--corruption-table") { Description = "imagenet (ImageNet-C) or cifar10 (CIFAR-10-C) parameters; default cifar10 for images of at most 32 px, imagenet above" }, (c, v) => c with { Robustness = c.Robustness with { Table = v } }),
        ConfigFlag.Text(new("--baseline") { Description = "Model the corruption errors (mCE) are relative to; default the first non-part model; none = no mCE" }, (c, v) => c with { Robustness = c.Robustness with { Baseline = v } }),
    ];

    static ConfigFlag[] MachineFlags(ExperimentConfig d) =>
    [
        ConfigFlag.Text(new("--device") { Description = $"Torch device: {d.Device} (default) or cuda[:N] with a CUDA libtorch build" }, (c, v) => c with { Device = v }),
        ConfigFlag.Value(SharedOptions.Threads(), (c, v) => c with { Threads = v }),
    ];

    static ConfigFlag[] InitialWeightFlags() =>
    [
        ConfigFlag.Text(new("--pretrained-backbone") { Description = "torchvision ResNet state_dict (.pt/.pth/.safetensors, e.g. ImageNet weights) loaded into every model's ResNet trunk before training (classifier trunk, DeepLabV3+ encoder, DeepLabV3 backbone)" }, (c, v) => c with { PretrainedBackbone = v }),
        ConfigFlag.Text(new("--init-from") { Description = "Start every model from saved weights with its own names: a run folder (its checkpoints/NAME.safetensors), a checkpoint folder or a weights file; with --clean-epochs 0 this is the paper's adversarial fine-tuning of a clean run" }, (c, v) => c with { InitFrom = v }),
    ];
}
