using PartRobust.Distributed;
using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Evaluation;

/// <summary>Robust accuracy of one attack on a set of points.</summary>
/// <param name="Accuracy">Fraction of points still robust after the attack: correct on the clean pass and not broken
/// (for a sequence: by any stage). Misclassified clean points count as broken.</param>
/// <param name="CleanAccuracy">Fraction classified correctly before the attack, on the same points.</param>
/// <param name="Points">Number of points attacked.</param>
/// <param name="Seconds">Wall-clock time.</param>
/// <param name="RobustMask">Per point: still correct after the attack.</param>
/// <param name="RobustAfterStage">For an <see cref="AttackSequence"/>: robust accuracy after each of its attacks; else null.</param>
/// <param name="BatchSeconds">Wall-clock seconds of each batch, in order (batches are independent, so the first k
/// batches are exactly a run on their points).</param>
/// <param name="Examples">The first points of this very run when asked for (<c>keepExamples</c>); else null.</param>
/// <param name="StageSeconds">For an <see cref="AttackSequence"/>: wall-clock seconds of each of its attacks, summed over batches; else null.</param>
public sealed record RobustResult(double Accuracy, double CleanAccuracy, int Points, double Seconds, bool[] RobustMask,
    double[]? RobustAfterStage = null, double[]? BatchSeconds = null, AdversarialExamples? Examples = null, double[]? StageSeconds = null);

/// <summary>Part segmentation quality.</summary>
/// <param name="PixelAccuracy">Fraction of labelled pixels (mask ≠ −1) whose predicted part label is right, background included.</param>
/// <param name="MeanIoU">Mean IoU over the part labels (background excluded) that occur in the ground truth.</param>
/// <param name="PerLabelIoU">IoU per segmentation label (NaN where the label occurs in neither truth nor prediction).</param>
public sealed record PartMetrics(double PixelAccuracy, double MeanIoU, double[] PerLabelIoU);

/// <summary>Clean accuracy, robust accuracy and part metrics, batch by batch inside dispose scopes.</summary>
public static class Evaluator
{
    /// <summary>Top-1 accuracy on clean images.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, PartDataset data, int batchSize)
    {
        if (data.Count == 0) return 0;
        return (double)Correct(model, data, batchSize).Count(c => c) / data.Count;
    }

    /// <summary>Per image: whether the model classifies it correctly (what <see cref="Accuracy"/> averages).</summary>
    public static bool[] Correct(nn.Module<Tensor, Tensor> model, PartDataset data, int batchSize)
    {
        var labels = data.Labels.data<long>().ToArray();
        var preds = Predictions(model, data, batchSize);
        return preds.Select((p, i) => p == labels[i]).ToArray();
    }

