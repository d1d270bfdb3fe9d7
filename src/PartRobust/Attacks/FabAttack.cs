using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// FAB, the Fast Adaptive Boundary attack (Croce &amp; Hein 2020), L∞ or L2, untargeted (<c>fab</c>) or targeted
/// (<c>fab-t</c>), following fra31/auto-attack <c>FABAttack</c>. A minimal-norm attack: each iteration linearises the
/// decision boundary to the chosen class, projects both the current iterate and the clean image onto that hyperplane
/// intersected with the [0,1] box (the minimal-norm box-constrained projection), moves to a convex combination of the
/// two projections (weight on the clean image α ≤ <see cref="AlphaMax"/>, overshoot <see cref="Eta"/>) and, once
/// misclassified, steps back towards the clean image by the factor <see cref="Beta"/>. Untargeted: the class with the
/// smallest linearised distance; targeted: the classes with the 2nd, 3rd, … largest clean logit
/// (<see cref="TargetClasses"/>, capped at C − 1), each run on the points still robust. Restarts after the first
/// start at a random point at distance ε/2, as in the reference.
/// As an <see cref="IAttack"/>, a point gets the smallest adversarial example found if its norm is ≤ ε, else the clean
/// image; <see cref="MinimalPerturbation"/> returns the smallest one regardless of ε.
/// </summary>
public sealed class FabAttack : IReportsProgress, IBatchSeeded
{
    /// <summary>Key used in reports: <c>fab</c> or <c>fab-t</c> unless given.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <summary>Whether the targeted version (FAB-T) is run.</summary>
    public bool Targeted { get; }

    /// <summary>Number of target classes tried by FAB-T (reference 9), capped at C − 1 at run time.</summary>
    public int TargetClasses { get; }

    /// <summary>Iterations per run.</summary>
    public int Iterations { get; }

    /// <summary>Runs per target (FAB-T) or in total (FAB); all but the first start at a random point.</summary>
    public int Restarts { get; }

    /// <summary>Largest weight α of the step from the clean image (reference 0.1).</summary>
    public double AlphaMax { get; }

    /// <summary>Overshoot factor of the projection steps (reference 1.05).</summary>
    public double Eta { get; }

    /// <summary>Backward step towards the clean image once misclassified (reference 0.9).</summary>
    public double Beta { get; }

    /// <summary>Seed of the random restarts.</summary>
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

