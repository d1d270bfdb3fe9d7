using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The score-based Square Attack (Andriushchenko et al. 2020) as used by AutoAttack (fra31/auto-attack
/// <c>autoattack/square.py</c>): random-search on the margin loss z_y − max_{i≠y} z_i, queries only (every model
/// call runs under <c>no_grad</c>, no gradient is ever taken). L∞ and L2.
/// <para>
/// L∞: start from vertical stripes x + ε·s (one random sign s per sample, channel and column), then at each query
/// add ±2ε per channel on one random square of side max(round(√(p·H·W)), 1), project to the ε-ball and [0,1] and
/// keep the candidate only if it lowers the margin. The square and its channel signs are shared by the batch as in
/// the reference. L2: start from a grid of windows of side H/5 holding ±η (nested rectangles, positive on one half,
/// negative on the other), scaled to ‖δ‖₂ = ε; at each query one window (shared position, per-sample channel signs)
/// is redrawn as ±η plus its old content and given the budget freed by zeroing a second window, then δ is rescaled to
/// norm ε and clipped to [0,1]; window side max(round(√(p·H·W)), 3), made odd. Only points not yet misclassified are queried; the run stops when all are.
/// </para>
/// <para>
/// Deviations from the reference: square positions are drawn from all H−s+1 (W−s+1) positions (the reference draws
/// from [0, H−s), never touching the last row/column with a small square); the side is capped at min(H,W) (and
/// the L2 start uses windows of side 1 when H &lt; 5, where the reference fails); a point
/// the attack does not fool is returned at its lowest-margin iterate instead of the clean image. Points misclassified
/// before the attack are returned unchanged.
/// </para>
/// </summary>
public sealed class SquareAttack : IReportsProgress
{
    /// <summary>Key used in reports.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public ThreatModel Threat { get; }

    /// <inheritdoc />
    public Action<AttackProgress>? Progress { get; set; }

    /// <summary>Iterations per restart, one query each per point still correctly classified; as in the reference the start costs one query more.</summary>
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
        if (queries < 0) throw new ArgumentOutOfRangeException(nameof(queries), "queries must be ≥ 0");
        if (!(pInit > 0 && pInit <= 1)) throw new ArgumentOutOfRangeException(nameof(pInit), "p_init must be in (0,1]");
        if (restarts < 1) throw new ArgumentOutOfRangeException(nameof(restarts), "restarts must be ≥ 1");
        Threat = new ThreatModel(norm, epsilon);
        Queries = queries;
        PInit = pInit;
        Restarts = restarts;
        RescaleSchedule = rescaleSchedule;
        Seed = seed;
        Name = name ?? "square";
    }

    /// <inheritdoc />
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
        using (EvalMode.Enter(model))
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
                int restart = r;
                var (adv, margin) = RunOnce(model, x.index_select(0, todo), y.index_select(0, todo), rng, (query, left) =>
                {
                    if (Progress is null) return;
                    var at = AttackProgress.At(restart, Restarts, query, Queries, "query", AttackProgress.Restart(restart, Restarts));
                    Progress(at with { Detail = $"{at.Detail}, {left} point(s) left" });
                });
                var better = margin.lt(bestMargin.index_select(0, todo));
                best.index_copy_(0, todo, where(better.view(-1, 1, 1, 1), adv, best.index_select(0, todo)));
                bestMargin.index_copy_(0, todo, where(better, margin, bestMargin.index_select(0, todo)));
                correct.index_copy_(0, todo, margin.gt(0));
            }
            Threat.Verify(x, best);
            return best.MoveToOuterDisposeScope();
        }
    }

    /// <summary>One run on correctly classified points; returns the best iterates and their margins.</summary>
    (Tensor Adv, Tensor Margin) RunOnce(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Random rng, Action<int, long>? onQuery) =>
        Threat.Norm == Norm.Linf ? RunLinf(model, x, y, rng, onQuery) : RunL2(model, x, y, rng, onQuery);

    /// <summary>Queries between two progress reports (each report reads the number of points left).</summary>
    const int ReportEvery = 50;

    /// <summary>One run of the L∞ attack.</summary>
    (Tensor Adv, Tensor Margin) RunLinf(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Random rng, Action<int, long>? onQuery)
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
            if (it % ReportEvery == 0) onQuery?.Invoke(it, active.shape[0]);
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

    /// <summary>
    /// The reference's <c>eta_rectangles</c>: nested centred rectangles weighted 1/(k+1)², normalised to unit
    /// Frobenius norm (all zero for an empty shape).
    /// </summary>
    static double[,] EtaRectangles(int rows, int cols)
    {
        var d = new double[rows, cols];
        int c0 = rows / 2, c1 = cols / 2; // x_c − 1, y_c − 1
        int count = Math.Max(rows / 2 + 1, cols / 2 + 1);
        for (int k = 0; k < count; k++)
        {
            double v = 1.0 / ((k + 1.0) * (k + 1.0));
            for (int i = Math.Max(c0, 0); i < Math.Min(c0 + 2 * k + 1, rows); i++)
                for (int j = Math.Max(c1, 0); j < Math.Min(c1 + 2 * k + 1, cols); j++)
                    d[i, j] += v;
            c0--; c1--;
        }
        Normalise(d);
        return d;
    }

    static void Normalise(double[,] d)
    {
        double sq = 0;
        foreach (var v in d) sq += v * v;
        if (sq <= 0) return;
        double n = Math.Sqrt(sq);
        for (int i = 0; i < d.GetLength(0); i++) for (int j = 0; j < d.GetLength(1); j++) d[i, j] /= n;
    }

    /// <summary>
    /// The reference's <c>eta</c>: an s×s window, positive rectangles on the top half and negative ones on the
    /// bottom half, unit L2 norm, transposed with probability ½. Returned as an [s,s] tensor.
    /// </summary>
    static Tensor Eta(int s, Random rng, ScalarType dtype, Device device)
    {
        var top = EtaRectangles(s / 2, s);
        var bottom = EtaRectangles(s - s / 2, s);
        var d = new double[s, s];
        for (int i = 0; i < s / 2; i++) for (int j = 0; j < s; j++) d[i, j] = top[i, j];
        for (int i = 0; i < s - s / 2; i++) for (int j = 0; j < s; j++) d[s / 2 + i, j] = -bottom[i, j];
        Normalise(d);
        bool transpose = rng.NextDouble() > 0.5;
        var flat = new double[s * s];
        for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) flat[i * s + j] = transpose ? d[j, i] : d[i, j];
        return tensor(flat, new long[] { s, s }).to(dtype).to(device);
    }

    /// <summary>Per-sample ±1 signs of shape [n, c, 1, 1].</summary>
    static Tensor RandomSigns(long n, long c, Random rng, Tensor like)
    {
        var v = new float[n * c];
        for (int i = 0; i < v.Length; i++) v[i] = rng.Next(2) == 0 ? -1f : 1f;
        return tensor(v, new long[] { n, c, 1, 1 }).to(like.dtype).to(like.device);
    }

    /// <summary>L2 norm over all but the first dimension, shaped [n,1,1,1].</summary>
    static Tensor ImageNorm(Tensor t) => t.flatten(1).norm(1, keepdim: true).view(-1, 1, 1, 1);

    /// <summary>Rescales every image of <paramref name="t"/> to L2 norm (almost) 1, as the reference's <c>normalize</c>.</summary>
    static Tensor Normalize(Tensor t) => t / (ImageNorm(t) + 1e-12);

    /// <summary>
    /// The L2 query step on <paramref name="delta"/> [B,C,H,W] in place (the reference's <c>square.py</c>, per channel):
    /// window 1 (side <paramref name="side"/> at <paramref name="first"/>) becomes <paramref name="fresh"/> [B,C,s,s] plus
    /// its old content scaled to unit norm, renormalised per channel to √((ε² − ‖δ‖²)⁺ / C + ‖δ_c on both windows‖²);
    /// window 2 is zeroed. Energy outside the two windows is untouched, so a δ of norm ε keeps norm ε.
    /// </summary>
    internal static void MoveWindowBudget(Tensor delta, Tensor fresh, (int Row, int Col) first, (int Row, int Col) second, int side, double eps)
    {
        using var scope = NewDisposeScope();
        long c = delta.shape[1];
        int h = (int)delta.shape[2], w = (int)delta.shape[3];
        var planes = new long[] { 2, 3 };
        var window1 = delta.narrow(2, first.Row, side).narrow(3, first.Col, side);
        var normsWindow1 = window1.square().sum(planes, keepdim: true).sqrt();
        var normsImage = ImageNorm(delta);
        var mask = zeros(new long[] { 1, 1, h, w }, dtype: delta.dtype, device: delta.device);
        mask.narrow(2, first.Row, side).narrow(3, first.Col, side).fill_(1.0);
        mask.narrow(2, second.Row, side).narrow(3, second.Col, side).fill_(1.0);
        // Per channel, as the reference: each channel's window gets its own freed energy plus 1/C of the slack.
        var normsWindows = (delta * mask).square().sum(planes, keepdim: true).sqrt();
        var moved = fresh + window1 / (normsWindow1 + 1e-12);
        var budget = ((eps * eps - normsImage.square()).clamp_min(0.0) / c + normsWindows.square()).sqrt();
        moved = moved / (moved.square().sum(planes, keepdim: true).sqrt() + 1e-12) * budget;
        delta.narrow(2, second.Row, side).narrow(3, second.Col, side).zero_();
        delta.narrow(2, first.Row, side).narrow(3, first.Col, side).copy_(moved);
    }

    /// <summary>
    /// One run of the L2 attack: the reference's start (a grid of 5×5 windows of side H/5 filled with ±eta, scaled to
    /// ‖δ‖₂ = ε), then at each query one window is redrawn as ±eta plus its old content, renormalised so the freed
    /// budget of a second window (zeroed) is moved into it, and the whole δ is rescaled to norm ε and clipped to [0,1].
    /// </summary>
    (Tensor Adv, Tensor Margin) RunL2(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Random rng, Action<int, long>? onQuery)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1];
        int h = (int)x.shape[2], w = (int)x.shape[3];
        double eps = Threat.Epsilon;
        // Start. The reference needs H ≥ 5 (side H // 5); smaller images use side 1 from the corner.
        var deltaInit = zeros_like(x);
        int side = Math.Max(h / 5, 1), start = h >= 5 ? (h - side * 5) / 2 : 0;
        int vh = start;
        for (int a = 0; a < h / side; a++, vh += side)
        {
            int vw = start;
            for (int b = 0; b < w / side; b++, vw += side)
            {
                // Python slicing silently clips windows that run past the border; so does this.
                int rows = Math.Min(side, h - vh), cols = Math.Min(side, w - vw);
                var eta = Eta(side, rng, x.dtype, x.device);
                var signs = RandomSigns(n, c, rng, x);
                if (rows <= 0 || cols <= 0) continue;
                deltaInit.narrow(2, vh, rows).narrow(3, vw, cols)
                    .add_(eta.narrow(0, 0, rows).narrow(1, 0, cols).view(1, 1, rows, cols) * signs);
            }
        }
        var xBest = (x + Normalize(deltaInit) * eps).clamp_(0.0, 1.0);
        var marginMin = Margin(model.call(xBest), y).to_type(ScalarType.Float32);
        int maxSide = Math.Min(h, w);
        for (int it = 0; it < Queries; it++)
        {
            using var iterScope = NewDisposeScope();
            var active = marginMin.gt(0).nonzero().flatten();
            if (active.shape[0] == 0) break;
            if (it % ReportEvery == 0) onQuery?.Invoke(it, active.shape[0]);
            long m = active.shape[0];
            var xc = x.index_select(0, active);
            var current = xBest.index_select(0, active);
            var delta = current - xc;
            double p = PSelection(it);
            int s = Math.Max((int)Math.Round(Math.Sqrt(p * h * w)), 3);
            if (s % 2 == 0) s++;
            s = Math.Min(s, maxSide);
            int vh1 = rng.Next(0, h - s + 1), vw1 = rng.Next(0, w - s + 1);
            int vh2 = rng.Next(0, h - s + 1), vw2 = rng.Next(0, w - s + 1);
            var fresh = Eta(s, rng, x.dtype, x.device).view(1, 1, s, s) * RandomSigns(m, c, rng, x);
            MoveWindowBudget(delta, fresh, (vh1, vw1), (vh2, vw2), s, eps);

            var candidate = (xc + Normalize(delta) * eps).clamp_(0.0, 1.0);
            var margin = Margin(model.call(candidate), y.index_select(0, active)).to_type(ScalarType.Float32);
            var oldM = marginMin.index_select(0, active);
            var improved = margin.lt(oldM);
            marginMin.index_copy_(0, active, where(improved, margin, oldM));
            xBest.index_copy_(0, active, where(improved.view(-1, 1, 1, 1), candidate, current));
        }
        return (xBest.MoveToOuterDisposeScope(), marginMin.MoveToOuterDisposeScope());
    }
}
