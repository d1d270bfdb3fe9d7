using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The score-based Square Attack (Andriushchenko et al. 2020) as used by AutoAttack (fra31/auto-attack
/// <c>autoattack/square.py</c>): random-search on the margin loss z_y − max_{i≠y} z_i, queries only (every model
/// call runs under <c>no_grad</c>, no gradient is ever taken). L∞ only for now.
/// <para>
/// L∞: start from vertical stripes x + ε·s (one random sign s per sample, channel and column), then at each query
/// add ±2ε per channel on one random square of side max(round(√(p·H·W)), 1), project to the ε-ball and [0,1] and
/// keep the candidate only if it lowers the margin. The square and its channel signs are shared by the batch as in
/// the reference; only points not yet misclassified are queried; the run stops when all are.
/// </para>
/// <para>
/// Deviations from the reference: square positions are drawn from all H−s+1 (W−s+1) positions (the reference draws
/// from [0, H−s), never touching the last row/column with a small square); the side is capped at min(H,W); a point
/// the attack does not fool is returned at its lowest-margin iterate instead of the clean image. Points misclassified
/// before the attack are returned unchanged.
/// </para>
/// </summary>
public sealed class SquareAttack : IAttack
{
    /// <summary>Key used in reports.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <summary>Query budget per restart (the initial query included in the count as in the reference loop bound).</summary>
    public int Queries { get; }

    /// <summary>Initial fraction p of pixels changed by one square.</summary>
    public double PInit { get; }

    /// <summary>Number of restarts; each attacks only the points still classified correctly.</summary>
    public int Restarts { get; }

    /// <summary>
    /// Rescale the iteration thresholds of the p schedule from 10 000 queries to <see cref="Queries"/>
    /// (the reference class default is true; AutoAttack instantiates it with false).
    /// </summary>
    public bool RescaleSchedule { get; }

    /// <summary>Seed: every call to <see cref="Perturb"/> restarts from it, as the reference reseeds per call.</summary>
    public long Seed { get; }

    /// <summary>Creates a Square attack; the defaults are AutoAttack's (5000 queries, p_init 0.8, 1 restart, no rescaling).</summary>
    public SquareAttack(double epsilon, int queries = 5000, double pInit = 0.8, int restarts = 1, Norm norm = Norm.Linf,
        bool rescaleSchedule = false, long seed = 0, string? name = null)
    {
        if (epsilon < 0 || double.IsNaN(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be ≥ 0");
        if (queries < 0) throw new ArgumentOutOfRangeException(nameof(queries), "queries must be ≥ 0");
        if (!(pInit > 0 && pInit <= 1)) throw new ArgumentOutOfRangeException(nameof(pInit), "p_init must be in (0,1]");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        if (norm != Norm.Linf) throw new NotSupportedException("Square attack: only the L∞ version is implemented");
        Threat = new ThreatModel(norm, epsilon);
        Queries = queries;
        PInit = pInit;
        Restarts = restarts;
        RescaleSchedule = rescaleSchedule;
        Seed = seed;
        Name = name ?? "square";
    }

    /// <summary>A one-line description of the settings, for reports.</summary>
    public string Describe() =>
        $"Square {Threat.Norm} ε={Threat.Epsilon:G4}, {Queries} queries, p_init {PInit:G3}, {Restarts} restart(s)" +
        (RescaleSchedule ? ", rescaled schedule" : "");

    /// <summary>
    /// The reference's p schedule: p_init up to iteration 10, then halved after 10, 50, 200, 500, 1000, 2000,
    /// 4000, 6000 and 8000 (iterations counted on a 10 000-query scale when <see cref="RescaleSchedule"/>).
    /// </summary>
    public double PSelection(int iteration)
    {
        int it = RescaleSchedule && Queries > 0 ? (int)((double)iteration / Queries * 10000) : iteration;
        int halvings = it switch
        {
            <= 10 => 0,
            <= 50 => 1,
            <= 200 => 2,
            <= 500 => 3,
            <= 1000 => 4,
            <= 2000 => 5,
            <= 4000 => 6,
            <= 6000 => 7,
            <= 8000 => 8,
            _ => 9,
        };
        return PInit / (1 << halvings);
    }

    /// <summary>Margin z_y − max_{i≠y} z_i per sample.</summary>
    static Tensor Margin(Tensor logits, Tensor y)
    {
        var yi = y.view(-1, 1);
        var zy = logits.gather(1, yi).squeeze(1);
        var others = logits.scatter(1, yi, full_like(zy.view(-1, 1), double.NegativeInfinity)).amax(1);
        return zy - others;
    }

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = images.detach();
            var y = labels.to_type(ScalarType.Int64);
            var rng = new Random((int)(Seed ^ (Seed >> 32)));
            var best = x.clone();
            var correct = model.call(x).argmax(1).eq(y);
            var bestMargin = full(x.shape[0], double.PositiveInfinity, dtype: ScalarType.Float32, device: x.device);
            for (int r = 0; r < Restarts; r++)
            {
                using var restartScope = NewDisposeScope();
                var todo = correct.nonzero().flatten();
                if (todo.shape[0] == 0) break;
                var (adv, margin) = RunOnce(model, x.index_select(0, todo), y.index_select(0, todo), rng);
                var better = margin.lt(bestMargin.index_select(0, todo));
                best.index_copy_(0, todo, where(better.view(-1, 1, 1, 1), adv, best.index_select(0, todo)));
                bestMargin.index_copy_(0, todo, where(better, margin, bestMargin.index_select(0, todo)));
                correct.index_copy_(0, todo, margin.gt(0));
            }
            Threat.Verify(x, best);
            return best.MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>One run of the L∞ attack on correctly classified points; returns the best iterates and their margins.</summary>
    (Tensor Adv, Tensor Margin) RunOnce(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Random rng)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        float eps = (float)Threat.Epsilon;
        var stripeSigns = new float[n * c * w];
        for (int i = 0; i < stripeSigns.Length; i++) stripeSigns[i] = rng.Next(2) == 0 ? -1f : 1f;
        var stripes = tensor(stripeSigns, new long[] { n, c, 1, w }).to(x.dtype).to(x.device);
        var lower = (x - eps).clamp_(0.0, 1.0);
        var upper = (x + eps).clamp_(0.0, 1.0);
        var xBest = (x + stripes * eps).clamp_(0.0, 1.0);
        var marginMin = Margin(model.call(xBest), y).to_type(ScalarType.Float32);
        int maxSide = (int)Math.Min(h, w);
        for (int it = 0; it < Queries; it++)
        {
            using var iterScope = NewDisposeScope();
            var active = marginMin.gt(0).nonzero().flatten();
            if (active.shape[0] == 0) break;
            double p = PSelection(it);
            int s = Math.Clamp((int)Math.Round(Math.Sqrt(p * h * w)), 1, maxSide);
            int vh = rng.Next(0, (int)h - s + 1), vw = rng.Next(0, (int)w - s + 1);
            var signs = new float[c];
            for (int k = 0; k < c; k++) signs[k] = rng.Next(2) == 0 ? -2f * eps : 2f * eps;
            var update = zeros(new long[] { c, h, w }, dtype: x.dtype, device: x.device);
            update.narrow(1, vh, s).narrow(2, vw, s).add_(tensor(signs).to(x.dtype).to(x.device).view(c, 1, 1));

            var current = xBest.index_select(0, active);
            var candidate = minimum(maximum(current + update, lower.index_select(0, active)), upper.index_select(0, active));
            var m = Margin(model.call(candidate), y.index_select(0, active)).to_type(ScalarType.Float32);
            var oldM = marginMin.index_select(0, active);
            // The reference accepts a strict improvement of the loss, or any misclassification (margin ≤ 0);
            // with the margin loss on points whose margin is > 0 the second implies the first.
            var improved = m.lt(oldM);
            marginMin.index_copy_(0, active, where(improved, m, oldM));
            xBest.index_copy_(0, active, where(improved.view(-1, 1, 1, 1), candidate, current));
        }
        return (xBest.MoveToOuterDisposeScope(), marginMin.MoveToOuterDisposeScope());
    }
}
