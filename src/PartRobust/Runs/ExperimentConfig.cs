using System.Text.Json;
using System.Text.Json.Serialization;
using PartRobust.Attacks;
using PartRobust.Models;
using PartRobust.Training;

namespace PartRobust.Runs;

/// <summary>How a trained model is evaluated.</summary>
public sealed record EvalOptions
{
    /// <summary>L∞ radius of the evaluation attack.</summary>
    public double Epsilon { get; init; } = 8.0 / 255;
    /// <summary>PGD steps.</summary>
    public int PgdSteps { get; init; } = 10;
    /// <summary>PGD step size; null = 2.5ε/steps (Madry et al.), which crosses the ball in any step count.</summary>
    public double? PgdStepSize { get; init; }
    /// <summary>PGD random restarts (per-sample worst case kept).</summary>
    public int PgdRestarts { get; init; } = 1;
    /// <summary>Use the paper's protocol instead: 100 steps of max(0.001, ε/40), 5 restarts.</summary>
    public bool PaperPgd { get; init; }
    /// <summary>Seed of the attack's random starts.</summary>
    public long Seed { get; init; } = 1234;
    /// <summary>Batch size for evaluation and attacks.</summary>
    public int BatchSize { get; init; } = 200;
    // None by default: PGD on every attacked point narrows the comparisons' confidence intervals far more than
    // AutoAttack on the few points a short run can afford.
    /// <summary>
    /// Test points (the first ones of the attacked set) evaluated with the gradient-masking checks, AutoAttack standard
    /// and, for part models, the adaptive attacks; their per-point worst case then becomes the headline. 0 = none, the
    /// default: the headline is then PGD on every attacked point.
    /// </summary>
    [JsonPropertyName("autoattack_points")] public int AutoAttackPoints { get; init; }
    /// <summary>Adaptive attacks run on part models beside AutoAttack (registry names; empty = none).</summary>
    public string[] AdaptiveAttacks { get; init; } = { "seg-sum", "seg-guided", "seg-inverse" };
    /// <summary>Run the gradient-masking checks on the AutoAttack points before AutoAttack.</summary>
    public bool MaskingChecks { get; init; } = true;
    /// <summary>Test images shown with their masks in the overlay figure.</summary>
    public int OverlayImages { get; init; } = 8;
    /// <summary>Attacked points per model drawn as adversarial examples (from the PGD run; <c>attack</c>: its last attack); 0 = none.</summary>
    public int AdversarialExamples { get; init; } = 6;

    /// <summary>The configured PGD attack.</summary>
    public PgdAttack CreatePgd() => PaperPgd
        ? PgdAttack.PaperEval(Epsilon, Seed)
        : new PgdAttack(Epsilon, PgdSteps, PgdStepSize, PgdRestarts, Norm.Linf, randomStart: true, seed: Seed, name: "pgd");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Epsilon < 0 || double.IsNaN(Epsilon)) throw new ArgumentException("--eps must be ≥ 0");
        if (PgdSteps < 1) throw new ArgumentException("--pgd-steps must be ≥ 1");
        if (PgdStepSize is { } s && (s <= 0 || double.IsNaN(s))) throw new ArgumentException("--pgd-step-size must be > 0");
        if (PgdRestarts < 1) throw new ArgumentException("--pgd-restarts must be ≥ 1");
        if (BatchSize < 1) throw new ArgumentException("eval batch size (attack --batch-size, config eval.batch_size) must be ≥ 1");
        if (OverlayImages < 0) throw new ArgumentException("overlay_images must be ≥ 0");
        if (AutoAttackPoints < 0) throw new ArgumentException("--autoattack-points must be ≥ 0");
        foreach (var a in AdaptiveAttacks ?? Array.Empty<string>())
            if (!AttackRegistry.NeedsPartModel(a)) throw new ArgumentException($"adaptive_attacks: '{a}' is not an adaptive part-model attack (expected {string.Join(", ", AttackRegistry.PartAttackNames)})");
        if (AdversarialExamples < 0) throw new ArgumentException("adversarial_examples (attack --save-examples) must be ≥ 0");
    }
}

