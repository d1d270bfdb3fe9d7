using System.Globalization;
using PartRobust.Attacks;
using PartRobust.Data;
using static TorchSharp.torch;

namespace PartRobust.Evaluation;

/// <summary>
/// Sanity checks for gradient masking, run before an AutoAttack-style evaluation (after AutoAttack's
/// <c>checks.py</c> flags, plus the ε sweep and more-steps checks of Carlini et al.'s evaluation guidelines).
/// A failed check does not prove the evaluation wrong; it says the reported robust accuracy may be too high.
/// </summary>
public static class GradientMaskingChecks
{
    /// <summary>Warning for a failed randomness check.</summary>
    public const string RandomnessMeaning =
        "outputs change between identical eval-mode forward passes: the model is randomised, so single-pass gradients are noisy and the evaluation overestimates robustness; use EoT (partrobust attack --attack aa-rand)";

    /// <summary>Warning for a failed probability check.</summary>
    public const string ProbabilityMeaning =
        "the model returns probabilities (in [0,1], rows summing to 1), not logits: CE and DLR losses on them saturate and give vanishing gradients; evaluate the logits";

    /// <summary>Warning for a failed zero-gradient check.</summary>
    public const string ZeroGradientMeaning =
        "the input gradient of the loss is zero on many points (non-differentiable steps such as rounding, or saturated outputs): gradient attacks cannot move there; use BPDA or black-box attacks";

    /// <summary>Warning for a failed black-box check.</summary>
    public const string BlackBoxMeaning =
        "the black-box Square attack breaks points the white-box attack left robust: white-box gradients are uninformative (gradient masking); trust the black-box number and use adaptive attacks";

    /// <summary>Warning for a failed ε-sweep check.</summary>
    public const string SweepMeaning =
        "robust accuracy does not approach 0 as ε grows: a large enough perturbation must break any classifier, so the attack is failing (masked gradients or a bug), not the model being robust";

    /// <summary>Warning for a failed more-steps check.</summary>
    public const string MoreStepsMeaning =
        "more attack steps lower robust accuracy substantially: the attack has not converged, so the reported robust accuracy is an overestimate; use more iterations or restarts";

    /// <summary>
    /// Runs the enabled checks on the first <see cref="MaskingCheckOptions.Points"/> points of <paramref name="data"/> and
    /// logs one line per check to <paramref name="progress"/> (a warning with its meaning for each failure).
    /// </summary>
    public static IReadOnlyList<MaskingCheckResult> Run(nn.Module<Tensor, Tensor> model, PartDataset data, ThreatModel threat,
        MaskingCheckOptions? options = null, IProgressSink? progress = null)
    {
        options ??= new MaskingCheckOptions();
        progress ??= NullProgress.Instance;
        if (options.Points < 1) throw new ArgumentOutOfRangeException(nameof(options), "Points must be ≥ 1");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be ≥ 1");
        var results = new List<MaskingCheckResult>();
        bool wasTraining = model.training;
        using var subset = data.Take(options.Points);
        try
        {
            void Add(MaskingCheckResult r) { results.Add(r); progress.Log(r.Message); }
            if (subset.Count == 0) return results;
            if (options.CheckRandomness) Add(Randomness(model, subset, options));
            if (options.CheckProbabilities) Add(Probabilities(model, subset, options));
            if (options.CheckZeroGradients) Add(ZeroGradients(model, subset, options));
            RobustResult? pgd = null;
            if (options.CheckBlackBox || options.CheckMoreSteps)
                pgd = Evaluator.RobustAccuracy(model, subset, Pgd(threat, options.PgdSteps, options), options.BatchSize, progress, "masking check: pgd");
            if (options.CheckBlackBox) Add(BlackBox(model, subset, threat, options, pgd!, progress));
            if (options.CheckEpsilonSweep) Add(Sweep(model, subset, threat, options, progress));
            if (options.CheckMoreSteps) Add(MoreSteps(model, subset, threat, options, pgd!, progress));
        }
        finally { model.train(wasTraining); }
        return results;
    }

    static PgdAttack Pgd(ThreatModel threat, int steps, MaskingCheckOptions o, double? epsilon = null) =>
        new(epsilon ?? threat.Epsilon, steps, null, 1, threat.Norm, seed: o.Seed, name: $"pgd-{steps}");

