using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// Auto-PGD (Croce &amp; Hein 2020), untargeted, on the cross-entropy (<c>apgd-ce</c>) or the DLR loss
/// (<c>apgd-dlr</c>), L∞ or L2, following fra31/auto-attack <c>APGDAttack</c>: initial step 2ε, momentum 0.75,
/// checkpoints at intervals 0.22·N shrinking by 0.03·N to 0.06·N, where the step of a sample is halved (and it
/// restarts from its best point) if at most a fraction ρ of the steps since the last checkpoint increased the
/// loss, or if its step was not halved at the last checkpoint and its best loss has not improved since.
/// Each restart attacks only the points still classified correctly. Per sample the result is a misclassified
/// iterate if one was found, else the iterate with the highest loss; points misclassified on the clean image
/// are returned unchanged. With <see cref="EotIterations"/> &gt; 1 every gradient is the mean over that many
/// forward/backward passes (Expectation over Transformation), for randomised models.
/// </summary>
public sealed class ApgdAttack : IDlrGradientProbe, IReportsProgress, IBatchSeeded
{
    /// <summary>Key used in reports: <c>apgd-ce</c> or <c>apgd-dlr</c> unless given.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <inheritdoc />
    public int DlrStarts => dlrCount.Starts;

    /// <inheritdoc />
    public int ZeroDlrGradientStarts => dlrCount.ZeroGradient;

    readonly DlrGradientCount dlrCount = new();

    void IDlrGradientProbe.AddCounts(int starts, int zeroGradient) => dlrCount.Add(starts, zeroGradient);

    /// <summary>The loss maximised: <c>ce</c> (cross-entropy) or <c>dlr</c> (difference of logits ratio).</summary>
    public string Loss { get; }

    /// <summary>Iterations per restart (N).</summary>
    public int Iterations { get; }

    /// <summary>Number of restarts, each from a fresh random start.</summary>
    public int Restarts { get; }

    /// <summary>Fraction of successful steps below which (≤) the step size is halved at a checkpoint.</summary>
    public double Rho { get; }

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; }

    /// <summary>
    /// Forward/backward passes averaged per gradient (Expectation over Transformation, reference <c>eot_iter</c>):
    /// 1 for deterministic models, 20 in AutoAttack's <c>rand</c> version for randomised defences.
    /// </summary>
    public int EotIterations { get; }

    Generator? generator;
    long streamSeed;

    /// <inheritdoc />
    public void SeedForBatch(long batch)
    {
        generator?.Dispose();
        generator = null;
        streamSeed = BatchSeed.Of(Seed, batch);
    }

    /// <summary>Creates an APGD attack; the defaults are those of the reference (AutoAttack standard).</summary>
    /// <param name="epsilon">Radius ε ≥ 0.</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="loss"><c>ce</c> or <c>dlr</c>; DLR needs at least 3 classes.</param>
    /// <param name="iterations">Iterations per restart (reference n_iter = 100).</param>
    /// <param name="restarts">Restarts (reference n_restarts = 1 in the standard version).</param>
    /// <param name="rho">Checkpoint threshold ρ (reference 0.75).</param>
    /// <param name="seed">Seed of the random starts.</param>
    /// <param name="name">Report key; defaults to <c>apgd-</c> followed by the loss.</param>
    /// <param name="eotIterations">Passes averaged per gradient, ≥ 1 (reference eot_iter = 1; 20 in the <c>rand</c> version).</param>
    public ApgdAttack(double epsilon, Norm norm = Norm.Linf, string loss = "ce", int iterations = 100, int restarts = 1,
        double rho = 0.75, long seed = 0, string? name = null, int eotIterations = 1)
    {
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), "iterations must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        if (!(rho >= 0 && rho <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), "rho must be in [0,1]");
        if (eotIterations < 1) throw new ArgumentOutOfRangeException(nameof(eotIterations), "eotIterations must be ≥ 1");
        Loss = (loss ?? throw new ArgumentNullException(nameof(loss))).Trim().ToLowerInvariant();
        if (Loss != "ce" && Loss != "dlr") throw new ArgumentException($"unknown APGD loss '{loss}': use 'ce' or 'dlr'", nameof(loss));
        Threat = new ThreatModel(norm, epsilon);
        Iterations = iterations;
        Restarts = restarts;
        Rho = rho;
        Seed = seed;
        streamSeed = seed;
        EotIterations = eotIterations;
        Name = name ?? "apgd-" + Loss;
    }

    /// <summary>
    /// Lengths of the successive checkpoint intervals within <paramref name="iterations"/> iterations: the first is
    /// max(⌊0.22 N⌋,1), each next one shorter by max(⌊0.03 N⌋,1) down to max(⌊0.06 N⌋,1). For N = 100:
    /// 22, 19, 16, 13, 10, 7, 6, 6.
    /// </summary>
    public static int[] CheckpointIntervals(int iterations)
    {
        var (k, decrease, min) = ApgdCore.Schedule(iterations);
        var result = new List<int>();
        for (int used = 0; used + k <= iterations; used += k, k = Math.Max(k - decrease, min)) result.Add(k);
        return result.ToArray();
    }

    /// <inheritdoc />
    public string Describe() =>
        $"APGD-{Loss.ToUpperInvariant()} {Threat.Norm} ε={Threat.Epsilon:G4}, {Iterations} iterations, {Restarts} restart(s), ρ={Rho:G3}" +
        (EotIterations > 1 ? $", EoT over {EotIterations} passes per gradient" : "");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The DLR loss is used on a model with fewer than 3 classes.</exception>
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            generator ??= new Generator((ulong)streamSeed, images.device);
            var tracker = new ApgdCore.Tracker(model, images, labels, out long classes);
            if (Loss == "dlr" && classes < 3)
                throw new ArgumentException($"the DLR loss needs at least 3 classes, the model has {classes}");
            for (int r = 0; r < Restarts; r++)
            {
                using var restartScope = NewDisposeScope();
                var todo = tracker.Todo();
                if (todo.shape[0] == 0) break;
                var x = images.index_select(0, todo);
                var y = labels.index_select(0, todo);
                Func<Tensor, Tensor> loss = Loss == "ce"
                    ? logits => nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None)
                    : logits => ApgdCore.Dlr(logits, y);
                int restart = r;
                var result = ApgdCore.Run(model, x, y, Threat, Iterations, Rho, loss, generator, EotIterations,
                    i => Progress?.Invoke(AttackProgress.At(restart, Restarts, i, Iterations, "iteration", AttackProgress.Restart(restart, Restarts))));
                if (Loss == "dlr") dlrCount.Add(x.shape[0], result.ZeroGradientStarts);
                tracker.Merge(todo, result);
            }
            var adv = tracker.Best;
            Threat.Verify(images, adv);
            return adv.detach().MoveToOuterDisposeScope();
        }
    }
}