/// <summary>The general-robustness suite run after the attacks (common corruptions, cue conflict, background variants).</summary>
public sealed record RobustnessConfig
{
    /// <summary>Comma-separated suites: <c>corruptions</c>, <c>texture</c>, <c>background</c>, <c>all</c>; <c>none</c> = skip the suite.</summary>
    public string Suites { get; init; } = "all";
    // 100 by default, a sample the demo can afford: every image is seen 107 times per model (19 corruptions × 5
    // severities, the cue-conflict set, 10 background variants). A single number then carries a sampling error of about
    // ±1/√100 = 10 points, less for the means and for differences between models on the same images.
    /// <summary>
    /// Test images measured (the first ones of the test set); 0 = all. <c>partrobust robustness</c> on the saved
    /// checkpoints measures all of them.
    /// </summary>
    public int Images { get; init; } = 100;
    // 100 rather than the eval batch size of 200: faster for the demo's small models on few cores.
    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Corruption table, <c>imagenet</c> or <c>cifar10</c>; null = CIFAR-10-C's for images of at most 32 px, ImageNet-C's above.</summary>
    public string? Table { get; init; }
    /// <summary>Severities, e.g. <c>1-5</c> or <c>1,3,5</c>.</summary>
    public string Severities { get; init; } = "1-5";
    /// <summary>Corruptions by name; null = all 19.</summary>
    public string[]? Corruptions { get; init; }
    /// <summary>Seed of the corruptions and donor choices.</summary>
    public long Seed { get; init; }
    /// <summary>Model the corruption errors (mCE) are relative to, by registry name; null = the first non-part model; <c>none</c> = no mCE.</summary>
    public string? Baseline { get; init; }

    /// <summary>False when <see cref="Suites"/> is <c>none</c>.</summary>
    [JsonIgnore] public bool Enabled => Suites.Trim() != "none";

    /// <summary>The evaluator's options (throws <see cref="ArgumentException"/> naming a bad setting).</summary>
    public Evaluation.Robustness.GeneralRobustnessOptions ToOptions()
    {
        if (Seed < 0) throw new ArgumentException($"--robustness-seed {Seed}: must be ≥ 0");
        var options = new Evaluation.Robustness.GeneralRobustnessOptions
        {
            Suites = Evaluation.Robustness.RobustnessSuites.Parse(Suites),
            Images = Images,
            Table = Table is null ? null : Evaluation.Corruptions.CorruptionRegistry.ParseTable(Table),
            Severities = Evaluation.Robustness.RobustnessSuites.ParseSeverities(Severities),
            Corruptions = Corruptions,
            Seed = (ulong)Seed,
            BatchSize = BatchSize,
        };
        options.Validate();
        return options;
    }
}

