using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The PGD loop shared by <see cref="PgdAttack"/> and the part-model attacks: sign (L∞) or normalised (L2) gradient
/// ascent on a per-sample objective, projection onto the ball and the box after every step, restarts on the points
/// still classified correctly, and per-sample worst-case bookkeeping (a misclassified iterate wins, else the highest
/// objective).
/// </summary>
internal static class PgdCore
{
    /// <summary>
    /// Class logits and the per-sample loss to maximise for <paramref name="input"/>, a sub-batch whose rows are the
    /// batch rows <paramref name="index"/> (so an objective can pick their masks or targets).
    /// </summary>
    internal delegate (Tensor Logits, Tensor Loss) Objective(Tensor input, Tensor index);

    /// <summary>Settings of one PGD attack.</summary>
    internal readonly record struct Settings(ThreatModel Threat, int Steps, double StepSize, int Restarts, bool RandomStart, bool KeepWorstCase)
    {
        /// <summary>
        /// The images are this block of a larger batch: the random start is the block's rows of the whole batch's. Only
        /// without <see cref="KeepWorstCase"/> (the training form), where every row starts once at random.
        /// </summary>
        public BatchShard? Shard { get; init; }
    }

    /// <summary>
    /// Adversarial images for the batch. <paramref name="start"/>, when given, is the first restart's starting point
    /// (e.g. the output of an earlier stage) instead of a random one.
    /// </summary>
    internal static Tensor Perturb(Tensor images, Tensor labels, Settings s, Generator generator, Objective objective, Tensor? start = null,
        Action<int, int>? onStep = null)
    {
        if (s.Shard is not null && s.KeepWorstCase)
            throw new NotSupportedException("a sharded attack draws one random start per row of the whole batch; restarts on the rows still classified correctly would need one per row of a subset");
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        var all = arange(n, dtype: ScalarType.Int64, device: images.device);
        Tensor result;
        if (!s.KeepWorstCase)
        {
            result = RunOnce(images, labels, all, s, generator, objective, start, null, step => onStep?.Invoke(0, step));
        }
        else
        {
            var best = images.clone();
            Tensor bestLoss, fooled;
            using (no_grad())
            {
                var (logits, loss) = objective(images, all);
                fooled = logits.argmax(1).ne(labels);
                bestLoss = loss.detach().to_type(ScalarType.Float32);
            }
            for (int r = 0; r < s.Restarts; r++)
            {
                using var restartScope = NewDisposeScope();
                var todo = fooled.logical_not().nonzero().flatten();
                if (todo.shape[0] == 0) break;
                var x = images.index_select(0, todo);
                var y = labels.index_select(0, todo);
                var subBest = best.index_select(0, todo);
                var subLoss = bestLoss.index_select(0, todo);
                var subFooled = zeros(todo.shape[0], dtype: ScalarType.Bool, device: images.device);
                int restart = r;
                RunOnce(x, y, todo, s, generator, objective, r == 0 ? start?.index_select(0, todo) : null, (subBest, subLoss, subFooled),
                    step => onStep?.Invoke(restart, step));
                using (no_grad())
                {
                    best.index_copy_(0, todo, subBest);
                    bestLoss.index_copy_(0, todo, subLoss);
                    fooled.index_copy_(0, todo, subFooled);
                }
            }
            result = best;
        }
        s.Threat.Verify(images, result);
        return result.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One PGD run. When <paramref name="track"/> is given, it holds per-sample (best image, best loss, fooled)
    /// and is updated at every iterate: a misclassified iterate wins over any correctly classified one.
    /// </summary>
    static Tensor RunOnce(Tensor x, Tensor y, Tensor index, Settings s, Generator generator, Objective objective,
        Tensor? start, (Tensor Best, Tensor Loss, Tensor Fooled)? track, Action<int>? onStep)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad(); // attacks need gradients even when called under no_grad
        var threat = s.Threat;
        Tensor delta;
        if (start is not null)
        {
            delta = (start - x).detach();
            threat.ProjectInPlace(x, delta);
        }
        else
        {
            delta = s.RandomStart && threat.Epsilon > 0 ? threat.RandomStart(x, generator, s.Shard) : zeros_like(x);
        }
        for (int step = 0; step <= s.Steps; step++)
        {
            // The last iterate needs a forward pass only to be scored.
            if (step == s.Steps && track is null) break;
            using var stepScope = NewDisposeScope();
            var input = (x + delta).detach().requires_grad_(true);
            var (logits, losses) = objective(input, index);
            if (track is { } t)
            {
                using var _ = no_grad();
                var isFooled = logits.argmax(1).ne(y);
                // Replace when this iterate fools the model and the kept one did not, or when neither/both
                // fool it and this one has a higher loss.
                var better = isFooled.logical_and(t.Fooled.logical_not())
                    .logical_or(isFooled.eq(t.Fooled).logical_and(losses.gt(t.Loss)));
                var b4 = better.view(-1, 1, 1, 1);
                t.Best.copy_(where(b4, input.detach(), t.Best));
                t.Loss.copy_(where(better, losses.detach().to_type(ScalarType.Float32), t.Loss));
                t.Fooled.logical_or_(isFooled);
            }
            if (step == s.Steps) break;
            var g = autograd.grad(new[] { losses.sum() }, new[] { input })[0];
            using (no_grad())
            {
                if (threat.Norm == Norm.Linf)
                {
                    delta.add_(g.sign().mul_(s.StepSize));
                }
                else
                {
                    var norm = g.flatten(1).norm(1, keepdim: true).clamp_min(1e-12).view(-1, 1, 1, 1);
                    delta.add_(g.div(norm).mul_(s.StepSize));
                }
                threat.ProjectInPlace(x, delta);
            }
            onStep?.Invoke(step + 1);
        }
        return (x + delta).detach().MoveToOuterDisposeScope();
    }
}
