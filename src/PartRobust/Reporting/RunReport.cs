using System.Reflection;
using System.Text.Json.Serialization;
using PartRobust.Training;

namespace PartRobust.Reporting;

/// <summary>The machine-readable result of a run: what <c>report.json</c> holds and <c>report.md</c> shows.</summary>
public sealed record RunReport
{
    /// <summary>How the run was configured.</summary>
    public required RunSettings Settings { get; init; }

    /// <summary>One entry per trained or evaluated model.</summary>
    public required List<ModelResult> Models { get; init; }

    /// <summary>
    /// Paired comparisons between models on the same points (<see cref="RunComparisons"/>): part labels vs no part labels
    /// for each part architecture with a control arm, and part models vs the plain classifier, on clean accuracy, PGD and
    /// the headline attack, each with its 95% CI and p-value. Null in older reports.
    /// </summary>
    public List<Evaluation.Statistics.PairedComparison>? Comparisons { get; init; }

    /// <summary>The verdict on part supervision (<see cref="RunComparisons.Verdict"/>); null without a control arm.</summary>
    public string? Verdict { get; init; }

    /// <summary>Machine facts (OS, cores, torch threads) and the wall-clock time of the run.</summary>
    public required RunEnvironment Environment { get; init; }
}

/// <summary>Settings recorded with every report, enough to reproduce it with the config file.</summary>
public sealed record RunSettings
{
    /// <summary>Dataset name, e.g. <c>partshapes</c>.</summary>
    public required string Dataset { get; init; }
    /// <summary>Image size in pixels (square).</summary>
    public required int ImageSize { get; init; }
    /// <summary>Number of classes.</summary>
    public required int NumClasses { get; init; }
    /// <summary>Accuracy of guessing uniformly, 1/C.</summary>
    public required double ChanceAccuracy { get; init; }
    /// <summary>Training / validation / test sizes.</summary>
    public required int TrainSize { get; init; }
    /// <summary>Validation set size.</summary>
    public required int ValSize { get; init; }
    /// <summary>Test set size (clean accuracy).</summary>
    public required int TestSize { get; init; }
    /// <summary>Number of test points attacked.</summary>
    public required int AttackPoints { get; init; }
    /// <summary>L∞ radius used for training and evaluation.</summary>
    public required double Epsilon { get; init; }
    /// <summary>The same radius written as a fraction, e.g. "8/255".</summary>
    public required string EpsilonText { get; init; }
    /// <summary>PGD steps used during adversarial training.</summary>
    public required int TrainAttackSteps { get; init; }
    /// <summary>The adversarial training recipe, <c>pgd</c> or <c>trades</c> (null in older reports: pgd).</summary>
    public AdversarialRecipe? AdvTrain { get; init; }
    /// <summary>TRADES β when <see cref="AdvTrain"/> is <c>trades</c>.</summary>
    public double? TradesBeta { get; init; }
    /// <summary>Evaluation attacks, keyed as in <see cref="ModelResult.RobustAccuracy"/>, with their settings.</summary>
    public required Dictionary<string, string> EvalAttacks { get; init; }
    /// <summary>Clean (warm-start) epochs and adversarial epochs.</summary>
    public required int CleanEpochs { get; init; }
    /// <summary>Adversarial training epochs.</summary>
    public required int AdvEpochs { get; init; }
    /// <summary>Weight of the segmentation loss.</summary>
    public required double SegWeight { get; init; }
    /// <summary>Seeds: data and training.</summary>
    public required Dictionary<string, long> Seeds { get; init; }
    /// <summary>
    /// The <see cref="ModelResult.RobustAccuracy"/> key the report's headline and winner are decided under, e.g.
    /// <c>worst_case</c> or <c>autoattack</c>; null to use the attack with the lowest mean robust accuracy
    /// (<see cref="ReportWriter.StrongestAttack"/>).
    /// </summary>
    public string? HeadlineAttack { get; init; }
    /// <summary>How the general-robustness suite was run; null when it was not.</summary>
    public RobustnessSettings? GeneralRobustness { get; init; }
}

