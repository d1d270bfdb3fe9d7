using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The shared machinery of APGD and APGD-T (Croce &amp; Hein 2020, fra31/auto-attack <c>autopgd_base.py</c>):
/// one run of the step-size-adaptive momentum PGD, the DLR losses and the bookkeeping across restarts.
/// </summary>
internal static class ApgdCore
{
    /// <summary>
    /// Result of one run on a sub-batch; <paramref name="ZeroGradientStarts"/> counts its points whose loss gradient at the
    /// start was exactly zero (the reference's <c>check_zero_gradients</c>).
    /// </summary>
    internal readonly record struct RunResult(Tensor XBest, Tensor LossBest, Tensor XBestAdv, Tensor Fooled, int ZeroGradientStarts);

    /// <summary>DLR(z, y) = −(z_y − max_{i≠y} z_i)/(z_π1 − z_π3 + 1e-12), per sample.</summary>
    internal static Tensor Dlr(Tensor logits, Tensor y)
    {
        using var scope = NewDisposeScope();
        long c = logits.shape[1];
        var (sorted, ind) = logits.sort(1);
        var zy = logits.gather(1, y.unsqueeze(1)).squeeze(1);
        var top = sorted.select(1, c - 1);
        var other = where(ind.select(1, c - 1).eq(y), sorted.select(1, c - 2), top);
        var loss = (zy - other).neg_().div_(top - sorted.select(1, c - 3) + 1e-12);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Targeted DLR = −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2 + 1e-12), per sample.</summary>
    internal static Tensor DlrTargeted(Tensor logits, Tensor y, Tensor target)
    {
        using var scope = NewDisposeScope();
        long c = logits.shape[1];
        var (sorted, _) = logits.sort(1);
        var zy = logits.gather(1, y.unsqueeze(1)).squeeze(1);
        var zt = logits.gather(1, target.unsqueeze(1)).squeeze(1);
        var denom = sorted.select(1, c - 1) - (sorted.select(1, c - 3) + sorted.select(1, c - 4)) * 0.5 + 1e-12;
        return (zy - zt).neg_().div_(denom).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The checkpoint schedule of the reference: first interval max(⌊0.22 N⌋,1), then shrinking by
    /// max(⌊0.03 N⌋,1) down to max(⌊0.06 N⌋,1).
    /// </summary>
    internal static (int First, int Decrease, int Min) Schedule(int nIter) =>
        (Math.Max((int)(0.22 * nIter), 1), Math.Max((int)(0.03 * nIter), 1), Math.Max((int)(0.06 * nIter), 1));

    static Tensor PerSample(Tensor t) => t.view(-1, 1, 1, 1);

    /// <summary>
    /// The gradient of the summed per-sample <paramref name="loss"/> at <paramref name="xAdv"/>, averaged over
    /// <paramref name="eotIterations"/> forward/backward passes (Expectation over Transformation, for randomised
    /// models), with the logits and per-sample loss of the last pass, all detached, as the reference's
    /// <c>for _ in range(eot_iter)</c> loop. With one pass this is the plain gradient (no division).
    /// </summary>
    static (Tensor Logits, Tensor Loss, Tensor Grad) EotGradient(nn.Module<Tensor, Tensor> model, Tensor xAdv,
        Func<Tensor, Tensor> loss, int eotIterations)
    {
        Tensor? grad = null, logits = null, lossLast = null;
        for (int e = 0; e < eotIterations; e++)
        {
            // Each pass in its own scope so the activations of earlier passes are freed before the next one.
            using var passScope = NewDisposeScope();
            var input = xAdv.clone().requires_grad_(true);
            var z = model.call(input);
            var li = loss(z);
            var g = autograd.grad(new[] { li.sum() }, new[] { input })[0].detach();
            if (grad is null) grad = g.MoveToOuterDisposeScope();
            else using (no_grad()) grad.add_(g);
            if (e == eotIterations - 1)
            {
                logits = z.detach().MoveToOuterDisposeScope();
                lossLast = li.detach().MoveToOuterDisposeScope();
            }
        }
        if (eotIterations > 1) using (no_grad()) grad!.div_(eotIterations);
        return (logits!, lossLast!, grad!);
    }

    /// <summary>
    /// One APGD run on <paramref name="x"/> (all points assumed correctly classified). <paramref name="loss"/>
    /// maps (logits, indices into the sub-batch are implicit) to a per-sample loss to maximise. Success is
    /// untargeted misclassification, as in the reference, also for the targeted loss. Every gradient (the initial
    /// one and each iteration's) is the mean over <paramref name="eotIterations"/> passes (EoT); the logits and loss
    /// used for the bookkeeping are those of the last pass, as in the reference.
    /// </summary>
    internal static RunResult Run(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, ThreatModel threat,
        int nIter, double rho, Func<Tensor, Tensor> loss, Generator generator, int eotIterations = 1, Action<int>? onIteration = null)
    {
        if (eotIterations < 1) throw new ArgumentOutOfRangeException(nameof(eotIterations), "eotIterations must be ≥ 1");
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad(); // attacks need gradients even when called under no_grad
        double eps = threat.Epsilon;
        long n = x.shape[0];

        // Random start as the reference: L∞ a uniform draw in [−1,1] rescaled to ‖·‖∞ = ε, L2 a Gaussian
        // direction of length ε; then clipped to the box.
        Tensor xAdv;
        using (no_grad())
        {
            Tensor t;
            if (threat.Norm == Norm.Linf)
            {
                t = rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).mul_(2).sub_(1);
                t = t.div(PerSample(t.flatten(1).abs().amax(1)).add(1e-12));
            }
            else
            {
                t = randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
                t = t.div(PerSample(t.flatten(1).norm(1)).add(1e-12));
            }
            var delta = t.mul_(eps);
            threat.ProjectInPlace(x, delta);
            xAdv = (x + delta).detach();
        }

        var (logits0, loss0, grad) = EotGradient(model, xAdv, loss, eotIterations);
        int zeroGradientStarts;
        using (no_grad()) zeroGradientStarts = (int)grad.flatten(1).abs().sum(1).eq(0).sum().item<long>();
        Tensor fooled, xBest, xBestAdv, gradBest, lossBest, lossPrev, increases, lossBestLastCheck, reducedLastCheck, stepSize, xAdvOld;
        using (no_grad())
        {
            fooled = logits0.argmax(1).ne(y);
            lossBest = loss0.detach().clone();
            xBest = xAdv.clone();
            xBestAdv = xAdv.clone();
            gradBest = grad.clone();
            lossPrev = lossBest.clone();
            increases = zeros(n, dtype: ScalarType.Float32, device: x.device);
            lossBestLastCheck = lossBest.clone();
            reducedLastCheck = ones(n, dtype: ScalarType.Bool, device: x.device);
            stepSize = full(new long[] { n, 1, 1, 1 }, 2.0 * eps, dtype: x.dtype, device: x.device);
            xAdvOld = xAdv.clone();
        }

        var (k, sizeDecr, nIterMin) = Schedule(nIter);
        int counter = 0;
        for (int i = 0; i < nIter; i++)
        {
            using var stepScope = NewDisposeScope();
            using (no_grad())
            {
                var momentum = xAdv - xAdvOld;
                xAdvOld.copy_(xAdv);
                double a = i > 0 ? 0.75 : 1.0;
                var dir = threat.Norm == Norm.Linf
                    ? grad.sign()
                    : grad / (PerSample(grad.flatten(1).norm(1)) + 1e-12);
                var z = xAdv + stepSize * dir - x;
                threat.ProjectInPlace(x, z);
                z.add_(x);
                var next = xAdv + (z - xAdv) * a + momentum * (1 - a) - x;
                threat.ProjectInPlace(x, next);
                xAdv.copy_(next.add_(x));
            }

            var (logits, lossNow, g) = EotGradient(model, xAdv, loss, eotIterations);
            using (no_grad())
            {
                grad.copy_(g);
                var isFooled = logits.argmax(1).ne(y);
                xBestAdv.copy_(where(PerSample(isFooled), xAdv, xBestAdv));
                fooled.logical_or_(isFooled);

                var improved = lossNow.gt(lossBest);
                var imp4 = PerSample(improved);
                xBest.copy_(where(imp4, xAdv, xBest));
                gradBest.copy_(where(imp4, grad, gradBest));
                lossBest.copy_(where(improved, lossNow, lossBest));

                // Successful steps since the last checkpoint (the reference's check_oscillation window).
                increases.add_(lossNow.gt(lossPrev).to_type(ScalarType.Float32));
                lossPrev.copy_(lossNow);

                if (++counter == k)
                {
                    var oscillating = increases.le(k * rho);
                    var noImprovement = reducedLastCheck.logical_not().logical_and(lossBestLastCheck.ge(lossBest));
                    var reduce = oscillating.logical_or(noImprovement);
                    reducedLastCheck.copy_(reduce);
                    lossBestLastCheck.copy_(lossBest);
                    var r4 = PerSample(reduce);
                    stepSize.copy_(where(r4, stepSize * 0.5, stepSize));
                    // Restart the halved points from their best iterate.
                    xAdv.copy_(where(r4, xBest, xAdv));
                    grad.copy_(where(r4, gradBest, grad));
                    k = Math.Max(k - sizeDecr, nIterMin);
                    counter = 0;
                    increases.zero_();
                }
            }
            onIteration?.Invoke(i + 1);
        }
        return new RunResult(xBest.detach().MoveToOuterDisposeScope(), lossBest.detach().MoveToOuterDisposeScope(),
            xBestAdv.detach().MoveToOuterDisposeScope(), fooled.MoveToOuterDisposeScope(), zeroGradientStarts);
    }

