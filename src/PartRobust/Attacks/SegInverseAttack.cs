using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// An attack on the tiny classifier through the mask (the paper code's <c>SegInverseAttack</c>): first find part logits
/// that the tiny classifier misclassifies (PGD-L2 in logit space from the clean part logits, radius
/// <see cref="MaskEpsilon"/>, default side·√K as the reference's 224·√K), then attack the image so that the segmenter
/// outputs that adversarial mask (PGD minimising the per-pixel KL divergence from its softmax). Success is any
/// misclassification of the whole model; per sample the worst case is kept.
/// </summary>
public sealed class SegInverseAttack : IPartAttack
{
    /// <inheritdoc />
    public string Name { get; }

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

    /// <summary>Seed of the image attack's random start.</summary>
    public long Seed { get; }

    Generator? generator;

    /// <summary>Creates a seg-inverse attack.</summary>
    /// <param name="epsilon">Radius ε ≥ 0 of the image attack.</param>
    /// <param name="maskEpsilon">L2 radius in logit space; null = side·√K.</param>
    /// <param name="maskSteps">Steps of the mask attack (default 100).</param>
    /// <param name="steps">Steps of the image attack (default 100).</param>
    /// <param name="stepSize">Image step size; null = max(0.001, ε/40) for L∞, ε/40 for L2.</param>
    /// <param name="norm">Norm of the image attack.</param>
    /// <param name="seed">Seed of the random start.</param>
    /// <param name="name">Report key; defaults to <c>seg-inverse</c>.</param>
    public SegInverseAttack(double epsilon, double? maskEpsilon = null, int maskSteps = 100, int steps = 100, double? stepSize = null,
        Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (epsilon < 0 || double.IsNaN(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be ≥ 0");
        if (maskEpsilon is { } me && !(me > 0)) throw new ArgumentOutOfRangeException(nameof(maskEpsilon), "mask epsilon must be > 0");
        if (maskSteps < 1) throw new ArgumentOutOfRangeException(nameof(maskSteps), "mask steps must be ≥ 1");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        Threat = new ThreatModel(norm, epsilon);
        MaskEpsilon = maskEpsilon;
        MaskSteps = maskSteps;
        Steps = steps;
        StepSize = stepSize ?? PartAttacks.PaperStepSize(epsilon, norm);
        if (!(StepSize >= 0)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Seed = seed;
        Name = name ?? "seg-inverse";
    }

    /// <summary>A one-line description of the settings, for reports.</summary>
    public string Describe() =>
        $"seg-inverse {Threat.Norm} ε={Threat.Epsilon:G4}: PGD-L2 on the part logits (radius {(MaskEpsilon is { } m ? m.ToString("G4") : "side·√K")}, {MaskSteps} steps) " +
        $"to fool the tiny classifier, then PGD on the image towards that mask (per-pixel KL), {Steps} steps of {StepSize:G4}";

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
            generator ??= new Generator((ulong)Seed, images.device);
            Tensor cleanParts;
            using (no_grad()) cleanParts = part.ForwardWithParts(images).PartLogits.detach();
            var targetLogProbs = AdversarialMask(part, cleanParts, labels).log_softmax(1).detach();
            var result = PgdCore.Perturb(images, labels, new PgdCore.Settings(Threat, Steps, StepSize, 1, true, true), generator,
                (input, index) =>
                {
                    var (l, p) = part.ForwardWithParts(input);
                    var q = targetLogProbs.index_select(0, index);
                    // KL(q ‖ p) per pixel, averaged over pixels; maximise its negative.
                    var kl = (q.exp() * (q - p.log_softmax(1))).sum(new long[] { 1 }).flatten(1).mean(new long[] { 1 });
                    return (l, kl.neg());
                });
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Part logits within L2 distance <see cref="MaskEpsilon"/> of the clean ones that the tiny classifier misclassifies:
    /// per sample the first iterate that fools it (the smallest change found), else the last.
    /// </summary>
    internal Tensor AdversarialMask(IBottomUpPartModel part, Tensor cleanParts, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        double radius = MaskEpsilon ?? cleanParts.shape[2] * Math.Sqrt(cleanParts.shape[1]);
        double step = 2.5 * radius / MaskSteps;
        var current = cleanParts.clone();
        var chosen = cleanParts.clone();
        var found = zeros(cleanParts.shape[0], dtype: ScalarType.Bool, device: cleanParts.device);
        for (int i = 0; i <= MaskSteps; i++)
        {
            using var stepScope = NewDisposeScope();
            var input = current.detach().requires_grad_(true);
            var logits = part.ClassifyParts(input);
            using (no_grad())
            {
                var fooledNow = logits.argmax(1).ne(labels).logical_and(found.logical_not());
                chosen.copy_(where(fooledNow.view(-1, 1, 1, 1), current, chosen));
                found.logical_or_(fooledNow);
            }
            if (i == MaskSteps) break;
            var loss = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
            var grad = autograd.grad(new[] { loss.sum() }, new[] { input })[0];
            using (no_grad())
            {
                var g = grad / grad.flatten(1).norm(1).clamp_min(1e-12).view(-1, 1, 1, 1);
                var delta = current + g * step - cleanParts;
                var norm = delta.flatten(1).norm(1).view(-1, 1, 1, 1);
                delta.mul_((radius / norm.clamp_min(1e-12)).clamp_max(1.0));
                current.copy_(cleanParts + delta);
            }
        }
        using (no_grad()) chosen.copy_(where(found.view(-1, 1, 1, 1), chosen, current));
        return chosen.MoveToOuterDisposeScope();
    }
}
