using System.CommandLine;
using PartRobust.Attacks;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The flags shared by <c>demo</c> and <c>train</c>, layered over a <c>--config</c> file and the defaults.</summary>
sealed class ExperimentOptions
{
    static readonly ExperimentConfig D = new();

    public readonly Option<string?> Config = new("--config") { Description = "JSON config file (e.g. a run's config.json); flags override it" };
    public readonly Option<string?> Out = new("--out") { Description = "Run folder to create (default: runs/<command>-<time>)" };
    public readonly Option<string?> Data = new("--data") { Description = "Dataset folder written by 'partrobust data prepare' or 'partrobust data generate' (default: generate PartShapes)" };
    public readonly Option<string?> Dataset = new("--dataset") { Description = "partshapes, folder, partimagenet, cityscapes or pascal-part (default: what --data holds, else partshapes)" };
    public readonly Option<int?> Workers = new("--workers") { Description = "Loader threads decoding a real dataset's images (default: one per core)" };
    public readonly Option<int?> ImageSize = new("--image-size") { Description = $"Model input size in pixels, 32-224: the PartShapes image size (default {D.ImageSize}) or a real dataset's crop (default 224)" };
    public readonly Option<string?> Preset = PresetOption();
    public readonly Option<string?> Classes = new("--classes") { Description = "Comma-separated PartImageNet classes to use (default: all 11)" };
    public readonly Option<int?> TrainSize = new("--train-size") { Description = $"Training images (default {D.TrainSize}; real datasets: at most this many, default 0 = all)" };
    public readonly Option<int?> ValSize = new("--val-size") { Description = $"Validation images (default {D.ValSize}; real datasets: at most this many, default 0 = all)" };
    public readonly Option<int?> TestSize = new("--test-size") { Description = $"Test images (default {D.TestSize}; real datasets: at most this many, default 0 = all)" };
    public readonly Option<int?> AttackPoints = new("--attack-points") { Description = $"Test images attacked (default {D.AttackPoints})" };
    public readonly Option<string?> Models = new("--models", "--model") { Description = "Comma-separated model names (default resnet18,part-downsampled,part-bbox); see 'partrobust models'" };
    public readonly Option<string?> Segmenter = new("--segmenter") { Description = $"Segmenter of the part models (default {D.Segmenter}); see 'partrobust models'" };
    public readonly Option<bool> NoBackground = new("--no-background") { Description = "Drop the background channel from the Downsampled head's input (K−1 channels); the paper's no_bg setting" };
    public readonly Option<int?> Width = new("--width") { Description = "First-stage width of the ResNets and the compact segmenter, 64 = torchvision's (default 16 up to 64 px, 64 above)" };
    public readonly Option<int?> CleanEpochs = new("--clean-epochs") { Description = $"Clean warm-start epochs (default {D.Train.CleanEpochs})" };
    public readonly Option<int?> AdvEpochs = new("--adv-epochs") { Description = $"Adversarial-training epochs (--adv-train), 0 = standard training (default {D.Train.AdvEpochs})" };
    public readonly Option<int?> BatchSize = new("--batch-size") { Description = $"Training batch size (default {D.Train.BatchSize})" };
    public readonly Option<string?> Optimizer = new("--optimizer") { Description = "adamw (default) or sgd (the paper's, with --lr 0.1)" };
    public readonly Option<double?> Lr = new("--lr") { Description = $"Peak learning rate of each stage's cosine schedule (default {D.Train.LearningRate})" };
    public readonly Option<double?> SegWeight = new("--seg-weight") { Description = "c_seg, weight of the part segmentation loss in [0,1] (default 0.5)" };
    public readonly Option<string?> Eps = new("--eps") { Description = "L∞ radius for training and evaluation, e.g. 8/255 (default)" };
    public readonly Option<int?> TrainAttackSteps = new("--train-attack-steps") { Description = $"PGD steps of the training attack, step 1.25ε/steps (default {D.Train.AttackSteps})" };
    public readonly Option<int?> PgdSteps = new("--pgd-steps") { Description = $"PGD steps of the evaluation attack (default {D.Eval.PgdSteps})" };
    public readonly Option<int?> PgdRestarts = new("--pgd-restarts") { Description = $"PGD restarts of the evaluation attack (default {D.Eval.PgdRestarts})" };
    public readonly Option<int?> AutoAttackPoints = new("--autoattack-points") { Description = $"Test images evaluated with AutoAttack (and the adaptive attacks on part models), 0 = none (default {D.Eval.AutoAttackPoints})" };
    public readonly Option<bool> NoMaskingChecks = NoMaskingChecksOption();
    public readonly Option<bool> PaperPgd = new("--paper-pgd") { Description = "Evaluate with the paper's PGD: 100 steps of max(0.001, ε/40), 5 restarts" };
    public readonly Option<string?> AdvTrain = new("--adv-train") { Description = "Adversarial training recipe: pgd (default) or trades" };
    public readonly Option<double?> TradesBeta = new("--trades-beta") { Description = $"TRADES β, weight of the KL term (default {D.Train.TradesBeta}; the paper's scripts use 1 or 2)" };
    public readonly Option<double?> LabelSmoothing = new("--label-smoothing") { Description = "Label smoothing of the class cross-entropy (default 0 = off)" };
    public readonly Option<double?> SemiLabel = new("--semi-label") { Description = "Fraction of training images that keep their part masks, chosen by a fixed seed-0 permutation (default 1)" };
    public readonly Option<double?> WarmupEpochs = new("--warmup-epochs") { Description = $"Linear learning-rate warm-up epochs at the start of each stage (default {D.Train.WarmupEpochs})" };
    public readonly Option<long?> Seed = new("--seed") { Description = "Training seed (default 0)" };
    public readonly Option<long?> DataSeed = new("--data-seed") { Description = "PartShapes seed (default 1)" };
    public readonly Option<string?> Device = new("--device") { Description = "Torch device: cpu (default) or cuda[:N] with a CUDA libtorch build" };
    public readonly Option<int?> Threads = ThreadsOption();

