using PartRobust.Models;
using PartRobust.Training;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The paper's adaptive <c>seg-guided</c> attack (<c>SegGuidedAttack</c>, guide selection <c>2nd_pred_by_scores</c>):
/// a targeted PGD that pushes the predicted part mask towards the true mask of an image of another class, so the tiny
/// classifier sees that class's parts. The target class of a point is its runner-up clean prediction (the next one
/// down when the guide pool has no image of that class); its guide is the pool mask of that class that the tiny
/// classifier itself finds most convincing (scored on the one-hot mask as logits, ×1000 − 500, as the reference does).
/// With <see cref="TwoStage"/> a first PGD run minimises the part loss to the guide alone and seeds the second, which
/// minimises (1 − c)·CE(class, target) + c·CE(parts, guide). Success is any misclassification. Per sample the worst
/// case over both stages is kept. Points with no usable guide are returned unchanged.
/// </summary>
public sealed class SegGuidedAttack : IPartAttack
{
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Weight c of the part term in the second stage (the paper's main setting is 0 with two stages).</summary>
    public double SegWeight { get; }

    /// <summary>Run the part-only first stage.</summary>
    public bool TwoStage { get; }

    /// <summary>Steps per stage.</summary>
    public int Steps { get; }

    /// <summary>Step size (sign step for L∞, normalised-gradient step for L2).</summary>
    public double StepSize { get; }

    /// <summary>Seed of the random start of the first stage.</summary>
    public long Seed { get; }

    Generator? generator;

    /// <summary>Creates a seg-guided attack; defaults follow the paper's <c>2nd_pred_by_scores/0.0/ts</c> setting.</summary>
    /// <param name="epsilon">Radius ε ≥ 0.</param>
    /// <param name="segWeight">c in [0,1] of the second stage (default 0).</param>
    /// <param name="twoStage">Run the part-only first stage (default true).</param>
    /// <param name="steps">Steps per stage (default 100).</param>
    /// <param name="stepSize">Step size; null = max(0.001, ε/40) for L∞ and ε/40 for L2.</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="seed">Seed of the random start.</param>
    /// <param name="name">Report key; defaults to <c>seg-guided</c>.</param>
    public SegGuidedAttack(double epsilon, double segWeight = 0.0, bool twoStage = true, int steps = 100, double? stepSize = null,
        Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (epsilon < 0 || double.IsNaN(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be ≥ 0");
        if (!(segWeight >= 0 && segWeight <= 1)) throw new ArgumentOutOfRangeException(nameof(segWeight), "c must be in [0,1]");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        Threat = new ThreatModel(norm, epsilon);
        SegWeight = segWeight;
        TwoStage = twoStage;
        Steps = steps;
        StepSize = stepSize ?? PartAttacks.PaperStepSize(epsilon, norm);
        if (!(StepSize >= 0)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Seed = seed;
        Name = name ?? "seg-guided";
    }

    /// <summary>A one-line description of the settings, for reports.</summary>
    public string Describe() =>
        $"seg-guided {Threat.Norm} ε={Threat.Epsilon:G4}: targeted PGD towards the true mask of the runner-up class (guide scored by the classifier), " +
        (TwoStage ? "part-only stage then " : "") + $"(1−c)·CE(class, target) + c·CE(parts, guide) with c={SegWeight:G3}, {Steps} steps of {StepSize:G4} per stage";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => throw PartAttacks.NeedsTruth(Name);

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth truth)
    {
        var part = PartAttacks.RequireBottomUpModel(model, Name);
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            generator ??= new Generator((ulong)Seed, images.device);
            Tensor logits, partLogits;
            using (no_grad()) (logits, partLogits) = part.ForwardWithParts(images);
            long classes = logits.shape[1];
            var bestGuide = BestGuidePerClass(part, truth, partLogits.shape[1], classes);
            var (target, guideIndex) = ChooseTargets(logits.argsort(1, descending: true), labels, bestGuide);
            var result = images.clone();
            var todo = target.ge(0).logical_and(logits.argmax(1).eq(labels)).nonzero().flatten();
            if (todo.shape[0] > 0)
            {
                var x = images.index_select(0, todo);
                var y = labels.index_select(0, todo);
                var t = target.index_select(0, todo);
                var guide = truth.GuideMasks.index_select(0, guideIndex.index_select(0, todo));
                Tensor? start = null;
                if (TwoStage)
                {
                    start = PgdCore.Perturb(x, y, new PgdCore.Settings(Threat, Steps, StepSize, 1, true, true), generator,
                        (input, index) =>
                        {
                            var (l, p) = part.ForwardWithParts(input);
                            return (l, PartLoss.SegmentationPerSample(p, guide.index_select(0, index)).neg());
                        });
                }
                var adv = PgdCore.Perturb(x, y, new PgdCore.Settings(Threat, Steps, StepSize, 1, true, true), generator,
                    (input, index) =>
                    {
                        var (l, p) = part.ForwardWithParts(input);
                        return (l, PartLoss.PerSample(l, t.index_select(0, index), p, guide.index_select(0, index), SegWeight).neg());
                    }, start);
                result.index_copy_(0, todo, adv);
            }
            Threat.Verify(images, result);
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Per class, the index into the guide pool of its most convincing mask (margin of the tiny classifier on the
    /// one-hot mask ×1000 − 500), or −1 when the pool has no image of that class.
    /// </summary>
    internal static long[] BestGuidePerClass(IBottomUpPartModel part, PartTruth truth, long segLabels, long classes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long pool = truth.GuideMasks.shape[0];
        var best = Enumerable.Repeat(-1L, (int)classes).ToArray();
        var bestScore = Enumerable.Repeat(double.NegativeInfinity, (int)classes).ToArray();
        var poolLabels = truth.GuideLabels.cpu().data<long>().ToArray();
        const int chunk = 64;
        for (long start = 0; start < pool; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long n = Math.Min(chunk, pool - start);
            var masks = truth.GuideMasks.narrow(0, start, n).clamp_min(0); // ignored pixels count as background
            var oneHot = nn.functional.one_hot(masks, segLabels).permute(0, 3, 1, 2).to_type(ScalarType.Float32) * 1000 - 500;
            var z = part.ClassifyParts(oneHot);
            var y = truth.GuideLabels.narrow(0, start, n);
            var zy = z.gather(1, y.view(-1, 1)).squeeze(1);
            var others = z.scatter(1, y.view(-1, 1), full(new long[] { n, 1 }, double.NegativeInfinity, dtype: z.dtype, device: z.device)).amax(1);
            var margin = (zy - others).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < n; i++)
            {
                long c = poolLabels[start + i];
                if (c < 0 || c >= classes) continue;
                if (margin[i] > bestScore[c]) { bestScore[c] = margin[i]; best[c] = start + i; }
            }
        }
        return best;
    }

    /// <summary>Per point the highest-ranked class other than its label that has a guide, and that guide (−1 if none).</summary>
    static (Tensor Target, Tensor Guide) ChooseTargets(Tensor order, Tensor labels, long[] bestGuide)
    {
        var ord = order.cpu().data<long>().ToArray();
        var lab = labels.cpu().data<long>().ToArray();
        long n = labels.shape[0], c = order.shape[1];
        var target = new long[n];
        var guide = new long[n];
        for (long i = 0; i < n; i++)
        {
            target[i] = -1; guide[i] = 0;
            for (long r = 0; r < c; r++)
            {
                long k = ord[i * c + r];
                if (k == lab[i] || bestGuide[k] < 0) continue;
                target[i] = k; guide[i] = bestGuide[k];
                break;
            }
        }
        return (tensor(target, device: labels.device), tensor(guide, device: labels.device));
    }
}