/// <summary>
/// A whole experiment: data, models, training and evaluation. It is written to <c>config.json</c> in the run
/// folder and can be given back with <c>--config</c> to reproduce the run.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>
    /// Dataset: <c>partshapes</c> (generated), <c>folder</c> (an exported PartShapes dataset in <see cref="DataDir"/>), or a
    /// real dataset prepared by <c>partrobust data prepare</c> into <see cref="DataDir"/>: <c>partimagenet</c>,
    /// <c>cityscapes</c>, <c>pascal-part</c>.
    /// </summary>
    public string Dataset { get; init; } = "partshapes";
    /// <summary>For <c>folder</c> and the real datasets: a directory with train/, val/ and test/.</summary>
    public string? DataDir { get; init; }
    /// <summary>Model input side in pixels: the PartShapes image size, or the crop size of a real dataset (the paper's 224).</summary>
    public int ImageSize { get; init; } = 32;
    /// <summary>Loader threads that decode a real dataset's images; null = one per core.</summary>
    public int? Workers { get; init; }
    /// <summary>PartShapes regime: preset (<c>natural</c> or <c>easy</c>) and knob overrides; ignored for other datasets.</summary>
    [JsonPropertyName("partshapes")] public PartShapesConfig PartShapes { get; init; } = new();
    /// <summary>The generator options of a PartShapes run (preset, overrides, size, classes, data seed).</summary>
    public Data.PartShapesOptions PartShapesOptions() => PartShapes.ToOptions(ImageSize, Classes, DataSeed);
    /// <summary>Subset of PartImageNet classes (PartShapes); null = all 11.</summary>
    public string[]? Classes { get; init; }
    /// <summary>Training images generated; for a real dataset at most this many (a fixed seed-0 subset), 0 = all.</summary>
    public int TrainSize { get; init; } = 4000;
    /// <summary>Validation images generated; for a real dataset at most this many (a fixed seed-0 subset), 0 = all.</summary>
    public int ValSize { get; init; } = 500;
    /// <summary>Test images generated (clean accuracy, part metrics); for a real dataset at most this many (a fixed seed-0 subset), 0 = all.</summary>
    public int TestSize { get; init; } = 1000;
    /// <summary>Test images attacked (the first ones of the test set).</summary>
    public int AttackPoints { get; init; } = 1000;
    /// <summary>Seed of the generated data.</summary>
    public long DataSeed { get; init; } = 1;
    /// <summary>Models to train, by registry name.</summary>
    /// <remarks>A part model with the suffix <c>:no-part-labels</c> is its control arm, trained with c_seg = 0 (<see cref="ModelArm"/>).</remarks>
    public string[] Models { get; init; } = { "part-downsampled", "part-downsampled" + ModelArm.NoPartLabelsSuffix };
    /// <summary>
    /// First-stage width of the ResNets and of the compact segmenter (64 = torchvision's); null = 16 for images of at most
    /// 64 px (the compact demo models) and 64 above. The paper's named segmenters (<c>deeplabv3plus-resnet50</c>, …) always use 64.
    /// </summary>
    public int? Width { get; init; }
    /// <summary>The width in effect (see <see cref="Width"/>).</summary>
    [JsonIgnore] public int EffectiveWidth => Width ?? (ImageSize <= 64 ? 16 : 64);
    /// <summary>Segmenter of the part models, by <see cref="SegmenterRegistry"/> name.</summary>
    public string Segmenter { get; init; } = SegmenterRegistry.Default;
    /// <summary>
    /// Whether the part models' heads see the background channel (the paper's default); false drops it from the
    /// Downsampled head's input (K−1 channels), what the authors' <c>no_bg</c> runs meant to do. Other heads ignore it.
    /// </summary>
    public bool Background { get; init; } = true;
    /// <summary>Training recipe.</summary>
    public TrainOptions Train { get; init; } = new();
    /// <summary>Evaluation settings.</summary>
    public EvalOptions Eval { get; init; } = new();
    /// <summary>General-robustness suite run on every model after the attacks.</summary>
    public RobustnessConfig Robustness { get; init; } = new();
    /// <summary>Torch device, e.g. <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Torch intra-op threads; null = libtorch's default (the number of cores).</summary>
    public int? Threads { get; init; }
    /// <summary>
    /// A torchvision ResNet state_dict file loaded into each model's ResNet trunk after the model is built, before
    /// training (see <c>TorchvisionResNetImport.ImportBackbone</c>); null = random init.
    /// </summary>
    public string? PretrainedBackbone { get; init; }
    /// <summary>
    /// Start every model from saved weights with its own names (<see cref="Training.InitialWeights"/>): a run folder (its
    /// <c>checkpoints/NAME.safetensors</c>), a checkpoint folder or one weights file. With <c>--clean-epochs 0</c> this is
    /// the paper's second stage run on its own: adversarial fine-tuning from a clean run's best checkpoint. Null = none.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>Serialised form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonFiles.Options);

    /// <summary>Reads a config file; missing keys take their defaults.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not valid JSON for a config.</exception>
    public static ExperimentConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file {path} not found", path);
        try
        {
            return FromJson(File.ReadAllText(path)) ?? throw new InvalidDataException($"config file {path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config file {path} is not a valid config: {e.Message}");
        }
    }

    /// <summary>A config from its JSON text; a config without a <c>partshapes</c> key predates presets and means <c>easy</c>.</summary>
    /// <exception cref="JsonException">Not a config.</exception>
    public static ExperimentConfig? FromJson(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (node is System.Text.Json.Nodes.JsonObject obj && !obj.ContainsKey("partshapes"))
            obj["partshapes"] = new System.Text.Json.Nodes.JsonObject { ["preset"] = "easy" };
        return node.Deserialize<ExperimentConfig>(JsonFiles.Options);
    }

    /// <summary>As <see cref="FromJson(string)"/> for a config embedded in a checkpoint.</summary>
    public static ExperimentConfig FromJson(JsonElement json) => FromJson(json.GetRawText()) ?? new ExperimentConfig();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        bool real = ExperimentData.RealDatasets.Contains(Dataset);
        if (Dataset is not ("partshapes" or "folder") && !real)
            throw new ArgumentException($"--dataset {Dataset}: expected one of: partshapes, folder, {string.Join(", ", ExperimentData.RealDatasets)}");
        if (Dataset != "partshapes" && string.IsNullOrEmpty(DataDir)) throw new ArgumentException($"--dataset {Dataset} needs --data DIR");
        if (Dataset != "partshapes" && !Directory.Exists(DataDir)) throw new DirectoryNotFoundException($"--data {DataDir}: folder not found");
        if (Dataset == "partshapes") PartShapesOptions(); // names a bad preset or knob
        if (real && Classes is not null) throw new ArgumentException($"--classes applies to PartShapes only; {Dataset} uses all its classes");
        if (ImageSize < 32 || ImageSize > 224) throw new ArgumentException($"--image-size {ImageSize}: expected 32 to 224");
        if (real ? TrainSize is < 0 or 1 : TrainSize < 2) throw new ArgumentException($"--train-size must be ≥ 2{(real ? " (or 0 = all)" : "")}");
        if (real ? ValSize < 0 : ValSize < 1) throw new ArgumentException($"--val-size must be ≥ 1{(real ? " (or 0 = all)" : "")}");
        if (real ? TestSize < 0 : TestSize < 1) throw new ArgumentException($"--test-size must be ≥ 1{(real ? " (or 0 = all)" : "")}");
        if (Workers is < 1) throw new ArgumentException("--workers must be ≥ 1");
        if (AttackPoints < 0) throw new ArgumentException("--attack-points must be ≥ 0");
        if (Models.Length == 0) throw new ArgumentException("--models: at least one model is needed");
        foreach (var m in Models) ModelArm.Parse(m); // throws naming an unknown model
        if (Models.Distinct().Count() != Models.Length) throw new ArgumentException($"--models {string.Join(",", Models)}: a model is listed twice");
        if (Width is < 4) throw new ArgumentException("--width must be ≥ 4");
        SegmenterRegistry.Describe(Segmenter); // throws naming an unknown segmenter
        if (Threads is < 1) throw new ArgumentException("--threads must be ≥ 1");
        if (PretrainedBackbone is { } pb && !File.Exists(pb)) throw new FileNotFoundException($"--pretrained-backbone {pb}: file not found", pb);
        if (InitFrom is { } init) foreach (var m in Models) Training.InitialWeights.Resolve(init, ModelArm.Parse(m).FileStem); // names the missing file
        if (InitFrom is not null && PretrainedBackbone is not null) throw new ArgumentException("--init-from and --pretrained-backbone: give one of them");
        Train.Validate();
        Eval.Validate();
        if (Robustness.Enabled)
        {
            Robustness.ToOptions();
            if (Robustness.Baseline is { } b && b != "none" && !Models.Contains(b))
                throw new ArgumentException($"--baseline {b}: not one of the models ({string.Join(", ", Models)}) or none");
        }
    }
}
