using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// Targeted Auto-PGD on the targeted DLR loss (<c>apgd-t</c>), L∞ or L2, following fra31/auto-attack
/// <c>APGDAttack_targeted</c>. The targets of a point are the classes with the 2nd, 3rd, … largest clean logit
/// (<see cref="TargetClasses"/> of them, capped at C − 1); each target is a separate run of
/// <see cref="Restarts"/> restart(s) on the points still classified correctly. The step-size schedule is that of
/// <see cref="ApgdAttack"/>. Success means any misclassification, as in the reference. Per sample the result is a
/// misclassified iterate if one was found, else the iterate with the highest loss; points misclassified on the
/// clean image are returned unchanged.
/// </summary>
public sealed class ApgdTargetedAttack : IDlrGradientProbe, IReportsProgress, IBatchSeeded
{
    /// <summary>Key used in reports: <c>apgd-t</c> unless given.</summary>
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

    /// <summary>Number of target classes tried (reference 9), capped at C − 1 at run time.</summary>
    public int TargetClasses { get; }

    /// <summary>Iterations per run (N).</summary>
    public int Iterations { get; }

    /// <summary>Restarts per target class.</summary>
    public int Restarts { get; }

    /// <summary>Fraction of successful steps below which (≤) the step size is halved at a checkpoint.</summary>
    public double Rho { get; }

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; }

    /// <summary>
    /// Forward/backward passes averaged per gradient (Expectation over Transformation, reference <c>eot_iter</c>);
    /// 1 for deterministic models.
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

    /// <summary>Creates an APGD-T attack; the defaults are those of the reference (AutoAttack standard).</summary>
    /// <param name="epsilon">Radius ε ≥ 0.</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="targetClasses">Target classes per point (reference n_target_classes = 9).</param>
    /// <param name="iterations">Iterations per run (reference n_iter = 100).</param>
    /// <param name="restarts">Restarts per target (reference 1).</param>
    /// <param name="rho">Checkpoint threshold ρ (reference 0.75).</param>
    /// <param name="seed">Seed of the random starts.</param>
    /// <param name="name">Report key; defaults to <c>apgd-t</c>.</param>
    /// <param name="eotIterations">Passes averaged per gradient, ≥ 1 (reference eot_iter = 1).</param>
    public ApgdTargetedAttack(double epsilon, Norm norm = Norm.Linf, int targetClasses = 9, int iterations = 100,
        int restarts = 1, double rho = 0.75, long seed = 0, string? name = null, int eotIterations = 1)
    {
        if (targetClasses < 1) throw new ArgumentOutOfRangeException(nameof(targetClasses), "targetClasses must be ≥ 1");
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), "iterations must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        if (!(rho >= 0 && rho <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), "rho must be in [0,1]");
        if (eotIterations < 1) throw new ArgumentOutOfRangeException(nameof(eotIterations), "eotIterations must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        TargetClasses = targetClasses;
        Iterations = iterations;
        Restarts = restarts;
        Rho = rho;
        Seed = seed;
        streamSeed = seed;
        EotIterations = eotIterations;
        Name = name ?? "apgd-t";
    }

    /// <inheritdoc />
    public string Describe() =>
        $"APGD-T {Threat.Norm} ε={Threat.Epsilon:G4}, {TargetClasses} target classes, {Iterations} iterations, {Restarts} restart(s) each, ρ={Rho:G3}" +
        (EotIterations > 1 ? $", EoT over {EotIterations} passes per gradient" : "");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The model has fewer than 4 classes (the targeted DLR needs z_π4).</exception>
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            generator ??= new Generator((ulong)streamSeed, images.device);
            var tracker = new ApgdCore.Tracker(model, images, labels, out long classes);
            if (classes < 4)
                throw new ArgumentException($"the targeted DLR loss of APGD-T needs at least 4 classes, the model has {classes}");
            // Targets by rank of the clean logits; rank 0 is the true class for every point attacked.
            Tensor order;
            using (no_grad()) order = model.call(images).argsort(1, descending: true);
            int nTargets = (int)Math.Min(TargetClasses, classes - 1);
            for (int t = 1; t <= nTargets; t++)
            {
                for (int r = 0; r < Restarts; r++)
                {
                    using var runScope = NewDisposeScope();
                    var todo = tracker.Todo();
                    if (todo.shape[0] == 0) break;
                    var x = images.index_select(0, todo);
                    var y = labels.index_select(0, todo);
                    var target = order.select(1, t).index_select(0, todo);
                    int run = (t - 1) * Restarts + r, runs = nTargets * Restarts, targetNumber = t, restart = r;
                    var result = ApgdCore.Run(model, x, y, Threat, Iterations, Rho,
                        logits => ApgdCore.DlrTargeted(logits, y, target), generator, EotIterations,
                        i => Progress?.Invoke(AttackProgress.At(run, runs, i, Iterations, "iteration",
                            AttackProgress.Target(targetNumber, nTargets) + AttackProgress.Restart(restart, Restarts))));
                    dlrCount.Add(x.shape[0], result.ZeroGradientStarts);
                    tracker.Merge(todo, result);
                }
            }
            var adv = tracker.Best;
            Threat.Verify(images, adv);
            return adv.detach().MoveToOuterDisposeScope();
        }
    }
}
