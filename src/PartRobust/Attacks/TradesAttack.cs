using PartRobust.Distributed;
using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The inner maximisation of TRADES (Zhang et al. 2019) as the paper's training code runs it (<c>TRADESAttackModule</c>):
/// sign-gradient ascent on KL(softmax f(x) ‖ softmax f(x′)) summed over classes, per sample, from a uniform random start
/// in the ε-ball (not TRADES' 0.001·N(0,1)), projected onto the ball and [0,1] after every step, with the model in eval
/// mode. The clean logits f(x) are computed once and held fixed. It needs no labels. It returns x′ only (the reference
/// returns cat([x, x′]); the trainer builds that batch itself).
/// </summary>
public sealed class TradesAttack : IAttack, IBatchSeeded
{
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Gradient steps.</summary>
    public int Steps { get; }

    /// <summary>L∞ sign-step size (L2: length of the normalised gradient step).</summary>
    public double StepSize { get; }

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; }

    /// <summary>
    /// Set when the images passed to <c>Perturb</c> are one rank's block of a larger batch (data-parallel training): the
    /// random start is drawn for the whole batch and sliced (<see cref="ThreatModel.RandomStart"/>), so every rank's
    /// generator stays where one process's would be. Null (the default): the images are the whole batch.
    /// </summary>
    public BatchShard? Shard { get; set; }

    Generator? generator;
    long streamSeed;

    /// <inheritdoc />
    public void SeedForBatch(long batch)
    {
        generator?.Dispose();
        generator = null;
        pendingState = null;
        streamSeed = BatchSeed.Of(Seed, batch);
    }
    byte[]? pendingState;

    /// <summary>Creates the attack.</summary>
    public TradesAttack(double epsilon, int steps, double stepSize, Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 1");
        if (stepSize < 0 || double.IsNaN(stepSize)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Threat = new ThreatModel(norm, epsilon);
        Steps = steps;
        StepSize = stepSize;
        Seed = seed;
        streamSeed = seed;
        Name = name ?? "trades-train";
    }

    /// <summary>The paper's training setting: the PGD training attack's steps and step size (1.25ε/steps), one random start.</summary>
    public static TradesAttack PaperTraining(double epsilon, int steps = 10, long seed = 0) =>
        new(epsilon, steps, 1.25 * epsilon / Math.Max(1, steps), Norm.Linf, seed);

    /// <inheritdoc />
    public string Describe() =>
        $"TRADES KL attack {Threat.Norm} ε={Threat.Epsilon:G4}, {Steps} steps of {StepSize:G4}, random start";

    /// <summary>
    /// KL(softmax <paramref name="cleanLogits"/> ‖ softmax <paramref name="otherLogits"/>) of each sample [B], summed over
    /// classes: Σ_k p_k (log p_k − log q_k). Written with TorchSharp's <c>kl_div(input, target, log_target, reduction)</c>,
    /// whose defaults differ from PyTorch's (TorchSharp 0.107: <c>log_target = true</c>, PyTorch: false), so every
    /// argument is given: input = log q, target = log p in log space, no reduction.
    /// </summary>
    public static Tensor KlPerSample(Tensor cleanLogits, Tensor otherLogits)
    {
        using var scope = NewDisposeScope();
        var logP = nn.functional.log_softmax(cleanLogits, 1);
        var logQ = nn.functional.log_softmax(otherLogits, 1);
        var pointwise = nn.functional.kl_div(logQ, logP, log_target: true, reduction: nn.Reduction.None);
        return pointwise.sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>Adversarial images x′; <paramref name="labels"/> is not used (TRADES needs none).</summary>
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using (EvalMode.Enter(model))
        {
            generator ??= RandomState.Create(streamSeed, images.device, pendingState);
            Tensor clean;
            using (no_grad()) clean = model.call(images).detach();
            var settings = new PgdCore.Settings(Threat, Steps, StepSize, Restarts: 1, RandomStart: true, KeepWorstCase: false) { Shard = Shard };
            return PgdCore.Perturb(images, labels, settings, generator, (input, index) =>
            {
                var logits = model.call(input);
                return (logits, KlPerSample(clean.index_select(0, index), logits));
            }).MoveToOuterDisposeScope();
        }
    }

    /// <summary>The random-start generator's state (null before the first call), for resuming a training run.</summary>
    public byte[]? SaveRandomState() => generator is null ? pendingState : RandomState.Save(generator);

    /// <summary>Restores a state from <see cref="SaveRandomState"/> (null: as before the first call).</summary>
    public void RestoreRandomState(byte[]? state)
    {
        generator?.Dispose();
        generator = null;
        pendingState = state;
    }
}
