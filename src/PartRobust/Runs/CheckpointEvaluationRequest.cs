namespace PartRobust.Runs;

/// <summary>What to evaluate; null values take the checkpoint's training configuration.</summary>
public sealed record CheckpointEvaluationRequest
{
    /// <summary>Checkpoint stem or file.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>Dataset folder (its test/ split, or the folder itself when it holds index.csv); null = regenerate PartShapes.</summary>
    public string? DataDir { get; init; }
    /// <summary>L∞ radius.</summary>
    public double? Epsilon { get; init; }
    /// <summary>PGD steps.</summary>
    public int? PgdSteps { get; init; }
    /// <summary>PGD restarts.</summary>
    public int? PgdRestarts { get; init; }
    /// <summary>The paper's PGD protocol.</summary>
    public bool PaperPgd { get; init; }
    /// <summary>Test points attacked.</summary>
    public int? AttackPoints { get; init; }
    /// <summary>Points evaluated with AutoAttack and the adaptive attacks when no <see cref="Attacks"/> are named; null = the config's.</summary>
    public int? AutoAttackPoints { get; init; }
    /// <summary>Points per attack batch (AutoAttack's reference uses 250); null = the config's eval batch size.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Test images for clean accuracy (regenerated PartShapes).</summary>
    public int? TestSize { get; init; }
    /// <summary>Torch device.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>
    /// Torch intra-op threads for this process; null = libtorch's default (all cores). Two runs sharing the cores
    /// should each get their share: oversubscribed libtorch threads slow both several-fold.
    /// </summary>
    public int? Threads { get; init; }
    /// <summary>
    /// Attacks by registry name (<see cref="Attacks.AttackRegistry"/>; '+' joins a sequence) run instead of the
    /// configured PGD; null = the configured PGD only.
    /// </summary>
    public string[]? Attacks { get; init; }
    /// <summary>Norm of the threat model for <see cref="Attacks"/>.</summary>
    public Attacks.Norm Norm { get; init; } = PartRobust.Attacks.Norm.Linf;
    /// <summary>
    /// Run the gradient-masking checks before the attacks and put them in the report; null = run them when an
    /// AutoAttack version is among <see cref="Attacks"/>.
    /// </summary>
    public bool? MaskingChecks { get; init; }
    /// <summary>
    /// For a part model, add the adaptive attacks (seg-sum, seg-guided, seg-inverse) when an AutoAttack version is
    /// requested and none is named, so its reported worst case covers them.
    /// </summary>
    public bool Adaptive { get; init; } = true;
    /// <summary>A config whose eval section, attack points and test size replace the checkpoint's (flags still win).</summary>
    public ExperimentConfig? Settings { get; init; }
    /// <summary>
    /// Attacked points drawn as adversarial examples (figure and safetensors in the run folder), taken from the last
    /// of <see cref="Attacks"/> (the configured PGD without them); 0 = none; null = the config's
    /// <see cref="EvalOptions.AdversarialExamples"/>.
    /// </summary>
    public int? SaveExamples { get; init; }
    /// <summary>The general-robustness suite run after the attacks; null = none.</summary>
    public RobustnessConfig? Robustness { get; init; }
}