    /// <summary>Predicted class of every image (in an MPI job each rank predicts every N-th batch, then all share them).</summary>
    public static long[] Predictions(nn.Module<Tensor, Tensor> model, PartDataset data, int batchSize)
    {
        using (EvalMode.Enter(model))
        {
            var result = new double[data.Count];
            using var _ = no_grad();
            for (int start = 0, batch = 0; start < data.Count; start += batchSize, batch++)
            {
                if (!WorkShare.Owns(batch)) continue;
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, data.Count - start);
                var preds = model.call(data.Images.narrow(0, start, n)).argmax(1).to_type(ScalarType.Float64).data<double>().ToArray();
                Array.Copy(preds, 0, result, start, n);
            }
            WorkShare.SumOverRanks(result);
            return result.Select(v => (long)v).ToArray();
        }
    }

    /// <summary>
    /// Accuracy under <paramref name="attack"/>. Every adversarial batch is checked against the threat model
    /// before it is scored (an attack that leaves the ball throws instead of reporting a number).
    /// </summary>
    /// <param name="model">The model, put in eval mode for the run.</param>
    /// <param name="data">The points attacked, in batches of <paramref name="batchSize"/>.</param>
    /// <param name="attack">The attack.</param>
    /// <param name="batchSize">Points per batch.</param>
    /// <param name="progress">Progress bars.</param>
    /// <param name="label">Progress label; null = "attack NAME".</param>
    /// <param name="keepExamples">Keep the first this many points of this run (at most all) in
    /// <see cref="RobustResult.Examples"/>; 0 = none.</param>
    public static RobustResult RobustAccuracy(nn.Module<Tensor, Tensor> model, PartDataset data, IAttack attack, int batchSize,
        IProgressSink progress, string? label = null, int keepExamples = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepExamples);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batchClock = System.Diagnostics.Stopwatch.StartNew();
        var sequenceAttack = attack as AttackSequence;
        int stageCount = sequenceAttack?.Attacks.Count ?? 0;
        int batches = (data.Count + batchSize - 1) / Math.Max(1, batchSize), batch = 0;
        var tally = new RobustTally(data.Count, batches, stageCount);
        var probeCounts = RobustTally.ProbeCounts(attack);
        bool partModel = model is IPartModel;
        var keeper = keepExamples > 0 && data.Count > 0 ? new ExampleKeeper(attack, data, Math.Min(keepExamples, data.Count), partModel) : null;
        if (!partModel && (attack is IPartAttack || attack is AttackSequence { Attacks: var parts } && parts.Any(a => a is IPartAttack)))
            throw new ArgumentException($"attack {attack.Name} needs a part model; {model.GetName()} is a plain classifier");
        if (WorkShare.IsShared && World.IsRoot && batches < World.Size)
            progress.Log($"{label ?? attack.Name}: {batches} batch{(batches == 1 ? "" : "es")} of {batchSize} for {World.Size} ranks: " +
                         $"{World.Size - batches} rank(s) idle; a smaller --batch-size shares the points out (the results equal one process's with the same batch size)");
        // In an MPI job this rank attacks every N-th batch; its bars count its own points.
        int myPoints = Enumerable.Range(0, batches).Where(WorkShare.Owns).Sum(b => Math.Min(batchSize, data.Count - b * batchSize));
        using (EvalMode.Enter(model))
        {
            using var task = progress.Start(label ?? $"attack {attack.Name}", myPoints);
            // One bar per stage of a sequence: points it attacked so far and how many of them stayed robust (cumulative).
            var stageTasks = new IProgressTask?[stageCount];
            var stageRobust = new int[stageCount];
            var stageAttacked = new int[stageCount];
            int stageSeen = 0, seen = 0;
            IProgressTask StageTask(AttackSequence sequence, int i) =>
                stageTasks[i] ??= progress.Start($"  {label ?? attack.Name} · {sequence.Attacks[i].Name}", myPoints);
            if (sequenceAttack is { } sequence)
            {
                sequence.StageFinished = (i, attacked, robustAfter) =>
                {
                    stageRobust[i] += robustAfter;
                    stageAttacked[i] += attacked;
                    StageTask(sequence, i).Advance(stageSeen);
                    stageTasks[i]!.SetStatus($"attacked {stageAttacked[i]}, robust {stageRobust[i]}");
                };
                sequence.StageStarted = (i, attacked) =>
                {
                    task.SetStatus((batches > 1 ? $"batch {batch + 1}/{batches}, " : "") + $"stage {i + 1}/{sequence.Attacks.Count}: {sequence.Attacks[i].Name}");
                    var stageTask = StageTask(sequence, i);
                    var stageClock = System.Diagnostics.Stopwatch.StartNew();
                    ListenTo(sequence.Attacks[i], p => stageTask.SetStatus(InsideBatch(p, stageClock, batch, batches, $"attacking {attacked}: ")));
                };
            }
            else
            {
                ListenTo(attack, p => task.SetStatus(InsideBatch(p, batchClock, batch, batches, "")));
            }
            for (int start = 0; start < data.Count; start += batchSize, batch++)
            {
                if (!WorkShare.Owns(batch)) continue;
                batchClock.Restart();
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, data.Count - start);
                var x = data.Images.narrow(0, start, n);
                var y = data.Labels.narrow(0, start, n);
                model.eval();
                Tensor cleanPred;
                using (no_grad()) cleanPred = model.call(x).argmax(1);
                stageSeen = n;
                var truth = partModel ? new PartTruth(data.Masks.narrow(0, start, n), data.Masks, data.Labels) : null;
                // The batch's random stream depends on the batch alone, so sharing batches between ranks changes no point.
                (attack as IBatchSeeded)?.SeedForBatch(batch);
                var adv = attack switch
                {
                    IPartAttack pa => pa.Perturb(model, x, y, truth!),
                    AttackSequence sq => sq.Perturb(model, x, y, truth),
                    _ => attack.Perturb(model, x, y),
                };
                attack.Threat.Verify(x, adv);
                model.eval();
                Tensor advPred;
                using (no_grad()) advPred = model.call(adv).argmax(1);
                var (ok, cleanOk) = Outcomes(attack, cleanPred.eq(y), advPred.eq(y));
                tally.Add(batch, start, ok, cleanOk.Count(v => v),
                    sequenceAttack?.LastRobustAfterStage.Select(v => (long)v).ToArray() ?? [], sequenceAttack?.LastStageSeconds ?? [],
                    batchClock.Elapsed.TotalSeconds);
                keeper?.Add(model, start, x, adv, y, cleanPred, advPred);
                seen += n;
                task.Advance(n);
                task.SetStatus($"robust {tally.Kept}/{seen} ({100.0 * tally.Kept / seen:F1}%)");
            }
            foreach (var t in stageTasks) t?.Dispose();
            if (sequenceAttack is { } s2)
            {
                s2.StageFinished = null;
                s2.StageStarted = null;
                foreach (var a in s2.Attacks) ListenTo(a, null);
            }
            ListenTo(attack, null);
        }
        tally.Gather(attack, keeper, probeCounts);
        int total = Math.Max(1, data.Count);
        return new RobustResult((double)tally.Kept / total, (double)tally.Clean / total, data.Count, clock.Elapsed.TotalSeconds, tally.Robust,
            sequenceAttack is null ? null : tally.StageRobust.Select(v => (double)v / total).ToArray(), tally.BatchSeconds, keeper?.Result(),
            sequenceAttack is null ? null : tally.StageSeconds);
    }

    /// <summary>Points the progress reports of <paramref name="attack"/> (if it makes any) at <paramref name="listener"/>; null stops them.</summary>
    static void ListenTo(IAttack attack, Action<AttackProgress>? listener)
    {
        if (attack is IReportsProgress reporting) reporting.Progress = listener;
    }

    /// <summary>
    /// The live status of an attack inside a batch, e.g. "batch 1/2, attacking 40: target 3/9, iteration 40/100, ETA 95s"
    /// (the ETA of this batch's run, from the time it has taken so far).
    /// </summary>
    internal static string InsideBatch(AttackProgress p, System.Diagnostics.Stopwatch clock, int batch, int batches, string prefix)
    {
        double f = Math.Clamp(p.Fraction, 0, 1), elapsed = clock.Elapsed.TotalSeconds;
        string eta = f > 0 && elapsed > 0 ? $", ETA {elapsed * (1 - f) / f:F0}s" : "";
        return (batches > 1 ? $"batch {batch + 1}/{batches}, " : "") + prefix + p.Detail + eta;
    }

    /// <summary>
    /// Per point of a batch: robust, and correct on the clean pass. A sequence reports the flags that steered it (a point
    /// counts as robust only if its clean pass was right and no stage broke it, as AutoAttack reports); any other attack
    /// counts a point as robust when both this clean pass and the pass on its output are right. On a deterministic model
    /// both rules give what one forward pass on the output gives; on a randomised one a lucky later pass cannot
    /// resurrect a point.
    /// </summary>
    static (bool[] Robust, bool[] CleanCorrect) Outcomes(IAttack attack, Tensor cleanCorrect, Tensor advCorrect)
    {
        if (attack is AttackSequence sequence) return (sequence.LastRobust, sequence.LastCleanCorrect);
        var cleanOk = cleanCorrect.cpu().data<bool>().ToArray();
        var advOk = advCorrect.cpu().data<bool>().ToArray();
        return (advOk.Select((v, i) => v && cleanOk[i]).ToArray(), cleanOk);
    }

    /// <summary>Pixel accuracy and mean IoU of a part model's predicted masks.</summary>
    public static PartMetrics PartSegmentation(IPartModel model, PartDataset data, int batchSize) =>
        AccuracyAndParts(model, data, batchSize).Parts;

    /// <summary>
    /// Top-1 accuracy (as <see cref="Accuracy"/>) and part metrics (as <see cref="PartSegmentation"/>) of a part model in
    /// one pass over the data, from the class and part logits of the same forward pass.
    /// </summary>
    public static (double Accuracy, PartMetrics Parts) AccuracyAndParts(IPartModel model, PartDataset data, int batchSize)
    {
        int k = data.Taxonomy.NumSegLabels;
        var confusion = new long[k * k];
        long correct = 0;
        var module = (nn.Module)model;
        using (EvalMode.Enter(module))
        {
            using var _ = no_grad();
            for (int start = 0, batch = 0; start < data.Count; start += batchSize, batch++)
            {
                if (!WorkShare.Owns(batch)) continue;
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, data.Count - start);
                var (classLogits, partLogits) = model.ForwardWithParts(data.Images.narrow(0, start, n));
                correct += classLogits.argmax(1).eq(data.Labels.narrow(0, start, n)).sum().item<long>();
                var pred = partLogits.argmax(1).flatten();
                var truth = data.Masks.narrow(0, start, n).flatten();
                var valid = truth.ge(0);
                var pairs = truth.masked_select(valid) * k + pred.masked_select(valid);
                var counts = pairs.bincount(null, k * k).data<long>().ToArray();
                for (int i = 0; i < k * k; i++) confusion[i] += counts[i];
            }
        }
        if (WorkShare.IsShared) (correct, confusion) = SumOverRanks(correct, confusion);
        return (data.Count == 0 ? 0 : (double)correct / data.Count, MetricsFromConfusion(confusion, k));
    }

    /// <summary>The count and confusion matrix summed over the ranks of an MPI job.</summary>
    static (long Correct, long[] Confusion) SumOverRanks(long correct, long[] confusion)
    {
        var values = confusion.Select(v => (double)v).Append(correct).ToArray();
        WorkShare.SumOverRanks(values);
        return ((long)values[^1], values.Take(confusion.Length).Select(v => (long)v).ToArray());
    }

    /// <summary>Pixel accuracy and IoUs from a K×K confusion matrix (row = truth, column = prediction).</summary>
    public static PartMetrics MetricsFromConfusion(long[] confusion, int k)
    {
        long totalPixels = confusion.Sum(), correctPixels = 0;
        var iou = new double[k];
        var ious = new List<double>();
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c * k + c], truthC = 0, predC = 0;
            for (int j = 0; j < k; j++) { truthC += confusion[c * k + j]; predC += confusion[j * k + c]; }
            correctPixels += tp;
            long union = truthC + predC - tp;
            iou[c] = union == 0 ? double.NaN : (double)tp / union;
            if (c > 0 && truthC > 0) ious.Add(iou[c]);
        }
        return new PartMetrics(totalPixels == 0 ? 0 : (double)correctPixels / totalPixels, ious.Count == 0 ? 0 : ious.Average(), iou);
    }
}