    /// <summary>The <c>--preset</c> flag (the PartShapes regime), shared by train/demo and data generate.</summary>
    public static Option<string?> PresetOption() => new("--preset") { Description = "PartShapes regime: natural (default; calibrated so a standard-trained ResNet is texture- and background-biased, docs/calibration.md) or easy (the earlier generator)" };

    /// <summary>The <c>--no-masking-checks</c> flag, shared by train/demo, eval and attack.</summary>
    public static Option<bool> NoMaskingChecksOption() => new("--no-masking-checks")
    {
        Description = "Skip the gradient-masking checks that run before AutoAttack (AutoAttack's own checks on its stages cost nothing and always run)",
    };

    /// <summary>The <c>--threads</c> flag, shared by train/demo, eval and attack.</summary>
    public static Option<int?> ThreadsOption() => new("--threads")
    {
        Description = "Torch intra-op threads (default: all cores; give each of several concurrent runs its share)",
    };
    public readonly Option<string?> InitFrom = new("--init-from") { Description = "Start every model from saved weights with its own names: a run folder (its checkpoints/NAME.safetensors), a checkpoint folder or a weights file; with --clean-epochs 0 this is the paper's adversarial fine-tuning of a clean run" };
    public readonly Option<string?> PretrainedBackbone = new("--pretrained-backbone") { Description = "torchvision ResNet state_dict (.pt/.pth/.safetensors, e.g. ImageNet weights) loaded into every model's ResNet trunk before training (classifier trunk, DeepLabV3+ encoder, DeepLabV3 backbone)" };