/// <summary>The settings of a general-robustness evaluation (common corruptions, cue conflict, backgrounds).</summary>
public sealed record RobustnessSettings
{
    /// <summary>Suites run: any of <c>corruptions</c>, <c>texture</c>, <c>background</c>.</summary>
    public required List<string> Suites { get; init; }
    /// <summary>Test images each suite was measured on (the first ones of the test set).</summary>
    public required int Images { get; init; }
    /// <summary>Corruption parameter table: <c>imagenet</c> (ImageNet-C, the paper's) or <c>cifar10</c> (CIFAR-10-C).</summary>
    public string? Table { get; init; }
    /// <summary>Corruptions run, by imagecorruptions name.</summary>
    public List<string>? Corruptions { get; init; }
    /// <summary>Severities run (1–5).</summary>
    public List<int>? Severities { get; init; }
    /// <summary>Seed of the corruptions' random draws and of the donor choices.</summary>
    public required long Seed { get; init; }
    /// <summary>Model (registry name) the corruption errors are relative to; null = none.</summary>
    public string? MceBaseline { get; init; }
    /// <summary>How the cue-conflict images were made.</summary>
    public string? CueConflictMethod { get; init; }
    /// <summary>How the background variants were made.</summary>
    public string? BackgroundMethod { get; init; }
    /// <summary>Figures of the suite, relative to the run folder (heat map, contact sheet).</summary>
    public List<string>? Figures { get; init; }
    /// <summary>Wall-clock seconds of the whole suite (building the images and every model's forward passes).</summary>
    public double? Seconds { get; init; }
}

/// <summary>Results for one model.</summary>
public sealed record ModelResult
{
    /// <summary>Registry name.</summary>
    public required string Name { get; init; }
    /// <summary>Human-readable name, e.g. "Downsampled part model".</summary>
    public required string DisplayName { get; init; }
    /// <summary>Trainable parameter count.</summary>
    public required long Parameters { get; init; }
    /// <summary>Segmenter of a part model (<c>SegmenterRegistry</c> name); null for a plain classifier or when unknown.</summary>
    public string? Segmenter { get; init; }
    /// <summary>First-stage width of the model's ResNet / compact segmenter (64 = torchvision's); null when unknown.</summary>
    public int? Width { get; init; }
    /// <summary>For part models: false when the head drops the background channel; null otherwise.</summary>
    public bool? BackgroundChannel { get; init; }

