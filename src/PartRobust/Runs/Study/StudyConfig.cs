using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartRobust.Runs.Study;

/// <summary>
/// The paper's question as one experiment: do part labels make a model more robust? Every seed × data regime trains the
/// same arms — a ResNet, part models with part labels and the same part architecture without them (the control arm) —
/// at the largest training-set size with the full evaluation (<see cref="Experiment"/>'s attacks, AutoAttack and the
/// adaptive attacks on <see cref="AutoAttackPoints"/> points, the general-robustness suite), and the data-efficiency
/// arms at every smaller size with PGD only. Written to the study folder as <c>config.json</c>.
/// </summary>
public sealed record StudyConfig
{
    /// <summary>PartShapes presets compared (<c>natural</c>, <c>easy</c>).</summary>
    public string[] Regimes { get; init; } = ["natural", "easy"];
    /// <summary>Training seeds (the data seed is fixed, so every seed is evaluated on the same test points).</summary>
    public long[] Seeds { get; init; } = [0, 1, 2];
    /// <summary>How many of <see cref="Seeds"/> (the first ones) a regime runs, by regime; a regime not listed runs all of them.</summary>
    public Dictionary<string, int>? RegimeSeeds { get; init; }
    /// <summary>The seeds regime <paramref name="regime"/> runs.</summary>
    public IEnumerable<long> SeedsOf(string regime) =>
        RegimeSeeds is { } r && r.TryGetValue(regime, out int k) ? Seeds.Take(k) : Seeds;
    /// <summary>Arms of the main runs (config model keys; <c>NAME:no-part-labels</c> is a control arm).</summary>
    public string[] Arms { get; init; } = ["resnet18", "part-downsampled", "part-bbox", "part-downsampled:no-part-labels"];
    /// <summary>Arms of the data-efficiency curve.</summary>
    public string[] CurveArms { get; init; } = ["resnet18", "part-downsampled", "part-downsampled:no-part-labels"];
    /// <summary>Regimes the data-efficiency runs are made in; null = all of <see cref="Regimes"/>.</summary>
    public string[]? CurveRegimes { get; init; }
    /// <summary>Training-set sizes of the data-efficiency curve; the largest is the main runs' size.</summary>
    public int[] TrainSizes { get; init; } = [500, 1000, 2000, 4000];
    /// <summary>Points of the main runs evaluated with AutoAttack and the adaptive attacks (their worst case is the headline); 0 = PGD only.</summary>
    [JsonPropertyName("autoattack_points")] public int AutoAttackPoints { get; init; } = 500;
    /// <summary>Test images of the general-robustness suite in the main runs (0 = all); <c>none</c> in <see cref="Experiment"/> skips it.</summary>
    public int RobustnessImages { get; init; }
    /// <summary>
    /// Everything else: data sizes, recipe, evaluation. The study's default trains longer than the demo (6 clean + 6
    /// adversarial epochs, so that the segmenter's part mIoU levels off) and attacks every test point with PGD.
    /// </summary>
    public ExperimentConfig Experiment { get; init; } = new()
    {
        AttackPoints = 1000,
        Train = new Training.TrainOptions { CleanEpochs = 6, AdvEpochs = 6 },
        Eval = new EvalOptions { OverlayImages = 8, AdversarialExamples = 0 },
    };

    /// <summary>Serialised form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonFiles.Options);

    /// <summary>Reads a study config.</summary>
    /// <exception cref="InvalidDataException">Not a study config.</exception>
    public static StudyConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"study config {path} not found", path);
        try { return JsonSerializer.Deserialize<StudyConfig>(File.ReadAllText(path), JsonFiles.Options) ?? throw new InvalidDataException($"{path} is empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a study config: {e.Message}"); }
    }

    /// <summary>The largest training-set size: that of the main runs.</summary>
    [JsonIgnore] public int MainTrainSize => TrainSizes.Max();

    /// <summary>The key robustness is judged by: <c>worst_case</c> with AutoAttack points, else <c>pgd</c>.</summary>
    [JsonIgnore] public string Headline => AutoAttackPoints > 0 ? Reporting.ReportWriter.WorstCaseKey : "pgd";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Regimes.Length == 0) throw new ArgumentException("--regimes: at least one preset is needed");
        foreach (var r in Regimes) Data.PartShapesPresets.Get(r);
        if (Regimes.Distinct().Count() != Regimes.Length) throw new ArgumentException("--regimes: a preset is listed twice");
        if (Seeds.Length == 0 || Seeds.Any(s => s < 0) || Seeds.Distinct().Count() != Seeds.Length)
            throw new ArgumentException("--seeds: expected distinct non-negative seeds (e.g. 3 or 0,1,2)");
        if (TrainSizes.Length == 0 || TrainSizes.Any(n => n < 2) || TrainSizes.Distinct().Count() != TrainSizes.Length)
            throw new ArgumentException("--train-sizes: expected distinct sizes ≥ 2 (e.g. 500,1000,2000,4000)");
        if (AutoAttackPoints < 0) throw new ArgumentException("--attack-points must be ≥ 0");
        if (RobustnessImages < 0) throw new ArgumentException("--robustness-images must be ≥ 0");
        if (Experiment.Dataset != "partshapes") throw new ArgumentException("the study generates PartShapes in each regime; --data is not supported");
        if (!Arms.Any(a => ModelArm.Parse(a).NoPartLabels))
            throw new ArgumentException("--arms: the study needs at least one control arm (NAME:no-part-labels)");
        foreach (var arms in new[] { Arms, CurveArms })
        {
            foreach (var a in arms) ModelArm.Parse(a);
            if (arms.Distinct().Count() != arms.Length) throw new ArgumentException("--arms: an arm is listed twice");
        }
        if (RegimeSeeds is { } rs && rs.FirstOrDefault(kv => !Regimes.Contains(kv.Key) || kv.Value < 1 || kv.Value > Seeds.Length) is { Key: not null } bad)
            throw new ArgumentException($"--regime-seeds {bad.Key}={bad.Value}: expected one of --regimes and 1 to {Seeds.Length} seeds");
        if (CurveRegimes?.Except(Regimes).FirstOrDefault() is { } other)
            throw new ArgumentException($"--curve-regimes: {other} is not one of --regimes");
        if (CurveArms.Except(Arms).FirstOrDefault() is { } extra)
            throw new ArgumentException($"--curve-arms: {extra} is not one of --arms (the main runs give the curve's largest size)");
        Experiment.Validate();
    }
}
