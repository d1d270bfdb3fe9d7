using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// An attack on the tiny classifier through the mask (the authors' <c>SegInverseAttack</c>, with their evaluation
/// settings: 100 steps, 2 restarts). Each restart, on the points still classified correctly:
/// <list type="number">
/// <item>mask attack: PGD-L2 in part-logit space that maximises the tiny classifier's CE, from the clean part logits
/// plus a Gaussian direction of length <see cref="MaskEpsilon"/> (default side·√K, the reference's 224·√K); each step
/// adds the gradient scaled to 2·radius/steps and puts the change back on the sphere of that radius; the last iterate's
/// softmax is the target mask;</item>
/// <item>image attack: PGD from a uniform random start in the ε-ball on (1 − c)·CE(class, y) − c·KL(target ‖ mask), so it
/// both raises the class loss and drives the segmenter's mask to the target.</item>
/// </list>
/// Per point any misclassified iterate wins, else the restart with the highest CE(class, y).
/// <para>Deviations from the reference code: the reference's c is the command-line <c>--seg-const-atk</c>, default 0,
/// with which the target mask is unused and the attack is a 2-restart PGD; here c defaults to 0.5 (the first value its
/// scripts give <c>--seg-const-atk</c>) so the mask term acts, and <c>seg-inverse:C</c> sets it. Its mask term calls
/// <c>kl_div</c> on raw logits and averages over (part, row) only; here it is the per-pixel KL divergence from the
/// segmenter's softmax, averaged over pixels. Any misclassified iterate is kept, not only the final one.</para>
/// </summary>
public sealed class SegInverseAttack : IPartAttack, IReportsProgress, IBatchSeeded
{
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>L2 radius of the mask attack in logit space; null = image side × √K.</summary>
    public double? MaskEpsilon { get; }

    /// <summary>Steps of the mask attack.</summary>
    public int MaskSteps { get; }

    /// <summary>Steps of the image attack.</summary>
    public int Steps { get; }

    /// <summary>Step size of the image attack.</summary>
    public double StepSize { get; }

    /// <summary>Weight c of the mask term; 1 − c weighs the class term.</summary>
    public double SegWeight { get; }

    /// <summary>Restarts, each with a new random start for both the mask and the image attack (the authors' 2).</summary>
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