    /// <summary>
    /// Per-sample bookkeeping across runs: a misclassified point wins over any other, else the highest loss.
    /// Points already misclassified on the clean image stay unchanged.
    /// </summary>
    internal sealed class Tracker
    {
        public Tensor Best { get; }
        public Tensor BestLoss { get; }
        public Tensor Fooled { get; }

        public Tracker(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, out long classes)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Best = images.clone().MoveToOuterDisposeScope();
            BestLoss = full(images.shape[0], double.NegativeInfinity, dtype: ScalarType.Float32, device: images.device).MoveToOuterDisposeScope();
            var logits = model.call(images);
            classes = logits.shape[1];
            Fooled = logits.argmax(1).ne(labels).MoveToOuterDisposeScope();
        }

        /// <summary>Indices of the points still classified correctly.</summary>
        public Tensor Todo() => Fooled.logical_not().nonzero().flatten();

        public void Merge(Tensor todo, RunResult r)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var oldLoss = BestLoss.index_select(0, todo);
            var oldBest = Best.index_select(0, todo);
            var better = r.LossBest.gt(oldLoss);
            var newBest = where(PerSample(r.Fooled), r.XBestAdv, where(PerSample(better), r.XBest, oldBest));
            Best.index_copy_(0, todo, newBest);
            BestLoss.index_copy_(0, todo, where(better, r.LossBest, oldLoss));
            Fooled.index_copy_(0, todo, r.Fooled);
        }
    }
}
