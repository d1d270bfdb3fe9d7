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

    /// <summary>Warning for a failed dynamic-model check.</summary>
    public const string DynamicMeaning =
        "the model switches autograd on inside its forward: it computes gradients there (a dynamic or test-time defence), so AutoAttack alone may be insufficient; design an adaptive attack";

    /// <summary>Warning for a failed Square-after-white-box check.</summary>
    public const string SquareAfterWhiteBoxMeaning =
        "AutoAttack's black-box Square broke points its white-box stages left robust: gradients are uninformative on those points (gradient masking), so the evaluation may be unreliable; run Square with more queries and restarts, or an adaptive attack";

    /// <summary>Warning for a failed zero-DLR-gradient check.</summary>
    public const string ZeroDlrGradientMeaning =
        "some points have an exactly zero gradient of the DLR loss where APGD starts: the attack cannot move them, so their robustness is not evidence (masked gradients, e.g. rounding or saturation)";

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
        if (options.AttackBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "AttackBatchSize must be ≥ 1");
        var results = new List<MaskingCheckResult>();
        bool wasTraining = model.training;
        using var subset = data.Take(options.Points);
        try
        {
            void Add(MaskingCheckResult r) { results.Add(r); progress.Log(r.Message); }
            if (subset.Count == 0) return results;
            if (options.CheckRandomness) Add(Randomness(model, subset, options));
            if (options.CheckDynamic) Add(Dynamic(model, subset, options));
            if (options.CheckProbabilities) Add(Probabilities(model, subset, options));
            if (options.CheckZeroGradients) Add(ZeroGradients(model, subset, options));
            RobustResult? pgd = null;
            if (options.CheckBlackBox || options.CheckMoreSteps)
                pgd = Evaluator.RobustAccuracy(model, subset, Pgd(threat, options.PgdSteps, options), options.AttackBatchSize, progress, "masking check: pgd");
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

    /// <summary>
    /// (1) Eval-mode forward passes on the same batch must agree (AutoAttack's <c>check_randomized</c>): outputs scaled to
    /// unit L2 norm per row, the largest L2 distance between the rows of any two passes, and the number classified correctly.
    /// </summary>
    static MaskingCheckResult Randomness(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = Math.Min(o.BatchSize, data.Count), passes = Math.Max(2, o.RandomnessPasses);
        var x = data.Images.narrow(0, 0, n);
        var y = data.Labels.narrow(0, 0, n);
        var outputs = new List<Tensor>();
        var correct = new List<long>();
        for (int p = 0; p < passes; p++)
        {
            var output = model.call(x).to_type(ScalarType.Float64).flatten(1);
            correct.Add(output.argmax(1).eq(y).sum().item<long>());
            outputs.Add(output / (output.norm(1, keepdim: true) + 1e-10));
        }
        double worst = 0;
        for (int a = 0; a < passes; a++)
            for (int b = a + 1; b < passes; b++)
                worst = Math.Max(worst, (outputs[a] - outputs[b]).norm(1).max().item<double>());
        bool correctChanged = correct.Distinct().Count() > 1;
        bool passed = !(worst > o.RandomnessTolerance) && !correctChanged;
        return new("randomness", passed,
            $"{passes} passes on {n} points: largest L2 distance between normalised outputs {worst:G3} (tolerance {o.RandomnessTolerance:G3}), " +
            (correctChanged ? $"points classified correctly varied ({string.Join(", ", correct)})" : $"{correct[0]} classified correctly every time"),
            RandomnessMeaning);
    }

    /// <summary>
    /// (2) No part of the model may switch autograd back on during a forward pass run under <c>no_grad</c>, the
    /// equivalent of AutoAttack's <c>check_dynamic</c> (which traces calls to <c>grad</c>/<c>backward</c>): a pre-hook on
    /// every submodule notes whether gradients are enabled when it runs. A model that computes gradients in its forward
    /// (a test-time or dynamic defence) must enable them there, around a submodule call.
    /// </summary>
    static MaskingCheckResult Dynamic(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        using var scope = NewDisposeScope();
        int n = Math.Min(o.BatchSize, data.Count), withGrad = 0, hooked = 0;
        var removers = new List<dynamic>();
        try
        {
            foreach (var module in model.modules())
            {
                // Every Module<...> is a HookableModule<TPre, TPost>; the Action<Module> overload is the same for all of them.
                try { removers.Add(((dynamic)module).register_forward_pre_hook((Action<nn.Module>)(_ => { if (is_grad_enabled()) withGrad++; }))); hooked++; }
                catch (Microsoft.CSharp.RuntimeBinder.RuntimeBinderException) { }
            }
            using var _ = no_grad();
            model.call(data.Images.narrow(0, 0, n));
        }
        finally
        {
            foreach (var remover in removers) remover.remove();
        }
        return new("dynamic", withGrad == 0,
            withGrad == 0
                ? $"a forward pass under no_grad on {n} points: none of the model's {hooked} submodules ran with autograd switched on"
                : $"a forward pass under no_grad on {n} points: {withGrad} submodule call(s) ran with autograd switched back on inside the model",
            DynamicMeaning);
    }

    /// <summary>(3) Outputs all in [0,1] with rows summing to 1 look like probabilities.</summary>
    static MaskingCheckResult Probabilities(nn.Module<Tensor, Tensor> model, PartDataset data, MaskingCheckOptions o)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int n = Math.Min(o.BatchSize, data.Count);
        var outputs = model.call(data.Images.narrow(0, 0, n)).to_type(ScalarType.Float64);
        double min = outputs.min().item<double>(), max = outputs.max().item<double>();
        var sums = outputs.sum(1);
        double sumMin = sums.min().item<double>(), sumMax = sums.max().item<double>();
        double sumDev = (sums - 1).abs().max().item<double>();
        const double tol = 1e-5;
        bool looksLikeProbabilities = min > -tol && max < 1 + tol && sumDev < tol;
        return new("probability-outputs", !looksLikeProbabilities,
            looksLikeProbabilities
                ? $"outputs on {n} points lie in [{F(min)}, {F(max)}] and every row sums to 1 (within {sumDev:G2}): they look like probabilities"
                : $"outputs on {n} points look like logits: values from {F(min)} to {F(max)}, row sums from {F(sumMin)} to {F(sumMax)} (probabilities would lie in [0,1] and sum to 1)",
            ProbabilityMeaning);
    }

    /// <summary>(4) Fraction of points whose input gradient of the CE loss is (almost) exactly zero.</summary>
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

    /// <summary>(5) Square run on the points PGD left robust must not break (many of) them.</summary>
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
            var r = Evaluator.RobustAccuracy(model, robust, square, o.AttackBatchSize, progress, "masking check: square");
            broken = r.RobustMask.Count(v => !v);
        }
        double fraction = (double)broken / data.Count;
        return new("black-box", !(fraction > o.BlackBoxFraction),
            $"PGD-{o.PgdSteps} robust accuracy {Pct(pgd.Accuracy)}; Square ({o.SquareQueries} queries) broke {broken} of the {robustIdx.Length} points PGD left robust",
            BlackBoxMeaning);
    }

    /// <summary>(6) Robust accuracy under PGD at growing ε must reach (almost) 0.</summary>
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
            var r = Evaluator.RobustAccuracy(model, data, Pgd(threat, o.PgdSteps, o, eps), o.AttackBatchSize, progress, $"masking check: ε sweep {F(eps)}");
            last = r.Accuracy;
            parts.Add($"ε={F(eps)}: {Pct(r.Accuracy)}");
        }
        return new("epsilon-sweep", !(last > o.SweepMaxAccuracy),
            $"PGD-{o.PgdSteps} robust accuracy {string.Join(", ", parts)} (must reach ≤ {Pct(o.SweepMaxAccuracy)})",
            SweepMeaning);
    }

    /// <summary>(7) PGD with many more steps must not lower robust accuracy much.</summary>
    static MaskingCheckResult MoreSteps(nn.Module<Tensor, Tensor> model, PartDataset data, ThreatModel threat, MaskingCheckOptions o,
        RobustResult pgd, IProgressSink progress)
    {
        int steps = Math.Max(1, o.PgdSteps * Math.Max(1, o.MoreStepsFactor));
        var more = Evaluator.RobustAccuracy(model, data, Pgd(threat, steps, o), o.AttackBatchSize, progress, $"masking check: pgd-{steps}");
        double drop = pgd.Accuracy - more.Accuracy;
        // On few points one point is already a large fraction: a single extra point broken is not evidence.
        double threshold = Math.Max(o.MoreStepsMaxDrop, 1.5 / Math.Max(1, more.Points));
        return new("more-steps", !(drop > threshold),
            $"PGD-{o.PgdSteps} {Pct(pgd.Accuracy)} → PGD-{steps} {Pct(more.Accuracy)} (drop {Pct(drop)}, threshold {Pct(threshold)}: " +
            $"the larger of {Pct(o.MoreStepsMaxDrop)} and 1.5 points of {more.Points})",
            MoreStepsMeaning);
    }

    /// <summary>
    /// Checks on an AutoAttack-style sequence that has run, from its own stages (AutoAttack's <c>check_square_sr</c> and
    /// <c>check_zero_gradients</c>): Square breaking more than <see cref="MaskingCheckOptions.SquareAfterWhiteBoxDrop"/>
    /// of the points after a white-box stage, and any APGD start on a DLR loss with an exactly zero gradient. Checks that
    /// do not apply (no Square after a white-box stage, no DLR stage) are left out.
    /// </summary>
    public static IReadOnlyList<MaskingCheckResult> AfterSequence(AttackSequence sequence, RobustResult result, MaskingCheckOptions? options = null)
    {
        options ??= new MaskingCheckOptions();
        var checks = new List<MaskingCheckResult>();
        var after = result.RobustAfterStage;
        int square = sequence.Attacks.ToList().FindIndex(a => a is SquareAttack);
        if (after is not null && square > 0)
        {
            double before = after[square - 1], drop = before - after[square];
            int broken = (int)Math.Round(drop * result.Points);
            checks.Add(new("square-after-white-box", !(drop > options.SquareAfterWhiteBoxDrop),
                $"{sequence.Name} on {result.Points} points: robust {Pct(before)} after {string.Join(", ", sequence.Attacks.Take(square).Select(a => a.Name))}, " +
                $"{Pct(after[square])} after square ({broken} more point{(broken == 1 ? "" : "s")} broken without gradients; warning above {Pct(options.SquareAfterWhiteBoxDrop)})",
                SquareAfterWhiteBoxMeaning));
        }
        var probes = sequence.Attacks.OfType<IDlrGradientProbe>().Where(p => p.DlrStarts > 0).ToList();
        if (probes.Count > 0)
        {
            int zero = probes.Sum(p => p.ZeroDlrGradientStarts), starts = probes.Sum(p => p.DlrStarts);
            checks.Add(new("zero-dlr-gradients", zero == 0,
                $"{string.Join(", ", probes.Select(p => $"{p.Name}: {p.ZeroDlrGradientStarts} of {p.DlrStarts} runs"))} started where the DLR-loss gradient is exactly zero" +
                (zero == 0 ? "" : $" ({zero} of {starts})"),
                ZeroDlrGradientMeaning));
        }
        return checks;
    }
}
