using PartRobust.Distributed;
using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// Projected gradient descent (Madry et al. 2018) on the cross-entropy of the class logits, L∞ or L2.
/// With <see cref="Restarts"/> &gt; 1 each restart attacks only the points still classified correctly and
/// the per-sample worst case is kept: a misclassified iterate if any step of any restart found one, else the
/// iterate with the highest loss. This is never weaker than keeping the last iterate of the best restart
/// (the reference's rule) and every returned image is a verified member of the threat model.
/// </summary>
public sealed class PgdAttack : IReportsProgress, IBatchSeeded
{
    /// <summary>Key used in reports.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Gradient steps per restart.</summary>
    public int Steps { get; }

    /// <summary>Step size: for L∞ the sign step, for L2 the length of the normalised gradient step.</summary>
    public double StepSize { get; }

    /// <summary>Number of random restarts (1 = a single run).</summary>
    public int Restarts { get; }

    /// <summary>Start from a uniformly random point of the ball (true) or from the clean image.</summary>
    public bool RandomStart { get; }

    /// <summary>Seed of the random starts, so an evaluation is reproducible.</summary>
    public long Seed { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <summary>
    /// When false the attack returns the last iterate of the first restart with no per-sample bookkeeping
    /// (the cheaper form used to generate training examples).
    /// </summary>
    public bool KeepWorstCase { get; }

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

    /// <summary>Creates a PGD attack.</summary>
    public PgdAttack(double epsilon, int steps, double? stepSize = null, int restarts = 1, Norm norm = Norm.Linf,
        bool randomStart = true, long seed = 0, bool keepWorstCase = true, string? name = null)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        Steps = steps;
        StepSize = stepSize ?? (steps > 0 ? 2.5 * epsilon / steps : 0);
        if (StepSize < 0) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Restarts = restarts;
        RandomStart = randomStart;
        Seed = seed;
        streamSeed = seed;
        KeepWorstCase = keepWorstCase;
        Name = name ?? "pgd";
    }

    /// <summary>The paper's evaluation setting: 100 steps, step max(0.001, ε/40), 5 restarts.</summary>
    public static PgdAttack PaperEval(double epsilon, long seed = 0) =>
        new(epsilon, steps: 100, stepSize: Math.Max(0.001, epsilon / 40), restarts: 5, seed: seed, name: "pgd");

    /// <summary>The paper's training attack: 10 steps (by default) of 1.25ε/steps, one random start.</summary>
    public static PgdAttack PaperTraining(double epsilon, int steps = 10, long seed = 0) =>
        new(epsilon, steps, stepSize: 1.25 * epsilon / Math.Max(1, steps), restarts: 1, seed: seed, keepWorstCase: false, name: "pgd-train");

    /// <inheritdoc />
    public string Describe() =>
        $"PGD {Threat.Norm} ε={Threat.Epsilon:G4}, {Steps} steps of {StepSize:G4}, {Restarts} restart(s){(RandomStart ? ", random start" : "")}";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using (EvalMode.Enter(model))
        {
            // One generator per attack object: successive calls draw fresh random starts, and a run that makes
            // the same calls in the same order gets the same ones.
            generator ??= RandomState.Create(streamSeed, images.device, pendingState);
            return PgdCore.Perturb(images, labels, new PgdCore.Settings(Threat, Steps, StepSize, Restarts, RandomStart, KeepWorstCase) { Shard = Shard },
                generator, (input, index) =>
                {
                    var logits = model.call(input);
                    return (logits, nn.functional.cross_entropy(logits, labels.index_select(0, index), reduction: nn.Reduction.None));
                }, onStep: Progress is null ? null : (restart, step) =>
                    Progress?.Invoke(AttackProgress.At(restart, Restarts, step, Steps, "step", AttackProgress.Restart(restart, Restarts))));
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
