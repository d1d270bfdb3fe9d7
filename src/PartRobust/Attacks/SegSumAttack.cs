using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The paper's adaptive <c>seg-sum</c> attack: PGD that maximises the part model's own training loss,
/// (1 − c)·CE(class) + c·CE(parts against the true mask), so it attacks the segmenter and the classifier together.
/// With c = 0 it is PGD on the class cross-entropy. Defaults follow the paper's PGD evaluation (100 steps of
/// max(0.001, ε/40), 5 restarts); the paper's scripts use c ∈ {0.1, 0.3, 0.5, 0.7, 0.9}. Per sample the worst case
/// over steps and restarts is kept (a misclassified iterate wins, else the highest loss).
/// </summary>
public sealed class SegSumAttack : IPartAttack, IReportsProgress, IBatchSeeded
{
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Weight c of the part term.</summary>
    public double SegWeight { get; }

    /// <summary>Steps per restart.</summary>
    public int Steps { get; }

    /// <summary>Step size (sign step for L∞, normalised-gradient step for L2).</summary>
    public double StepSize { get; }

    /// <summary>Random restarts.</summary>
    public int Restarts { get; }

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; }

    Generator? generator;
    long streamSeed;

    /// <inheritdoc />
    public void SeedForBatch(long batch)
    {
        generator?.Dispose();
        generator = null;
        streamSeed = BatchSeed.Of(Seed, batch);
    }

    /// <summary>Creates a seg-sum attack.</summary>
    /// <param name="epsilon">Radius ε ≥ 0.</param>
    /// <param name="segWeight">c in [0,1] (default 0.5).</param>
    /// <param name="steps">Steps (default 100, the paper's PGD).</param>
    /// <param name="stepSize">Step size; null = max(0.001, ε/40) for L∞ and ε/40 for L2 (the paper's PGD).</param>
    /// <param name="restarts">Restarts (default 5, the paper's PGD).</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="seed">Seed of the random starts.</param>
    /// <param name="name">Report key; defaults to <c>seg-sum</c>.</param>
    public SegSumAttack(double epsilon, double segWeight = 0.5, int steps = 100, double? stepSize = null, int restarts = 5,
        Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (!(segWeight >= 0 && segWeight <= 1)) throw new ArgumentOutOfRangeException(nameof(segWeight), "c must be in [0,1]");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        SegWeight = segWeight;
        Steps = steps;
        StepSize = stepSize ?? PartAttacks.PaperStepSize(epsilon, norm);
        if (!(StepSize >= 0)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Restarts = restarts;
        Seed = seed;
        streamSeed = seed;
        Name = name ?? "seg-sum";
    }

    /// <inheritdoc />
    public string Describe() =>
        $"seg-sum {Threat.Norm} ε={Threat.Epsilon:G4}: PGD on (1−c)·CE(class) + c·CE(parts vs true mask), c={SegWeight:G3}, {Steps} steps of {StepSize:G4}, {Restarts} restart(s)";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => throw PartAttacks.NeedsTruth(Name);

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth truth)
    {
        var part = PartAttacks.RequirePartModel(model, Name);
        using (EvalMode.Enter(model))
        {
            generator ??= new Generator((ulong)streamSeed, images.device);
            return PgdCore.Perturb(images, labels, new PgdCore.Settings(Threat, Steps, StepSize, Restarts, true, true), generator,
                (input, index) =>
                {
                    var (logits, parts) = part.ForwardWithParts(input);
                    var loss = PartLoss.PerSample(logits, labels.index_select(0, index), parts, truth.Masks.index_select(0, index), SegWeight);
                    return (logits, loss);
                }, onStep: Progress is null ? null : (restart, step) =>
                    Progress?.Invoke(AttackProgress.At(restart, Restarts, step, Steps, "step", AttackProgress.Restart(restart, Restarts))));
        }
    }
}