    /// <summary>This result with the architecture fields of <paramref name="spec"/> filled in.</summary>
    public ModelResult WithArchitecture(Models.ModelSpec spec)
    {
        bool part = Models.ModelRegistry.IsPartModel(spec.Name);
        return this with { Segmenter = part ? spec.Segmenter : null, Width = spec.Width, BackgroundChannel = part ? spec.Background : null };
    }
    /// <summary>
    /// Per-point outcomes behind the accuracies, for paired comparisons between models evaluated on the same points:
    /// <c>clean</c> over the test images, and each attack key over the attacked points in order; one character per point,
    /// '1' = correct (clean) or robust (attack), '0' otherwise (<see cref="PerPointOutcomes"/>). Null in older reports.
    /// </summary>
    public Dictionary<string, string>? PerPoint { get; init; }
    /// <summary>c_seg the part model was trained with (0 = the control arm, no part labels); null for a plain classifier.</summary>
    public double? SegWeight { get; init; }
    /// <summary>Wall-clock training time.</summary>
    public required double TrainSeconds { get; init; }
    /// <summary>Adversarial-training throughput in images per second (0 if not adversarially trained).</summary>
    public double AdvTrainImagesPerSecond { get; init; }
    /// <summary>Clean test accuracy in [0,1].</summary>
    public required double CleanAccuracy { get; init; }
    /// <summary>Clean accuracy on the attacked subset (the baseline robust accuracy is compared to).</summary>
    public required double CleanAccuracyAttackSubset { get; init; }
    /// <summary>
    /// Robust accuracy in [0,1] keyed by attack name, e.g. <c>pgd</c>, <c>apgd-ce</c>, <c>autoattack</c>,
    /// <c>seg-guided</c>, and <c>worst_case</c>: the per-point worst case over every attack run on the model (a point
    /// counts as robust only if no attack broke it).
    /// </summary>
    public required Dictionary<string, double> RobustAccuracy { get; init; }
    /// <summary>For attack sequences other than AutoAttack (keys with '+'): robust accuracy after each attack, in order.</summary>
    public Dictionary<string, List<StageResult>>? AttackStages { get; init; }
    /// <summary>
    /// For each AutoAttack version run, keyed as <see cref="RobustAccuracy"/> (<c>autoattack</c>, <c>autoattack-plus</c>,
    /// …): robust accuracy after each of its stages, in order. Each stage attacks only the points still robust.
    /// </summary>
    [JsonPropertyName("autoattack_stages")] public Dictionary<string, List<StageResult>>? AutoAttackStages { get; init; }
    /// <summary>
    /// Wall-clock time of each attack run, keyed as <see cref="RobustAccuracy"/>. Its <c>points</c> are the n of each
    /// attack's ±1/√n sampling error in report.md; a <c>worst_case</c> entry, if any, gives the points the worst case was
    /// taken over (without one, the fewest points of the model's other attacks are assumed).
    /// </summary>
    public Dictionary<string, AttackTiming>? AttackTiming { get; init; }
    /// <summary>
    /// Configured adaptive attacks that were not run on this part model because they do not apply to it (e.g. seg-guided
    /// on a two-headed model, whose class head does not read the mask), with the reason; null when none.
    /// </summary>
    public Dictionary<string, string>? AttacksNotApplicable { get; init; }
    /// <summary>Gradient-masking checks, when they were run (<c>attack --masking-checks</c>).</summary>
    public List<MaskingCheckRecord>? MaskingChecks { get; init; }
    /// <summary>Part pixel accuracy in [0,1] (part models only).</summary>
    public double? PartPixelAccuracy { get; init; }
    /// <summary>Mean IoU over part labels present (part models only).</summary>
    public double? PartMiou { get; init; }
    /// <summary>
    /// The figure of the first attacked points (clean, adversarial, perturbation, part masks), relative to the run
    /// folder, e.g. <c>adversarial_resnet18.png</c>; null when none was drawn.
    /// </summary>
    public string? AdversarialExamplesFigure { get; init; }
    /// <summary>The exact tensors of that figure (safetensors: clean, adversarial, labels, predictions, epsilon), relative to the run folder.</summary>
    public string? AdversarialExamplesTensors { get; init; }
    /// <summary>The attack (a key of <see cref="RobustAccuracy"/>) whose adversarial images the figure shows.</summary>
    public string? AdversarialExamplesAttack { get; init; }
    /// <summary>
    /// The kept points themselves, between evaluation and <see cref="AdversarialExamplesFigure.WriteRunFiles"/>; not
    /// written to report.json (the safetensors file holds them).
    /// </summary>
    [JsonIgnore] public PartRobust.Evaluation.AdversarialExamples? Examples { get; init; }
    /// <summary>
    /// General robustness: mean accuracy in [0,1] over the ImageNet-C benchmark corruptions and severities evaluated
    /// (the extras speckle, gaussian blur, spatter and saturate are in <see cref="Corruptions"/> but not in this mean, as in
    /// ImageNet-C); null when the corruption suite was not run.
    /// </summary>
    public double? CorruptionAccuracy { get; init; }
    /// <summary>Accuracy in [0,1] per corruption (imagecorruptions name) and severity (<c>"1"</c>…<c>"5"</c>).</summary>
    public Dictionary<string, Dictionary<string, double>>? Corruptions { get; init; }
    /// <summary>
    /// Corruption error CE_c relative to the run's baseline model (<see cref="RobustnessSettings.MceBaseline"/>):
    /// Σ_s error_s,c / Σ_s baseline error_s,c, per corruption; null without a baseline.
    /// </summary>
    public Dictionary<string, double>? CorruptionErrors { get; init; }
    /// <summary>mCE: the mean of <see cref="CorruptionErrors"/> over the benchmark corruptions (1 = the baseline's); null without a baseline.</summary>
    public double? Mce { get; init; }
    /// <summary>
    /// Relative mCE (Hendrycks and Dietterich): as <see cref="Mce"/> with each error minus the model's clean error;
    /// null without a baseline or when the baseline loses nothing to some corruption.
    /// </summary>
    public double? RelativeMce { get; init; }
    /// <summary>Accuracy in [0,1] on the shape label of the cue-conflict images (shape class ≠ texture class).</summary>
    public double? CueConflictAccuracy { get; init; }
    /// <summary>Fraction of cue-conflict images classified as the texture's class.</summary>
    public double? TextureAccuracy { get; init; }
    /// <summary>Shape bias (Geirhos et al.): shape hits / (shape hits + texture hits), in [0,1].</summary>
    public double? ShapeBias { get; init; }
    /// <summary>
    /// Accuracy in [0,1] per background variant: ImageNet-9's names built from the masks (<c>original</c>,
    /// <c>only_fg</c>, <c>only_bg_b</c>, <c>no_fg</c>, <c>only_bg_t</c>, <c>mixed_same</c>, <c>mixed_rand</c>) and, on
    /// PartShapes, the generator's own variants (<c>gen_only_fg</c>, <c>gen_only_bg</c>, <c>gen_mixed_rand</c>).
    /// </summary>
    [JsonPropertyName("background")] public Dictionary<string, double>? BackgroundAccuracy { get; init; }
    /// <summary>BG-gap: acc(<c>mixed_same</c>) − acc(<c>mixed_rand</c>), in [−1,1].</summary>
    public double? BgGap { get; init; }
    /// <summary>Seconds of this model's share of the general-robustness evaluation (its forward passes).</summary>
    public double? GeneralRobustnessSeconds { get; init; }
    /// <summary>Checkpoint path relative to the run folder.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>Per-epoch training history.</summary>
    public required List<EpochRecord> History { get; init; }
}

