using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The paper's adaptive <c>seg-guided</c> attack (<c>SegGuidedAttack</c>, guide selection <c>2nd_pred_by_scores</c>,
/// the authors' script <c>seg-guide/2nd_pred_by_scores/0.0/ts</c>): a targeted PGD that pushes the predicted part mask
/// towards the true mask of an image of another class, so the tiny classifier sees that class's parts.
/// <para>Guides, as the reference: every pool mask is scored by the tiny classifier on its one-hot mask ×1000 and filed
/// under the class the classifier predicts for it, best softmax score first (a class with none gets the pool masks
/// labelled with it). A point's target class is the highest-ranked class of its clean logits (true class excluded)
/// that has guides; its <see cref="Restarts"/> guides are that class's best ones (cycled when it has fewer).</para>
/// <para>Restart i, on the points still classified correctly: with <see cref="TwoStage"/> a first PGD run from a random
/// start minimises CE(parts, guide i) alone; the second run starts there and minimises
/// (1 − c)·CE(class, target) + c·CE(parts, guide i). Success is any misclassification; per point any misclassified
/// iterate wins, else the restart with the highest CE(class, true label). Points with no usable guide are returned
/// unchanged.</para>
/// <para>Deviations from the reference code: its first stage stores the clean image instead of its result, so its
/// second stage starts from the clean image; here the second stage starts from the first stage's result, as the
/// attack is described. Any misclassified iterate is kept, not only the final one. A class the classifier assigns no
/// pool mask to gets the masks labelled with it, where the reference would move on to the next class in the point's
/// ranking, which can be its true class (an attack towards the right answer). All three can only lower robust
/// accuracy.</para>
/// </summary>
public sealed class SegGuidedAttack : IPartAttack, IReportsProgress, IBatchSeeded
{
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

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

    /// <summary>Restarts, one per guide (the reference's <c>num_restarts</c> = 5).</summary>
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

    /// <summary>Creates a seg-guided attack; defaults follow the authors' <c>2nd_pred_by_scores/0.0/ts</c> setting.</summary>
    /// <param name="epsilon">Radius ε ≥ 0.</param>
    /// <param name="segWeight">c in [0,1] of the second stage (default 0).</param>
    /// <param name="twoStage">Run the part-only first stage (default true).</param>
    /// <param name="steps">Steps per stage (default 100).</param>
    /// <param name="stepSize">Step size; null = max(0.001, ε/40) for L∞ and ε/40 for L2.</param>
    /// <param name="restarts">Restarts, one guide each (default 5).</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="seed">Seed of the random starts.</param>
    /// <param name="name">Report key; defaults to <c>seg-guided</c>.</param>
    public SegGuidedAttack(double epsilon, double segWeight = 0.0, bool twoStage = true, int steps = 100, double? stepSize = null,
        int restarts = 5, Norm norm = Norm.Linf, long seed = 0, string? name = null)
    {
        if (!(segWeight >= 0 && segWeight <= 1)) throw new ArgumentOutOfRangeException(nameof(segWeight), "c must be in [0,1]");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        SegWeight = segWeight;
        TwoStage = twoStage;
        Steps = steps;
        StepSize = stepSize ?? PartAttacks.PaperStepSize(epsilon, norm);
        if (!(StepSize >= 0)) throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be ≥ 0");
        Restarts = restarts;
        Seed = seed;
        streamSeed = seed;
        Name = name ?? "seg-guided";
    }

