using System.Text.Json.Serialization;
using PartRobust.Distributed;

namespace PartRobust.Training;

/// <summary>
/// How a model is trained: the paper's two-stage recipe (clean warm start, then PGD or TRADES adversarial
/// fine-tuning from the best clean weights with a restarted cosine schedule), scaled by the epoch counts.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Epochs of clean training (stage 1).</summary>
    [JsonPropertyName("clean_epochs")] public int CleanEpochs { get; init; } = 3;
    /// <summary>Epochs of adversarial training (stage 2, <see cref="AdvTrain"/>); 0 = standard training only.</summary>
    [JsonPropertyName("adv_epochs")] public int AdvEpochs { get; init; } = 4;
    /// <summary>Mini-batch size.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 64;
    /// <summary>
    /// <c>adamw</c> (default) or <c>sgd</c>, the paper's choice (lr 0.1, momentum 0.9): <c>--optimizer sgd --lr 0.1</c> gives
    /// the paper's recipe.
    /// </summary>
    // AdamW by default: trained from scratch for a few epochs, SGD leaves the segmenter predicting background only.
    [JsonPropertyName("optimizer")] public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adamw;
    /// <summary>Peak learning rate of each stage's cosine schedule (AdamW default 2e-3; the paper's SGD: 0.1).</summary>
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 2e-3;
    /// <summary>SGD momentum (the paper: 0.9).</summary>
    [JsonPropertyName("momentum")] public double Momentum { get; init; } = 0.9;
    /// <summary>Weight decay on weights only, not on biases or normalisation parameters (the paper: 5e-4).</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Linear warm-up epochs at the start of each stage (fractions allowed; the paper's default is 0).</summary>
    [JsonPropertyName("warmup_epochs")] public double WarmupEpochs { get; init; } = 0.5;
    /// <summary>c_seg: weight of the segmentation loss for part models (the paper: 0.5).</summary>
    [JsonPropertyName("seg_weight")] public double SegWeight { get; init; } = 0.5;
    /// <summary>L∞ radius of the training attack (the paper: 8/255).</summary>
    [JsonPropertyName("epsilon")] public double Epsilon { get; init; } = 8.0 / 255;
    /// <summary>
    /// PGD steps of the training attack from a random start; the step size is 1.25ε/steps (the paper: 10). 1 is FGSM with a
    /// random start and step 1.25ε ("fast adversarial training", Wong et al. 2020); model selection still uses a multi-step
    /// attack (<see cref="ValAttackSteps"/>).
    /// </summary>
    // 1 by default, a tenth of the paper's attack cost, so a short run leaves time for evaluating with AutoAttack.
    [JsonPropertyName("attack_steps")] public int AttackSteps { get; init; } = 1;
    /// <summary>
    /// The adversarial stage's recipe: <c>pgd</c> (the update uses the adversarial images only, the loss is the joint
    /// loss on them) or <c>trades</c> (<see cref="TradesLoss"/> on [x; x′], the inner attack maximising the KL with the same
    /// steps and step size).
    /// </summary>
    [JsonPropertyName("adv_train")] public AdversarialRecipe AdvTrain { get; init; } = AdversarialRecipe.Pgd;
    /// <summary>TRADES β, the weight of the KL term (the paper's scripts use 1 or 2); unused with <c>pgd</c>.</summary>
    [JsonPropertyName("trades_beta")] public double TradesBeta { get; init; } = 1.0;
    /// <summary>Label smoothing of the class cross-entropy in the training loss (0 = off, the paper's setting).</summary>
    [JsonPropertyName("label_smoothing")] public double LabelSmoothing { get; init; }
    /// <summary>
    /// Fraction of training images that keep their part masks (<see cref="SemiLabels"/>); the others contribute only the
    /// class term. 1 = all (the default).
    /// </summary>
    [JsonPropertyName("semi_label")] public double SemiLabel { get; init; } = 1.0;
    /// <summary>Random horizontal flips of image and mask together.</summary>
    [JsonPropertyName("augment_flip")] public bool AugmentFlip { get; init; } = true;
    /// <summary>
    /// PGD steps of the validation attack used for model selection; null = max(2, <see cref="AttackSteps"/>). At least two
    /// steps, so that a one-step (FGSM-style) training attack cannot select an epoch with catastrophic overfitting, where
    /// the model resists the one-step attack but not a multi-step one (Wong et al. 2020).
    /// </summary>
    [JsonPropertyName("val_attack_steps")] public int? ValAttackSteps { get; init; }
    /// <summary>The validation attack's steps in effect.</summary>
    [JsonIgnore] public int EffectiveValAttackSteps => ValAttackSteps ?? Math.Max(2, AttackSteps);
    /// <summary>
    /// Validation points attacked each adversarial epoch for model selection (0 = select by clean accuracy); see
    /// <see cref="ModelSelection"/> for the rule.
    /// </summary>
    [JsonPropertyName("val_attack_points")] public int ValAttackPoints { get; init; } = 256;
    /// <summary>
    /// Batch normalisation when training on several MPI ranks: <c>sync</c> (the default), statistics over the global
    /// batch, which gives one process's result; <c>local</c>, each rank's own rows (PyTorch DDP's default). Ignored by one
    /// process; left out of config files when it is the default.
    /// </summary>
    [JsonPropertyName("batch_norm")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BatchNormMode BatchNorm { get; init; } = BatchNormMode.Sync;
    /// <summary>Seed of initialisation, shuffling, augmentation and attacks.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; } = 0;

    /// <summary>The recipe in words, e.g. "PGD-10" or "TRADES (β = 1), 10 steps".</summary>
    public string DescribeRecipe()
    {
        string steps = AttackSteps == 1 ? "1 step from a random start" : $"{AttackSteps} steps";
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return AdvTrain == AdversarialRecipe.Trades
            ? string.Create(inv, $"TRADES (β = {TradesBeta:G4}), KL attack of {steps}")
            : AttackSteps == 1 ? "PGD, 1 step from a random start (FGSM-RS)" : $"PGD, {steps}";
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (CleanEpochs < 0) throw new ArgumentException("clean_epochs must be ≥ 0");
        if (AdvEpochs < 0) throw new ArgumentException("adv_epochs must be ≥ 0");
        if (CleanEpochs + AdvEpochs == 0) throw new ArgumentException("at least one epoch of training is needed");
        if (BatchSize < 2) throw new ArgumentException("batch_size must be ≥ 2 (batch normalisation)");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException("learning_rate must be > 0");
        if (Momentum < 0 || Momentum >= 1) throw new ArgumentException("momentum must be in [0,1)");
        if (WeightDecay < 0) throw new ArgumentException("weight_decay must be ≥ 0");
        if (SegWeight < 0 || SegWeight > 1 || double.IsNaN(SegWeight)) throw new ArgumentException("seg_weight must be in [0,1]");
        if (Epsilon < 0 || double.IsNaN(Epsilon)) throw new ArgumentException("epsilon must be ≥ 0");
        if (AttackSteps < 1) throw new ArgumentException("attack_steps must be ≥ 1");
        if (ValAttackSteps is < 1) throw new ArgumentException("val_attack_steps must be ≥ 1");
        if (WarmupEpochs < 0) throw new ArgumentException("warmup_epochs must be ≥ 0");
        if (ValAttackPoints < 0) throw new ArgumentException("val_attack_points must be ≥ 0");
        if (!(TradesBeta >= 0) || double.IsInfinity(TradesBeta)) throw new ArgumentException("trades_beta (--trades-beta) must be ≥ 0");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw new ArgumentException("label_smoothing (--label-smoothing) must be in [0,1)");
        if (!(SemiLabel >= 0 && SemiLabel <= 1)) throw new ArgumentException("semi_label (--semi-label) must be in [0,1]");
    }
}