    static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    static string Pct(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>(1) Eval-mode forward passes on the same batch must agree.</summary>
    static MaskingCheckResult Randomness(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = Math.Min(o.BatchSize, data.Count);
        var x = data.Images.narrow(0, 0, n);
        var y = data.Labels.narrow(0, 0, n);
        static Tensor Normalised(Tensor t)
        {
            var f = t.to_type(ScalarType.Float64).flatten(1);
            return f / f.norm(1, keepdim: true).clamp_min(1e-12);
        }
        var first = model.call(x);
        var firstN = Normalised(first);
        long firstCorrect = first.argmax(1).eq(y).sum().item<long>();
        double worst = 0;
        bool correctChanged = false;
        for (int p = 1; p < Math.Max(2, o.RandomnessPasses); p++)
        {
            var next = model.call(x);
            worst = Math.Max(worst, (Normalised(next) - firstN).abs().max().item<double>());
            correctChanged |= next.argmax(1).eq(y).sum().item<long>() != firstCorrect;
        }
        bool passed = !(worst > o.RandomnessTolerance) && !correctChanged;
        return new("randomness", passed,
            $"{Math.Max(2, o.RandomnessPasses)} passes on {n} points: largest difference of normalised outputs {worst:G3}{(correctChanged ? ", number correct changed" : "")}",
            RandomnessMeaning);
    }

    /// <summary>(2) Outputs all in [0,1] with rows summing to 1 look like probabilities.</summary>
    static MaskingCheckResult Probabilities(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = Math.Min(o.BatchSize, data.Count);
        var outputs = model.call(data.Images.narrow(0, 0, n)).to_type(ScalarType.Float64);
        double min = outputs.min().item<double>(), max = outputs.max().item<double>();
        double sumDev = (outputs.sum(1) - 1).abs().max().item<double>();
        const double tol = 1e-5;
        bool looksLikeProbabilities = min > -tol && max < 1 + tol && sumDev < tol;
        return new("probability-outputs", !looksLikeProbabilities,
            $"outputs in [{F(min)}, {F(max)}], rows sum to 1 within {sumDev:G3}", ProbabilityMeaning);
    }

    /// <summary>(3) Fraction of points whose input gradient of the CE loss is (almost) exactly zero.</summary>
    static MaskingCheckResult ZeroGradients(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        int zero = 0;
        for (int start = 0; start < data.Count; start += o.BatchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(o.BatchSize, data.Count - start);
            var x = data.Images.narrow(0, start, n).detach().clone().requires_grad_(true);
            var y = data.Labels.narrow(0, start, n);
            // The loss in float64 saturates much later than in float32, so confidently correct points still get a gradient.
            var loss = nn.functional.cross_entropy(model.call(x).to_type(ScalarType.Float64), y, reduction: nn.Reduction.Sum);
            var grad = autograd.grad(new[] { loss }, new[] { x }, allow_unused: true)[0];
            if (grad is null || grad.IsInvalid) { zero += n; continue; }
            zero += (int)grad.to_type(ScalarType.Float64).flatten(1).norm(1).le(o.ZeroGradientNorm).sum().item<long>();
        }
        double fraction = (double)zero / data.Count;
        return new("zero-gradients", !(fraction > o.ZeroGradientFraction),
            $"{zero}/{data.Count} points ({Pct(fraction)}) have a zero input gradient (threshold {Pct(o.ZeroGradientFraction)})",
            ZeroGradientMeaning);
    }

    /// <summary>(4) Square run on the points PGD left robust must not break (many of) them.</summary>
    static MaskingCheckResult BlackBox(nn.Module<Tensor, Tensor> model, PartDataset data, ThreatModel threat, MaskingCheckOptions o,
        RobustResult pgd, IProgressSink progress)
    {
        var robustIdx = Enumerable.Range(0, data.Count).Where(i => pgd.RobustMask[i]).Select(i => (long)i).ToArray();
        int broken = 0;
        if (robustIdx.Length > 0)
        {
            using var idx = tensor(robustIdx);
            using var robust = data.Subset(idx);
            var square = new SquareAttack(threat.Epsilon, o.SquareQueries, norm: threat.Norm, seed: o.Seed, name: "square");
            var r = Evaluator.RobustAccuracy(model, robust, square, o.BatchSize, progress, "masking check: square");
            broken = r.RobustMask.Count(v => !v);
        }
        double fraction = (double)broken / data.Count;
        return new("black-box", !(fraction > o.BlackBoxFraction),
            $"PGD-{o.PgdSteps} robust accuracy {Pct(pgd.Accuracy)}; Square ({o.SquareQueries} queries) broke {broken} of the {robustIdx.Length} points PGD left robust",
            BlackBoxMeaning);
    }

    /// <summary>(5) Robust accuracy under PGD at growing ε must reach (almost) 0.</summary>
    static MaskingCheckResult Sweep(nn.Module<Tensor, Tensor> model, PartDataset data, ThreatModel threat, MaskingCheckOptions o,
        IProgressSink progress)
    {
        var radii = o.EpsilonMultipliers.Select(m => m * threat.Epsilon)
            .Select(e => threat.Norm == Norm.Linf ? Math.Min(1.0, e) : e).Distinct().OrderBy(e => e).ToList();
        if (radii.Count == 0) radii.Add(threat.Epsilon);
        var parts = new List<string>();
        double last = 1;
        foreach (double eps in radii)
        {
            var r = Evaluator.RobustAccuracy(model, data, Pgd(threat, o.PgdSteps, o, eps), o.BatchSize, progress, $"masking check: ε sweep {F(eps)}");
            last = r.Accuracy;
            parts.Add($"ε={F(eps)}: {Pct(r.Accuracy)}");
        }
        return new("epsilon-sweep", !(last > o.SweepMaxAccuracy),
            $"PGD-{o.PgdSteps} robust accuracy {string.Join(", ", parts)} (must reach ≤ {Pct(o.SweepMaxAccuracy)})",
            SweepMeaning);
    }

    /// <summary>(6) PGD with many more steps must not lower robust accuracy much.</summary>
    static MaskingCheckResult MoreSteps(nn.Module<Tensor, Tensor> model, PartDataset data, ThreatModel threat, MaskingCheckOptions o,
        RobustResult pgd, IProgressSink progress)
    {
        int steps = Math.Max(1, o.PgdSteps * Math.Max(1, o.MoreStepsFactor));
        var more = Evaluator.RobustAccuracy(model, data, Pgd(threat, steps, o), o.BatchSize, progress, $"masking check: pgd-{steps}");
        double drop = pgd.Accuracy - more.Accuracy;
        // On few points one point is already a large fraction: a single extra point broken is not evidence.
        double threshold = Math.Max(o.MoreStepsMaxDrop, 1.5 / Math.Max(1, more.Points));
        return new("more-steps", !(drop > threshold),
            $"PGD-{o.PgdSteps} {Pct(pgd.Accuracy)} → PGD-{steps} {Pct(more.Accuracy)} (drop {Pct(drop)}, threshold {Pct(threshold)}: " +
            $"the larger of {Pct(o.MoreStepsMaxDrop)} and 1.5 points of {more.Points})",
            MoreStepsMeaning);
    }
}