    /// <summary>Creates a seg-inverse attack with the authors' evaluation settings by default.</summary>
    /// <param name="epsilon">Radius ε ≥ 0 of the image attack.</param>
    /// <param name="maskEpsilon">L2 radius in logit space; null = side·√K.</param>
    /// <param name="maskSteps">Steps of the mask attack (default 100).</param>
    /// <param name="steps">Steps of the image attack (default 100).</param>
    /// <param name="stepSize">Image step size; null = max(0.001, ε/40) for L∞, ε/40 for L2.</param>
    /// <param name="segWeight">c in [0,1] (default 0.5).</param>
    /// <param name="restarts">Restarts (default 2).</param>
    /// <param name="norm">Norm of the image attack.</param>
    /// <param name="seed">Seed of the random starts.</param>
    /// <param name="name">Report key; defaults to <c>seg-inverse</c>.</param>
    public SegInverseAttack(double epsilon, double? maskEpsilon = null, int maskSteps = 100, int steps = 100, double? stepSize = null,
        double segWeight = 0.5, int restarts = 2, Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (maskEpsilon is { } me && !(me > 0)) throw new ArgumentOutOfRangeException(nameof(maskEpsilon), "mask epsilon must be > 0");
        if (maskSteps < 1) throw new ArgumentOutOfRangeException(nameof(maskSteps), "mask steps must be ≥ 1");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        if (!(segWeight >= 0 && segWeight <= 1)) throw new ArgumentOutOfRangeException(nameof(segWeight), "c must be in [0,1]");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        MaskEpsilon = maskEpsilon;
        MaskSteps = maskSteps;
        Steps = steps;
        StepSize = stepSize ?? PartAttacks.PaperStepSize(epsilon, norm);
        if (!(StepSize >= 0)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        SegWeight = segWeight;
        Restarts = restarts;
        Seed = seed;
        streamSeed = seed;
        Name = name ?? "seg-inverse";
    }

    /// <inheritdoc />
    public string Describe() =>
        $"seg-inverse {Threat.Norm} ε={Threat.Epsilon:G4}: PGD-L2 on the part logits (radius {(MaskEpsilon is { } m ? m.ToString("G4") : "side·√K")}, random start, {MaskSteps} steps) " +
        $"to fool the tiny classifier, then PGD on the image on (1−c)·CE(class) − c·KL(target mask ‖ mask) with c={SegWeight:G3}, " +
        $"{Steps} steps of {StepSize:G4}, {Restarts} restart(s)";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => throw PartAttacks.NeedsTruth(Name);

    /// <inheritdoc />
    /// <remarks>The part truth is not needed by this attack (it targets the model's own mask); any may be passed.</remarks>
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth truth)
    {
        var part = PartAttacks.RequireBottomUpModel(model, Name);
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            generator ??= new Generator((ulong)streamSeed, images.device);
            Tensor cleanLogits, cleanParts;
            using (no_grad()) (cleanLogits, cleanParts) = part.ForwardWithParts(images);
            var tracker = new RestartTracker(images, labels, cleanLogits);
            for (int r = 0; r < Restarts; r++)
            {
                using var restartScope = NewDisposeScope();
                int restart = r;
                var todo = tracker.Robust().nonzero().flatten();
                if (todo.shape[0] == 0) break;
                var x = images.index_select(0, todo);
                var y = labels.index_select(0, todo);
                var targetLogProbs = AdversarialMask(part, cleanParts.index_select(0, todo), y).log_softmax(1).detach();
                var adv = PgdCore.Perturb(x, y, new PgdCore.Settings(Threat, Steps, StepSize, 1, true, true), generator,
                    (input, index) =>
                    {
                        var (l, p) = part.ForwardWithParts(input);
                        var q = targetLogProbs.index_select(0, index);
                        // KL(q ‖ p) per pixel, averaged over pixels.
                        var kl = (q.exp() * (q - p.log_softmax(1))).sum(new long[] { 1 }).flatten(1).mean(new long[] { 1 });
                        var ce = nn.functional.cross_entropy(l, y.index_select(0, index), reduction: nn.Reduction.None);
                        return (l, ce * (1 - SegWeight) - kl * SegWeight);
                    }, onStep: Progress is null ? null : (_, step) =>
                        Progress?.Invoke(AttackProgress.At(restart, Restarts, step, Steps, "image step", AttackProgress.Restart(restart, Restarts))));
                tracker.Offer(model, todo, adv);
            }
            var result = tracker.Best;
            Threat.Verify(images, result);
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The reference's mask attack: part logits at L2 distance exactly <see cref="MaskEpsilon"/> from the clean ones,
    /// found by <see cref="MaskSteps"/> steps of normalised-gradient ascent on the tiny classifier's CE (step
    /// 2·radius/steps) from a random point of that sphere, each step projected back onto the sphere; the last iterate.
    /// </summary>
    internal Tensor AdversarialMask(IBottomUpPartModel part, Tensor cleanParts, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        generator ??= new Generator((ulong)streamSeed, cleanParts.device);
        double radius = MaskEpsilon ?? cleanParts.shape[2] * Math.Sqrt(cleanParts.shape[1]);
        double step = 2 * radius / MaskSteps;
        var current = cleanParts + OnSphere(randn(cleanParts.shape, dtype: cleanParts.dtype, device: cleanParts.device, generator: generator), radius);
        for (int i = 0; i < MaskSteps; i++)
        {
            using var stepScope = NewDisposeScope();
            var input = current.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(part.ClassifyParts(input), labels, reduction: nn.Reduction.None);
            var grad = autograd.grad(new[] { loss.sum() }, new[] { input })[0];
            using (no_grad()) current.copy_(cleanParts + OnSphere(current - cleanParts + OnSphere(grad, step), radius));
        }
        return current.detach().MoveToOuterDisposeScope();
    }

    /// <summary>Each row scaled to L2 norm <paramref name="radius"/> (the reference's <c>_project_l2</c>, with its 1e-6).</summary>
    static Tensor OnSphere(Tensor t, double radius) => t / (t.flatten(1).norm(1).view(-1, 1, 1, 1) + 1e-6) * radius;
}