    /// <summary>Creates a FAB attack; the defaults are those of the reference (AutoAttack standard).</summary>
    /// <param name="epsilon">Radius ε ≥ 0 (also the scale of the random restarts).</param>
    /// <param name="norm">L∞ or L2.</param>
    /// <param name="targeted">FAB-T instead of untargeted FAB.</param>
    /// <param name="targetClasses">Target classes per point for FAB-T (reference n_target_classes = 9).</param>
    /// <param name="iterations">Iterations per run (reference n_iter = 100).</param>
    /// <param name="restarts">Restarts (reference 1 in AutoAttack standard).</param>
    /// <param name="alphaMax">α_max (reference 0.1).</param>
    /// <param name="eta">η (reference 1.05).</param>
    /// <param name="beta">β (reference 0.9).</param>
    /// <param name="seed">Seed of the random restarts.</param>
    /// <param name="name">Report key; defaults to <c>fab</c> or <c>fab-t</c>.</param>
    public FabAttack(double epsilon, Norm norm = Norm.Linf, bool targeted = false, int targetClasses = 9,
        int iterations = 100, int restarts = 1, double alphaMax = 0.1, double eta = 1.05, double beta = 0.9,
        long seed = 0, string? name = null)
    {
        if (targetClasses < 1) throw new ArgumentOutOfRangeException(nameof(targetClasses), "targetClasses must be ≥ 1");
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), "iterations must be ≥ 0");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        if (!(alphaMax >= 0 && alphaMax <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaMax), "alphaMax must be in [0,1]");
        if (!(eta >= 1)) throw new ArgumentOutOfRangeException(nameof(eta), "eta must be ≥ 1");
        if (!(beta > 0 && beta <= 1)) throw new ArgumentOutOfRangeException(nameof(beta), "beta must be in (0,1]");
        Threat = new ThreatModel(norm, epsilon);
        Targeted = targeted;
        TargetClasses = targetClasses;
        Iterations = iterations;
        Restarts = restarts;
        AlphaMax = alphaMax;
        Eta = eta;
        Beta = beta;
        Seed = seed;
        streamSeed = seed;
        Name = name ?? (targeted ? "fab-t" : "fab");
    }

    /// <inheritdoc />
    public string Describe() =>
        (Targeted ? $"FAB-T {Threat.Norm} ε={Threat.Epsilon:G4}, {TargetClasses} target classes, " : $"FAB {Threat.Norm} ε={Threat.Epsilon:G4}, ") +
        $"{Iterations} iterations, {Restarts} restart(s), α_max={AlphaMax:G3}, η={Eta:G3}, β={Beta:G3}";

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            var (best, norms) = Search(model, images, labels, Threat.Epsilon);
            Tensor adv;
            using (no_grad()) adv = where(PerSample(norms.le(Threat.Epsilon), images.dim()), best, images);
            Threat.Verify(images, adv);
            return adv.detach().MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The smallest adversarial example found per point, regardless of ε (all targets and restarts are run on every
    /// correctly classified point); the clean image where none was found or the point is misclassified.
    /// </summary>
    public Tensor MinimalPerturbation(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using (EvalMode.Enter(model))
        {
            using var scope = NewDisposeScope();
            var (best, _) = Search(model, images, labels, null);
            return best.detach().MoveToOuterDisposeScope();
        }
    }

    static Tensor PerSample(Tensor v, long dims) => v.view(new long[] { -1 }.Concat(Enumerable.Repeat(1L, (int)dims - 1)).ToArray());

    Tensor NormOf(Tensor delta) => Threat.Norm == Norm.Linf ? delta.flatten(1).abs().amax(1) : delta.flatten(1).norm(1);

    /// <summary>Best adversarial examples and their norms (+∞ where none); with a stop radius, points already
    /// fooled within it are not attacked again.</summary>
    (Tensor Best, Tensor Norms) Search(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, double? stopAt)
    {
        using var scope = NewDisposeScope();
        generator ??= new Generator((ulong)streamSeed, images.device);
        Tensor logits, correct;
        using (no_grad())
        {
            logits = model.call(images);
            correct = logits.argmax(1).eq(labels);
        }
        long classes = logits.shape[1];
        var order = logits.argsort(1, descending: true);
        var best = images.detach().clone();
        var bestNorm = full(new long[] { images.shape[0] }, double.PositiveInfinity, dtype: ScalarType.Float32, device: images.device);
        int nTargets = Targeted ? (int)Math.Min(TargetClasses, classes - 1) : 1;
        for (int t = 1; t <= nTargets; t++)
        {
            for (int r = 0; r < Restarts; r++)
            {
                using var runScope = NewDisposeScope();
                var active = stopAt is double s ? correct.logical_and(bestNorm.gt(s)) : correct;
                var todo = active.nonzero().flatten();
                if (todo.shape[0] == 0) break;
                var x = images.index_select(0, todo).detach();
                var y = labels.index_select(0, todo);
                Tensor? target = Targeted ? order.select(1, t).index_select(0, todo) : null;
                int run = (t - 1) * Restarts + r, runs = nTargets * Restarts, targetNumber = t, restart = r;
                var (adv, norm) = RunOnce(model, x, y, target, r > 0, it => Progress?.Invoke(AttackProgress.At(run, runs, it, Iterations, "iteration",
                    (Targeted ? AttackProgress.Target(targetNumber, nTargets) : "") + AttackProgress.Restart(restart, Restarts))));
                using (no_grad())
                {
                    var improve = norm.lt(bestNorm.index_select(0, todo));
                    best.index_copy_(0, todo, where(PerSample(improve, x.dim()), adv, best.index_select(0, todo)));
                    bestNorm.index_copy_(0, todo, where(improve, norm, bestNorm.index_select(0, todo)));
                }
            }
        }
        return (best.MoveToOuterDisposeScope(), bestNorm.MoveToOuterDisposeScope());
    }

    /// <summary>Differences of logits to the true class and their gradients at <paramref name="x"/>:
    /// [n,K] and [n,K,D]; untargeted K = C with the true class pushed to +1e10, targeted K = 1.</summary>
    static (Tensor Df, Tensor Dg) Differences(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor? target)
    {
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var input = x.detach().clone().requires_grad_(true);
        var logits = model.call(input);
        var zy = logits.gather(1, y.unsqueeze(1));
        Tensor df, dg;
        if (target is not null)
        {
            var diff = logits.gather(1, target.unsqueeze(1)) - zy;
            var g = autograd.grad(new[] { diff.sum() }, new[] { input })[0];
            df = diff.detach();
            dg = g.detach().flatten(1).unsqueeze(1);
        }
        else
        {
            long c = logits.shape[1];
            var grads = new List<Tensor>();
            for (long k = 0; k < c; k++)
                grads.Add(autograd.grad(new[] { logits.select(1, k).sum() }, new[] { input }, retain_graph: true)[0].detach().flatten(1));
            var all = stack(grads, 1); // [n,C,D]
            dg = all - all.gather(1, y.view(-1, 1, 1).expand(-1, 1, all.shape[2]));
            df = (logits - zy).detach();
            df.scatter_(1, y.unsqueeze(1), full(new long[] { x.shape[0], 1 }, 1e10, dtype: df.dtype, device: df.device));
        }
        return (df.MoveToOuterDisposeScope(), dg.MoveToOuterDisposeScope());
    }

    /// <summary>One FAB run: the smallest adversarial example found per point and its norm (+∞ if none).</summary>
    (Tensor Adv, Tensor Norm) RunOnce(nn.Module<Tensor, Tensor> model, Tensor im, Tensor y, Tensor? target, bool randomStart, Action<int>? onIteration = null)
    {
        using var scope = NewDisposeScope();
        long n = im.shape[0];
        var shape = im.shape;
        var x0 = im.flatten(1);
        var x1 = x0.clone();
        using (no_grad())
        {
            if (randomStart)
            {
                Tensor t;
                if (Threat.Norm == Norm.Linf)
                {
                    t = rand(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator).mul_(2).sub_(1);
                    t = t / t.abs().amax(new long[] { 1 }, keepdim: true).clamp_min(1e-12);
                }
                else
                {
                    t = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
                    t = t / t.norm(1, keepdim: true).clamp_min(1e-12);
                }
                x1.copy_((x0 + t * (0.5 * Threat.Epsilon)).clamp_(0.0, 1.0));
            }
        }
        var adv = x0.clone();
        var res = full(new long[] { n }, double.PositiveInfinity, dtype: ScalarType.Float32, device: im.device);
        for (int it = 0; it < Iterations; it++)
        {
            using var step = NewDisposeScope();
            var (df, dg) = Differences(model, x1.view(shape), y, target);
            using var _ = no_grad();
            var denom = Threat.Norm == Norm.Linf ? dg.abs().sum(-1) : dg.pow(2).sum(-1).sqrt();
            var dist = df.abs() / (denom + 1e-12);
            var ind = dist.argmin(1);
            var w = dg.gather(1, ind.view(-1, 1, 1).expand(-1, 1, dg.shape[2])).squeeze(1);
            var f = df.gather(1, ind.view(-1, 1)).squeeze(1);
            var b = (w * x1).sum(1) - f;
            var d3 = Project(cat(new[] { x1, x0 }, 0), cat(new[] { w, w }, 0), cat(new[] { b, b }, 0), Threat.Norm);
            var a0 = (Threat.Norm == Norm.Linf ? d3.abs().amax(new long[] { 1 }, keepdim: true) : d3.norm(1, keepdim: true)).clamp_min(1e-8);
            var d1 = d3.narrow(0, 0, n);
            var d2 = d3.narrow(0, n, n);
            var a1 = a0.narrow(0, 0, n);
            var a2 = a0.narrow(0, n, n);
            var alpha = (a1 / (a1 + a2)).clamp(0.0, AlphaMax);
            x1.copy_(((x1 + Eta * d1) * (1 - alpha) + (x0 + Eta * d2) * alpha).clamp_(0.0, 1.0));
            var isAdv = model.call(x1.view(shape)).argmax(1).ne(y);
            var norm = NormOf(x1 - x0);
            var better = isAdv.logical_and(norm.lt(res));
            adv.copy_(where(better.unsqueeze(1), x1, adv));
            res.copy_(where(better, norm, res));
            x1.copy_(where(isAdv.unsqueeze(1), x0 + (x1 - x0) * Beta, x1));
            onIteration?.Invoke(it + 1);
        }
        return (adv.view(shape).MoveToOuterDisposeScope(), res.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Minimal-norm (L∞ or L2) perturbations d of the rows <paramref name="t"/> onto the hyperplanes w·z = b subject to
    /// t + d ∈ [0,1]; where the hyperplane cannot be reached inside the box, the box point furthest towards it.
    /// The optimum has the form d(λ) = clip(−λ·s, box) with s = sign(w) (L∞) or w (L2) oriented towards the
    /// hyperplane. The gain −w·d(λ) is piecewise linear and increasing in λ with one breakpoint per coordinate (where
    /// that coordinate hits the box), so λ is found exactly (in double precision) by sorting the breakpoints and
    /// solving on the segment where the gain first reaches the distance: one sort per row, like the reference's
    /// projection, instead of an iterative search.
    /// </summary>
    internal static Tensor Project(Tensor t, Tensor w, Tensor b, Norm norm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dtype = t.dtype;
        t = t.to_type(ScalarType.Float64);
        w = w.to_type(ScalarType.Float64);
        b = b.to_type(ScalarType.Float64);
        var c = (w * t).sum(1) - b;
        var sign = where(c.ge(0), 1.0, -1.0).unsqueeze(1);
        w = w * sign;              // now w·t − b = c ≥ 0 and w·d must reach −c
        c = c.abs();
        var aw = w.abs();
        var active = aw.gt(0);
        var room = where(w.gt(0), t, 1 - t).clamp_min(0) * active; // how far each coordinate can move usefully
        // gain(λ) = −w·d(λ) = Σ |w_i| min(λ·u_i, room_i) with u_i = 1 (L∞) or |w_i| (L2); coordinate i saturates at
        // the breakpoint λ_i = room_i / u_i. Inactive coordinates (w_i = 0) contribute nothing at any λ.
        var u = norm == Norm.Linf ? active.to_type(ScalarType.Float64) : aw;
        var breaks = where(active, room / u.clamp_min(1e-300), zeros_like(room));
        var (sortedBreaks, order) = breaks.sort(1);
        var saturated = (aw * room).gather(1, order).cumsum(1);   // Σ_{j≤k} |w_j| room_j
        var slopeUsed = (aw * u).gather(1, order).cumsum(1);       // Σ_{j≤k} |w_j| u_j
        var slopeTotal = (aw * u).sum(1, keepdim: true);
        var gainAtBreak = saturated + sortedBreaks * (slopeTotal - slopeUsed);
        long dims = t.shape[1];
        // k = number of breakpoints whose gain is still short of c: λ lies on the segment (λ_(k−1), λ_(k)].
        var k = gainAtBreak.lt(c.unsqueeze(1)).sum(1);
        var reachable = k.lt(dims);
        var prev = (k - 1).clamp_min(0).unsqueeze(1);
        var hasPrev = k.gt(0);
        var satPrev = where(hasPrev, saturated.gather(1, prev).squeeze(1), zeros_like(c));
        var slopeRest = slopeTotal.squeeze(1) - where(hasPrev, slopeUsed.gather(1, prev).squeeze(1), zeros_like(c));
        var lowBreak = where(hasPrev, sortedBreaks.gather(1, prev).squeeze(1), zeros_like(c));
        var highBreak = sortedBreaks.gather(1, k.clamp_max(dims - 1).unsqueeze(1)).squeeze(1);
        var lam = ((c - satPrev) / slopeRest.clamp_min(1e-300));
        lam = minimum(maximum(lam, lowBreak), highBreak);
        lam = where(reachable, lam, sortedBreaks.select(1, dims - 1));
        lam = where(c.gt(0), lam, zeros_like(lam));
        var mag = minimum(lam.unsqueeze(1) * u, room);
        var d = -mag * w.sign();
        return d.to_type(dtype).MoveToOuterDisposeScope();
    }
}