    public readonly Option<string?> Robustness = new("--robustness") { Description = "General-robustness suites run after the attacks: comma-separated corruptions, texture, background, or all (default) or none" };
    public readonly Option<int?> RobustnessImages = new("--robustness-images") { Description = $"Test images the general-robustness suites measure, 0 = all (default {D.Robustness.Images})" };
    public readonly Option<string?> Severities = new("--severities") { Description = "Corruption severities, e.g. 1-5 (default), 3 or 1,3,5" };
    public readonly Option<string?> CorruptionTable = new("--corruption-table") { Description = "imagenet (ImageNet-C) or cifar10 (CIFAR-10-C) parameters; default cifar10 for images of at most 32 px, imagenet above" };
    public readonly Option<string?> Baseline = new("--baseline") { Description = "Model the corruption errors (mCE) are relative to; default the first non-part model; none = no mCE" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Config, Out, Data, Dataset, Workers, ImageSize, Preset, Classes, TrainSize, ValSize, TestSize, AttackPoints, Models, Segmenter, NoBackground, Width,
                     CleanEpochs, AdvEpochs, BatchSize, Optimizer, Lr, SegWeight, Eps, TrainAttackSteps, AdvTrain, TradesBeta, LabelSmoothing, SemiLabel, WarmupEpochs, PgdSteps, PgdRestarts, PaperPgd, AutoAttackPoints, NoMaskingChecks, Seed, DataSeed,
                     Robustness, RobustnessImages, Severities, CorruptionTable, Baseline, Device, Threads, PretrainedBackbone, InitFrom })
            command.Options.Add(o);
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
        if (p.GetValue(Workers) is { } workers) c = c with { Workers = workers };
        if (p.GetValue(ImageSize) is { } s) c = c with { ImageSize = s };
        if (p.GetValue(Preset) is { } preset) c = c with { PartShapes = c.PartShapes with { Preset = preset } };
        if (p.GetValue(Classes) is { } cls) c = c with { Classes = Split(cls) };
        if (p.GetValue(TrainSize) is { } tr) c = c with { TrainSize = tr };
        if (p.GetValue(ValSize) is { } va) c = c with { ValSize = va };
        if (p.GetValue(TestSize) is { } te) c = c with { TestSize = te };
        if (p.GetValue(AttackPoints) is { } ap) c = c with { AttackPoints = ap };
        if (p.GetValue(Models) is { } m) c = c with { Models = Split(m) };
        if (p.GetValue(Width) is { } w) c = c with { Width = w };
        if (p.GetValue(Segmenter) is { } seg) c = c with { Segmenter = seg };
        if (p.GetValue(NoBackground)) c = c with { Background = false };
        if (p.GetValue(DataSeed) is { } ds) c = c with { DataSeed = ds };
        if (p.GetValue(Device) is { } dev) c = c with { Device = dev };
        if (p.GetValue(Threads) is { } th) c = c with { Threads = th };
        if (p.GetValue(PretrainedBackbone) is { } pb) c = c with { PretrainedBackbone = pb };
        if (p.GetValue(InitFrom) is { } init) c = c with { InitFrom = init };
        var t = c.Train;
        if (p.GetValue(CleanEpochs) is { } ce) t = t with { CleanEpochs = ce };
        if (p.GetValue(AdvEpochs) is { } ae) t = t with { AdvEpochs = ae };
        if (p.GetValue(BatchSize) is { } bs) t = t with { BatchSize = bs };
        if (p.GetValue(Optimizer) is { } opt) t = t with { Optimizer = opt };
        if (p.GetValue(Lr) is { } lr) t = t with { LearningRate = lr };
        if (p.GetValue(SegWeight) is { } sw) t = t with { SegWeight = sw };
        if (p.GetValue(TrainAttackSteps) is { } tas) t = t with { AttackSteps = tas };
        if (p.GetValue(Seed) is { } seed) t = t with { Seed = seed };
        if (p.GetValue(AdvTrain) is { } at) t = t with { AdvTrain = at };
        if (p.GetValue(TradesBeta) is { } tb) t = t with { TradesBeta = tb };
        if (p.GetValue(LabelSmoothing) is { } ls) t = t with { LabelSmoothing = ls };
        if (p.GetValue(SemiLabel) is { } sl) t = t with { SemiLabel = sl };
        if (p.GetValue(WarmupEpochs) is { } we) t = t with { WarmupEpochs = we };
        var e = c.Eval;
        if (p.GetValue(PgdSteps) is { } ps) e = e with { PgdSteps = ps };
        if (p.GetValue(PgdRestarts) is { } pr) e = e with { PgdRestarts = pr };
        if (p.GetValue(PaperPgd)) e = e with { PaperPgd = true };
        if (p.GetValue(AutoAttackPoints) is { } aap) e = e with { AutoAttackPoints = aap };
        if (p.GetValue(NoMaskingChecks)) e = e with { MaskingChecks = false };
        if (p.GetValue(Eps) is { } epsText)
        {
            double eps = ParseEps(epsText);
            t = t with { Epsilon = eps };
            e = e with { Epsilon = eps };
        }
        var r = c.Robustness;
        if (p.GetValue(Robustness) is { } suites) r = r with { Suites = suites };
        if (p.GetValue(RobustnessImages) is { } ri) r = r with { Images = ri };
        if (p.GetValue(Severities) is { } sev) r = r with { Severities = sev };
        if (p.GetValue(CorruptionTable) is { } table) r = r with { Table = table };
        if (p.GetValue(Baseline) is { } b) r = r with { Baseline = b };
        return c with { Train = t, Eval = e, Robustness = r };
    }

    public static double ParseEps(string text)
    {
        try { return ThreatModel.ParseEpsilon(text); }
        catch (FormatException ex) { throw new ArgumentException($"--eps {ex.Message}"); }
    }

    public static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string DefaultOut(string command) => Path.Combine("runs", $"{command}-{DateTime.Now:yyyyMMdd-HHmmss}");
}
