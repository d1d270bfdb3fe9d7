using System.Diagnostics;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Trains a classifier or part model with the paper's recipe: SGD with momentum (or AdamW), weight decay on weights
/// only, a cosine schedule per stage, clean training then adversarial fine-tuning from the best clean weights with a
/// fresh optimizer. PGD: the attack maximises the class cross-entropy with the model in eval mode and the update uses
/// only the adversarial images. TRADES: the attack maximises the KL to the clean prediction and the update uses
/// <see cref="TradesLoss"/> on one forward pass of [x; x′]. Each stage keeps the weights of its best validation epoch
/// (<see cref="ModelSelection"/>). With <see cref="ResumeOptions"/> the trainer saves a <see cref="TrainingState"/>
/// after every epoch (and within epochs as configured) and continues from one found at the start, to exactly the result
/// of an uninterrupted run.
/// </summary>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <param name="model">The model; its initial weights matter only when no resume state exists.</param>
    /// <param name="train">Training set.</param>
    /// <param name="val">Validation set (model selection).</param>
    /// <param name="options">The recipe.</param>
    /// <param name="progress">Progress bars and log lines.</param>
    /// <param name="label">Name used in progress and errors.</param>
    /// <param name="resume">Where to save and find the resume state; null = no saving.</param>
    /// <param name="observer">Told of each epoch as it is recorded (e.g. a TensorBoard log); null = none.</param>
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, PartDataset train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume = null, IEpochObserver? observer = null)
    {
        options.Validate();
        using var set = new InMemoryTrainingSet(train, options.SemiLabel, options.AugmentFlip);
        return Train(model, set, val, options, progress, label, resume, observer);
    }

    /// <summary>Trains <paramref name="model"/> in place on any <see cref="ITrainingSet"/> (e.g. a prepared dataset streamed from disk).</summary>
    /// <param name="model">The model; its initial weights matter only when no resume state exists.</param>
    /// <param name="train">Training data; its own augmentation and semi-label masking apply.</param>
    /// <param name="val">Validation set (model selection).</param>
    /// <param name="options">The recipe.</param>
    /// <param name="progress">Progress bars and log lines.</param>
    /// <param name="label">Name used in progress and errors.</param>
    /// <param name="resume">Where to save and find the resume state; null = no saving.</param>
    /// <param name="observer">Told of each epoch as it is recorded (e.g. a TensorBoard log); null = none.</param>
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, ITrainingSet train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume = null, IEpochObserver? observer = null)
    {
        options.Validate();
        if (train.Count < 2) throw new ArgumentException("the training set needs at least 2 images");
        var session = Stopwatch.StartNew();
        using var saved = resume is null ? null : TrainingState.Load(resume.StatePath);
        if (saved is not null && saved.Options != options)
            throw new InvalidDataException($"{resume!.StatePath}: config mismatch: the saved state was trained with other training options than this run's");
        if (saved is { Finished: true })
        {
            var result = ResumePoint.RestoreFinished(saved, model, resume!.StatePath);
            model.eval();
            progress.Log($"{label}: training finished before the interruption; restored from {Path.GetFileName(resume.StatePath)}");
            return result;
        }
        using var run = new TrainingRun(model, train, val, options, progress, label, resume, session) { Observer = observer };
        return Run(run, saved);
    }

    /// <summary>The stages in order, from the resume point when there is one; then the finished state.</summary>
    static TrainResult Run(TrainingRun run, TrainingState? saved)
    {
        if (run.Parallel is { } parallel) run.Progress.Log($"{run.Label}: {parallel.Describe(run.Options.BatchSize)}");
        if (saved is not null)
        {
            ResumePoint.RestoreRun(saved, run);
            LogResuming(run, saved);
        }
        for (int index = saved?.StageIndex ?? 0; index < TrainingStage.Count; index++)
        {
            if (TrainingStage.EpochsOf(run.Options, index) == 0) continue;
            using var stage = new TrainingStage(run, index);
            EpochInProgress? resumed = null;
            if (saved is not null)
            {
                resumed = ResumePoint.RestoreStage(saved, stage, run);
                saved.Dispose(); // everything is copied out: free the saved weights now rather than after training
                saved = null;
            }
            else if (stage.Adversarial) LogAdversarialStage(run, stage);
            RunStage(run, stage, resumed);
        }
        return Finish(run);
    }

    /// <summary>
    /// Trains the stage's remaining epochs (the first one <paramref name="resumed"/> when a resume point was within it),
    /// each followed by validation, selection and a resume point; then keeps the selected epoch's weights.
    /// </summary>
    static void RunStage(TrainingRun run, TrainingStage stage, EpochInProgress? resumed)
    {
        run.Parallel?.Synchronise(); // identical starting weights on every rank, fresh or resumed (cheap insurance)
        while (stage.EpochsDone < stage.Epochs)
        {
            using (var epoch = resumed ?? StartEpoch(run))
            {
                resumed = null;
                RunEpoch(run, stage, epoch);
                run.Parallel?.CheckReplicas(run.Label, run.Epoch);
                if (stage.Adversarial)
                {
                    run.AdvImages += epoch.Seen;
                    run.AdvSeconds += epoch.Seconds;
                }
                var validation = Validate(run, stage);
                RecordEpoch(run, stage, epoch, validation);
                if (stage.Selection.Offer(run.Epoch, validation.Accuracy, validation.Robust?.Accuracy, validation.Robust?.CleanAccuracy))
                    stage.KeepBestWeights(run.Model);
            }
            stage.EpochsDone++;
            SaveResumePoint(run, stage, epoch: null);
        }
        KeepSelectedEpoch(run, stage);
    }

    /// <summary>A new epoch: the next epoch number and a shuffled order from the trainer's generator.</summary>
    static EpochInProgress StartEpoch(TrainingRun run)
    {
        run.Epoch++;
        return new EpochInProgress(randperm(run.TrainingSet.Count, generator: run.Generator));
    }

    /// <summary>The epoch's remaining batches, one training step each, with a resume point within the epoch when one is due.</summary>
    static void RunEpoch(TrainingRun run, TrainingStage stage, EpochInProgress epoch)
    {
        int firstBatch = epoch.BatchesDone;
        using var batches = run.Parallel?.BeginEpoch(run.TrainingSet, epoch.Order, firstBatch, run.Options.BatchSize, run.Epoch)
                            ?? run.TrainingSet.BeginEpoch(epoch.Order, firstBatch, run.Options.BatchSize, run.Epoch);
        using var task = run.Progress.Start($"{run.Label} {stage.Name} epoch {stage.EpochsDone + 1}/{stage.Epochs}", stage.BatchesPerEpoch);
        if (firstBatch > 0) task.Advance(firstBatch);
        while (epoch.BatchesDone < stage.BatchesPerEpoch)
        {
            TrainStep(run, stage, epoch, batches);
            epoch.BatchesDone++;
            if (ResumePointDue(run, stage, epoch)) SaveResumePoint(run, stage, epoch);
            task.Advance();
            task.SetStatus($"loss {epoch.LossSum / epoch.Seen:F3} acc {100 * epoch.Correct / epoch.Seen:F1}%");
        }
    }

    /// <summary>
    /// One optimizer step on the next batch. PGD: the update uses only the adversarial images. TRADES: the update uses
    /// <see cref="TradesLoss"/> on the clean and adversarial images. Clean stage: the clean images. Data-parallel
    /// (<see cref="DataParallel"/>): this rank's block of the batch, its loss weighted by its share of the batch, the
    /// gradients and the counters summed over the ranks.
    /// </summary>
    static void TrainStep(TrainingRun run, TrainingStage stage, EpochInProgress epoch, ITrainingEpoch batches)
    {
        using var scope = NewDisposeScope();
        using var dropout = run.Parallel?.OwnDropoutMasks();
        var (x, masks, y) = batches.Next(run.Generator); // under MPI: this rank's rows of the batch
        var shard = run.Parallel?.Shard(Math.Min(run.Options.BatchSize, run.TrainingSet.Count - (long)epoch.BatchesDone * run.Options.BatchSize));
        long total = shard?.Total ?? y.shape[0];
        if (shard is { } block && block.Count != y.shape[0]) throw new InvalidOperationException($"batch {epoch.BatchesDone}: {y.shape[0]} rows, expected {block.Count}");
        stage.ShardAttacks(shard);
        int count = (int)y.shape[0];
        Tensor? xAdv = null;
        if (stage.Pgd is not null) x = stage.Pgd.Perturb(run.Model, x, y);
        if (stage.Trades is not null) xAdv = stage.Trades.Perturb(run.Model, x, y);
        stage.AdvanceSchedule();
        run.Model.train();
        stage.Optimizer.zero_grad();
        var (classLogits, loss) = xAdv is null
            ? StepLoss.Joint(run.Model, x, y, masks, run.Options)
            : StepLoss.Trades(run.Model, x, xAdv, y, masks, run.Options);
        // The loss sum and the correct predictions of the whole batch, so every rank checks, logs and records the same.
        Span<double> sums = [loss.item<float>() * (double)count, classLogits.argmax(1).eq(y).sum().item<long>()];
        run.Parallel?.Sum(sums);
        double lossValue = sums[0] / total;
        if (double.IsNaN(lossValue) || double.IsInfinity(lossValue))
            throw new InvalidOperationException($"{run.Label}: the training loss became {lossValue} in epoch {run.Epoch}; lower --lr");
        (shard is { } part ? loss * part.Fraction : loss).backward();
        run.Parallel?.SumGradients();
        stage.Optimizer.step();
        run.Parallel?.AfterStep();
        epoch.LossSum += sums[0];
        epoch.Correct += sums[1];
        epoch.Seen += total;
    }

    /// <summary>What an epoch is selected on: clean accuracy, part mIoU (part models), robust accuracy (adversarial stage).</summary>
    sealed record Validation(double Accuracy, double? PartMiou, RobustResult? Robust);

    /// <summary>Validation after an epoch (the robust accuracy on the attacked validation points, in the adversarial stage).</summary>
    static Validation Validate(TrainingRun run, TrainingStage stage)
    {
        var model = run.Model;
        int batchSize = run.Options.BatchSize * 2;
        // Part mIoU on the validation set, to see whether the segmenter has stopped improving; for a part model from the
        // same forward pass as the accuracy.
        double accuracy;
        double? miou = null;
        if (model is IPartModel partModel)
        {
            var (clean, parts) = Evaluator.AccuracyAndParts(partModel, run.ValidationSet, batchSize);
            (accuracy, miou) = (clean, parts.MeanIoU);
        }
        else accuracy = Evaluator.Accuracy(model, run.ValidationSet, batchSize);
        // A bar of its own, so that the validation attack after the epoch's bar is done does not look like a hang.
        var robust = stage.ValAttack is not null && run.ValAttackSet.Count > 0
            ? Evaluator.RobustAccuracy(model, run.ValAttackSet, stage.ValAttack, batchSize, run.Progress,
                $"{run.Label} {stage.Name} epoch {stage.EpochsDone + 1}/{stage.Epochs} validation PGD-{run.Options.EffectiveValAttackSteps}")
            : null;
        return new Validation(accuracy, miou, robust);
    }

    /// <summary>Adds the epoch to the history, tells the observer and logs it.</summary>
    static void RecordEpoch(TrainingRun run, TrainingStage stage, EpochInProgress epoch, Validation validation)
    {
        double epochSeconds = epoch.Seconds;
        var (valAccuracy, valMiou, valRobust) = validation;
        var record = new EpochRecord
        {
            Epoch = run.Epoch, Stage = stage.Name, TrainLoss = epoch.LossSum / epoch.Seen, TrainAccuracy = epoch.Correct / epoch.Seen,
            ValAccuracy = valAccuracy, ValRobustAccuracy = valRobust?.Accuracy, ValPartMiou = valMiou, LearningRate = stage.LearningRate,
            Seconds = epochSeconds,
        };
        run.History.Add(record);
        run.Observer?.EpochRecorded(record);
        run.Progress.Log($"{run.Label} {stage.Name} epoch {stage.EpochsDone + 1}/{stage.Epochs}: loss {epoch.LossSum / epoch.Seen:F3}, train acc {100 * epoch.Correct / epoch.Seen:F1}%, " +
                         $"val acc {100 * valAccuracy:F1}%{(valMiou is { } vm ? $", val part mIoU {100 * vm:F1}%" : "")}{(valRobust is { } vr ? $", val PGD-{run.Options.EffectiveValAttackSteps} acc {100 * vr.Accuracy:F1}%" : "")} " +
                         $"({epochSeconds:F0}s)");
    }

    /// <summary>At the end of a stage: the selected epoch's weights into the model, or the last epoch's when none was eligible.</summary>
    static void KeepSelectedEpoch(TrainingRun run, TrainingStage stage)
    {
        if (stage.BestWeights is not null && stage.Selection.BestEpoch > 0)
        {
            TrainingState.CopyInto(run.Model, stage.BestWeights, "the stage's best weights");
            run.Selected = stage.Selection.BestEpoch;
        }
        else
        {
            run.Selected = run.Epoch;
            run.Progress.Log($"{run.Label}: no {stage.Name} epoch had validation clean accuracy ≥ robust accuracy on the attacked points; keeping the last epoch");
        }
    }

    /// <summary>
    /// Whether to save within the epoch after this batch: not after its last one (the point between epochs follows), and
    /// when <see cref="ResumeOptions.EveryBatches"/> batches or <see cref="ResumeOptions.EverySeconds"/> seconds say so.
    /// </summary>
    static bool ResumePointDue(TrainingRun run, TrainingStage stage, EpochInProgress epoch) =>
        run.Resume is { } resume && epoch.BatchesDone < stage.BatchesPerEpoch &&
        ((resume.EveryBatches > 0 && epoch.BatchesDone % resume.EveryBatches == 0) ||
         (resume.EverySeconds > 0 && run.SinceSave.Elapsed.TotalSeconds >= resume.EverySeconds));

    /// <summary>Writes the resume state: within <paramref name="epoch"/>, or between epochs when it is null.</summary>
    static void SaveResumePoint(TrainingRun run, TrainingStage stage, EpochInProgress? epoch)
    {
        if (run.Resume is null) return;
        using var scope = NewDisposeScope();
        using var state = ResumePoint.Capture(run, stage, epoch);
        state.Save(run.Resume.StatePath);
        run.SinceSave.Restart();
    }

    /// <summary>The model in eval mode, the finished state written (when resuming is on), the result.</summary>
    static TrainResult Finish(TrainingRun run)
    {
        run.Model.eval();
        double seconds = run.ElapsedSeconds;
        if (run.Resume is not null)
        {
            using var finished = ResumePoint.CaptureFinished(run, seconds);
            finished.Save(run.Resume.StatePath);
        }
        return TrainResult.Of(run.History, seconds, run.AdvImages, run.AdvSeconds, run.Selected);
    }

    static void LogResuming(TrainingRun run, TrainingState saved)
    {
        string stage = TrainingStage.NameOf(run.Options, saved.StageIndex);
        run.Progress.Log($"{run.Label}: resuming from {Path.GetFileName(run.Resume!.StatePath)} " + (saved.Batch > 0
            ? $"in {stage} epoch {saved.EpochInStage + 1}, before batch {saved.Batch + 1}"
            : $"after {stage} epoch {saved.EpochInStage}"));
    }

    static void LogAdversarialStage(TrainingRun run, TrainingStage stage)
    {
        var options = run.Options;
        int epochs = stage.Epochs;
        run.Progress.Log($"{run.Label}: adversarial training: {options.DescribeRecipe()}, ε = {options.Epsilon * 255:0.###}/255, {epochs} epoch{(epochs == 1 ? "" : "s")} from the best clean weights");
    }

    /// <summary>Batches per epoch: full batches, plus the remainder when it holds at least 2 samples (batch norm needs 2).</summary>
    public static int BatchesPerEpoch(int count, int batchSize) => count / batchSize + (count % batchSize >= 2 ? 1 : 0);

    /// <summary>AdamW's β₁ in <see cref="CreateOptimizer"/> (PyTorch's default).</summary>
    public const double AdamBeta1 = 0.9;

    /// <summary>AdamW's β₂ in <see cref="CreateOptimizer"/> (PyTorch's default).</summary>
    public const double AdamBeta2 = 0.999;

    /// <summary>AdamW's ε in <see cref="CreateOptimizer"/> (PyTorch's default).</summary>
    public const double AdamEpsilon = 1e-8;

    /// <summary>
    /// SGD with momentum (the paper's choice) or AdamW; weight decay on weights only (parameters with more than
    /// one dimension), not on biases or normalisation parameters.
    /// </summary>
    public static OptimizerHelper CreateOptimizer(nn.Module model, TrainOptions options)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (_, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            (p.dim() > 1 ? decay : noDecay).Add(p);
        }
        if (options.Optimizer == OptimizerKind.Adamw)
        {
            var adam = new List<AdamW.ParamGroup>
            {
                new(decay, options.LearningRate, AdamBeta1, AdamBeta2, AdamEpsilon, options.WeightDecay, false, false),
                new(noDecay, options.LearningRate, AdamBeta1, AdamBeta2, AdamEpsilon, 0, false, false),
            };
            return optim.AdamW(adam, options.LearningRate);
        }
        var groups = new List<SGD.ParamGroup>
        {
            new(decay, options.LearningRate, options.Momentum, 0, options.WeightDecay, false, false),
            new(noDecay, options.LearningRate, options.Momentum, 0, 0, false, false),
        };
        return optim.SGD(groups, options.LearningRate, options.Momentum);
    }
}