/// <summary>One gradient-masking check as reported.</summary>
public sealed record MaskingCheckRecord
{
    /// <summary>Check name, e.g. <c>zero-gradients</c>.</summary>
    public required string Name { get; init; }
    /// <summary><c>pass</c> or <c>warn</c>.</summary>
    public required MaskingCheckStatus Status { get; init; }
    /// <summary>What was measured.</summary>
    public required string Detail { get; init; }
    /// <summary>What a warning means.</summary>
    public required string Meaning { get; init; }

    /// <summary>The record of a check's outcome.</summary>
    public static MaskingCheckRecord From(Evaluation.MaskingCheckResult check) =>
        new() { Name = check.Name, Status = check.Passed ? MaskingCheckStatus.Pass : MaskingCheckStatus.Warn, Detail = check.Detail, Meaning = check.Meaning };
}

/// <summary>How long one attack took.</summary>
public sealed record AttackTiming
{
    /// <summary>Points attacked.</summary>
    public required int Points { get; init; }
    /// <summary>Clean accuracy on the attacked points (the start of an AutoAttack stage table); null in older reports.</summary>
    public double? CleanAccuracy { get; init; }
    /// <summary>Total wall-clock seconds.</summary>
    public required double Seconds { get; init; }
    /// <summary>Points per second.</summary>
    public required double PointsPerSecond { get; init; }
    /// <summary>Batch size the attack ran with.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Seconds of each batch, in order.</summary>
    public required List<double> BatchSeconds { get; init; }
}

/// <summary>Robust accuracy after one stage of an attack sequence.</summary>
public sealed record StageResult
{
    /// <summary>The attack of this stage.</summary>
    public required string Attack { get; init; }
    /// <summary>Robust accuracy in [0,1] after this stage (and all earlier ones).</summary>
    public required double RobustAccuracy { get; init; }
    /// <summary>Wall-clock seconds of this stage over all batches (null in reports written before it was recorded).</summary>
    public double? Seconds { get; init; }
}

/// <summary>Where and when the run happened.</summary>
public sealed record RunEnvironment
{
    /// <summary>OS description.</summary>
    public required string Os { get; init; }
    /// <summary>Logical processors.</summary>
    public required int Cores { get; init; }
    /// <summary>Torch intra-op threads.</summary>
    public required int TorchThreads { get; init; }
    /// <summary>Device, e.g. cpu.</summary>
    public required string Device { get; init; }
    /// <summary>UTC start time, ISO 8601.</summary>
    public required string StartedUtc { get; init; }
    /// <summary>Total wall-clock seconds.</summary>
    public required double TotalSeconds { get; init; }
    /// <summary>PartRobust version, with the commit it was built from when known (e.g. <c>0.1.0+1daee8e…</c>).</summary>
    public required string Version { get; init; }

    /// <summary>This process's machine facts, for a run that started at <paramref name="startedUtc"/> and took <paramref name="seconds"/>.</summary>
    public static RunEnvironment Capture(string device, string startedUtc, double seconds) => new()
    {
        Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Cores = System.Environment.ProcessorCount,
        TorchThreads = TorchSharp.torch.get_num_threads(),
        Device = device,
        StartedUtc = startedUtc,
        TotalSeconds = seconds,
        Version = typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
    };
}