    /// <inheritdoc />
    public string Describe() =>
        $"seg-guided {Threat.Norm} ε={Threat.Epsilon:G4}: targeted PGD towards true masks of the runner-up class with guides (best by the tiny classifier's score), " +
        $"{Restarts} restart(s) with one guide each, " + (TwoStage ? "part-only stage then " : "") +
        $"(1−c)·CE(class, target) + c·CE(parts, guide) with c={SegWeight:G3}, {Steps} steps of {StepSize:G4} per stage";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => throw PartAttacks.NeedsTruth(Name);

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth truth)
    {
        var part = PartAttacks.RequireBottomUpModel(model, Name);
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            generator ??= new Generator((ulong)streamSeed, images.device);
            Tensor logits, partLogits;
            using (no_grad()) (logits, partLogits) = part.ForwardWithParts(images);
            var guides = GuidesPerClass(part, truth, partLogits.shape[1], logits.shape[1], Restarts);
            var (target, guideIndex) = ChooseTargets(logits.argsort(1, descending: true), labels, guides, Restarts);
            var tracker = new RestartTracker(images, labels, logits);
            var usable = target.ge(0);
            for (int r = 0; r < Restarts; r++)
            {
                using var restartScope = NewDisposeScope();
                var todo = tracker.Robust().logical_and(usable).nonzero().flatten();
                if (todo.shape[0] == 0) break;
                var x = images.index_select(0, todo);
                var y = labels.index_select(0, todo);
                var t = target.index_select(0, todo);
                var guide = truth.GuideMasks.index_select(0, guideIndex.select(1, r).index_select(0, todo));
                var settings = new PgdCore.Settings(Threat, Steps, StepSize, 1, true, true);
                Tensor? start = null;
                if (TwoStage)
                    start = PgdCore.Perturb(x, y, settings, generator, (input, index) =>
                    {
                        var (l, p) = part.ForwardWithParts(input);
                        return (l, PartLoss.SegmentationPerSample(p, guide.index_select(0, index)).neg());
                    }, onStep: StepReporter(r, 0));
                var adv = PgdCore.Perturb(x, y, settings, generator, (input, index) =>
                {
                    var (l, p) = part.ForwardWithParts(input);
                    return (l, PartLoss.PerSample(l, t.index_select(0, index), p, guide.index_select(0, index), SegWeight).neg());
                }, start, StepReporter(r, TwoStage ? 1 : 0));
                tracker.Offer(model, todo, adv);
            }
            var result = tracker.Best;
            Threat.Verify(images, result);
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Reports the steps of stage <paramref name="stage"/> (0 = part-only, 1 = class) of restart <paramref name="restart"/>;
    /// null when nobody listens.
    /// </summary>
    Action<int, int>? StepReporter(int restart, int stage)
    {
        if (Progress is null) return null;
        int stages = TwoStage ? 2 : 1;
        string where = AttackProgress.Restart(restart, Restarts) + (TwoStage ? $"stage {stage + 1}/2, " : "");
        return (_, step) => Progress?.Invoke(AttackProgress.At(restart * stages + stage, Restarts * stages, step, Steps, "step", where));
    }

    /// <summary>
    /// Per class, the indices into the guide pool of the masks the tiny classifier assigns to that class (argmax on the
    /// one-hot mask ×1000, as the reference), best softmax score first, at most <paramref name="count"/>. A class the
    /// classifier assigns no pool mask to falls back to the pool masks labelled with it, by the same score (the
    /// reference would then fall through to the next class, which can be the true one); empty when the pool has neither.
    /// Ignored pixels (−1) count as background.
    /// </summary>
    internal static long[][] GuidesPerClass(IBottomUpPartModel part, PartTruth truth, long segLabels, long classes, int count)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long pool = truth.GuideMasks.shape[0];
        var probs = new double[pool * classes];
        const int chunk = 64;
        for (long start = 0; start < pool; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long n = Math.Min(chunk, pool - start);
            var masks = truth.GuideMasks.narrow(0, start, n).clamp_min(0);
            var oneHot = nn.functional.one_hot(masks, segLabels).permute(0, 3, 1, 2).to_type(ScalarType.Float32) * 1000;
            var p = part.ClassifyParts(oneHot).to_type(ScalarType.Float64).softmax(1).cpu().data<double>().ToArray();
            Array.Copy(p, 0, probs, start * classes, p.Length);
        }
        var poolLabels = truth.GuideLabels.cpu().data<long>().ToArray();
        long Predicted(long i) => Enumerable.Range(0, (int)classes).MaxBy(c => probs[i * classes + c]);
        var predicted = Enumerable.Range(0, (int)pool).Select(i => Predicted(i)).ToArray();
        return Enumerable.Range(0, (int)classes).Select(c =>
        {
            var assigned = Enumerable.Range(0, (int)pool).Where(i => predicted[i] == c).ToList();
            if (assigned.Count == 0) assigned = Enumerable.Range(0, (int)pool).Where(i => poolLabels[i] == c).ToList();
            // Stable: equal scores keep pool order.
            return assigned.OrderByDescending(i => probs[i * classes + c]).Take(count).Select(i => (long)i).ToArray();
        }).ToArray();
    }

    /// <summary>
    /// Per point the highest-ranked class other than its label that has guides (−1 if none), and its guide for each
    /// restart [B, restarts] (the class's guides cycled).
    /// </summary>
    static (Tensor Target, Tensor Guides) ChooseTargets(Tensor order, Tensor labels, long[][] guides, int restarts)
    {
        var ord = order.cpu().data<long>().ToArray();
        var lab = labels.cpu().data<long>().ToArray();
        long n = labels.shape[0], c = order.shape[1];
        var target = new long[n];
        var chosen = new long[n * restarts];
        for (long i = 0; i < n; i++)
        {
            target[i] = -1;
            for (long r = 0; r < c; r++)
            {
                long k = ord[i * c + r];
                if (k == lab[i] || guides[k].Length == 0) continue;
                target[i] = k;
                for (int j = 0; j < restarts; j++) chosen[i * restarts + j] = guides[k][j % guides[k].Length];
                break;
            }
        }
        return (tensor(target, device: labels.device), tensor(chosen, new long[] { n, restarts }, device: labels.device));
    }
}
