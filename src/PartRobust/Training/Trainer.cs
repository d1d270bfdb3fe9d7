using System.Diagnostics;
using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>What training produced besides the trained weights.</summary>
/// <param name="History">One record per epoch, both stages.</param>
/// <param name="Seconds">Wall-clock seconds, validation included.</param>
/// <param name="AdvImagesPerSecond">Adversarial-training throughput (training steps only; 0 without a PGD stage).</param>
/// <param name="SelectedEpoch">The epoch whose weights were kept (best validation score of the last stage).</param>
public sealed record TrainResult(List<EpochRecord> History, double Seconds, double AdvImagesPerSecond, int SelectedEpoch);

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
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, PartDataset train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume = null)
    {
        options.Validate();
        using var set = new InMemoryTrainingSet(train, options.SemiLabel, options.AugmentFlip);
        return Train(model, set, val, options, progress, label, resume);
    }

    /// <summary>Trains <paramref name="model"/> in place on any <see cref="ITrainingSet"/> (e.g. a prepared dataset streamed from disk).</summary>
    /// <param name="model">The model; its initial weights matter only when no resume state exists.</param>
    /// <param name="train">Training data; its own augmentation and semi-label masking apply.</param>
    /// <param name="val">Validation set (model selection).</param>
    /// <param name="options">The recipe.</param>
    /// <param name="progress">Progress bars and log lines.</param>
    /// <param name="label">Name used in progress and errors.</param>
    /// <param name="resume">Where to save and find the resume state; null = no saving.</param>
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, ITrainingSet train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume = null)
    {
        options.Validate();
        if (train.Count < 2) throw new ArgumentException("the training set needs at least 2 images");
        var session = Stopwatch.StartNew();
        var device = train.Device;
        var saved = resume is null ? null : TrainingState.Load(resume.StatePath);
        try
        {
            if (saved is not null && saved.Options != options)
                throw new InvalidDataException($"{resume!.StatePath}: config mismatch: the saved state was trained with other training options than this run's");
            if (saved is { Finished: true })
            {
                TrainingState.CopyInto(model, saved.Model, resume!.StatePath);
                if (saved.GlobalRng is { } g) RandomState.RestoreGlobal(g);
                model.eval();
                progress.Log($"{label}: training finished before the interruption; restored from {Path.GetFileName(resume.StatePath)}");
                return new TrainResult(saved.History, saved.ElapsedSeconds, saved.AdvSeconds > 0 ? saved.AdvImages / saved.AdvSeconds : 0, saved.Selected);
            }
            return Run(model, train, val, options, progress, label, resume, ref saved, session, device);
        }
        finally
        {
            saved?.Dispose();
        }
    }

    static TrainResult Run(nn.Module<Tensor, Tensor> model, ITrainingSet train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume, ref TrainingState? saved, Stopwatch session, Device device)
    {
        double priorSeconds = saved?.ElapsedSeconds ?? 0;
        var history = saved?.History ?? new List<EpochRecord>();
        using var generator = new Generator((ulong)options.Seed, device);
        int epoch = saved?.Epoch ?? 0, selected = saved?.Selected ?? 0;
        double advImages = saved?.AdvImages ?? 0, advSeconds = saved?.AdvSeconds ?? 0;
        using var valAttackSet = val.Take(options.ValAttackPoints);
        bool trades = options.AdvTrain == "trades";
        var sinceSave = Stopwatch.StartNew();
        if (saved is not null)
            progress.Log($"{label}: resuming from {Path.GetFileName(resume!.StatePath)} " + (saved.Batch > 0
                ? $"in {StageName(options, saved.StageIndex)} epoch {saved.EpochInStage + 1}, before batch {saved.Batch + 1}"
                : $"after {StageName(options, saved.StageIndex)} epoch {saved.EpochInStage}"));
        var stages = new[] { (Name: "clean", Epochs: options.CleanEpochs), (Name: options.AdvTrain, Epochs: options.AdvEpochs) };
        for (int stageIndex = 0; stageIndex < stages.Length; stageIndex++)
        {
            var (stage, epochs) = stages[stageIndex];
            if (epochs == 0 || (saved is not null && stageIndex < saved.StageIndex)) continue;
            bool adversarial = stageIndex == 1;
            var pgd = adversarial && !trades ? PgdAttack.PaperTraining(options.Epsilon, options.AttackSteps, options.Seed + 1) : null;
            var tradesAttack = adversarial && trades ? TradesAttack.PaperTraining(options.Epsilon, options.AttackSteps, options.Seed + 1) : null;
            var valAttack = adversarial ? PgdAttack.PaperTraining(options.Epsilon, options.EffectiveValAttackSteps, options.Seed + 2) : null;
            if (adversarial && saved is null)
                progress.Log($"{label}: adversarial training: {options.DescribeRecipe()}, ε = {options.Epsilon * 255:0.###}/255, {epochs} epoch{(epochs == 1 ? "" : "s")} from the best clean weights");
            using var optimizer = CreateOptimizer(model, options);
            int batchesPerEpoch = BatchesPerEpoch(train.Count, options.BatchSize);
            var schedule = new CosineSchedule(options.LearningRate, epochs * batchesPerEpoch,
                (int)Math.Round(options.WarmupEpochs * batchesPerEpoch));
            int iteration = 0, firstEpoch = 0;
            var selection = new ModelSelection();
            Dictionary<string, Tensor>? bestWeights = null;
            TrainingState? partial = null;
            if (saved is not null)
            {
                // Resume inside this stage: weights, optimizer, generators, counters, best-so-far.
                TrainingState.CopyInto(model, saved.Model, resume!.StatePath);
                if (saved.Optimizer is { } blob)
                {
                    using var reader = new BinaryReader(new MemoryStream(blob));
                    using (OptimizerStateLayout.Contiguous(optimizer))
                        optimizer.load_state_dict(reader);
                }
                if (saved.TrainerRng is { } tr) RandomState.Restore(generator, tr);
                pgd?.RestoreRandomState(saved.AttackRng);
                tradesAttack?.RestoreRandomState(saved.AttackRng);
                valAttack?.RestoreRandomState(saved.ValAttackRng);
                if (saved.GlobalRng is { } g) RandomState.RestoreGlobal(g);
                iteration = saved.Iteration;
                firstEpoch = saved.EpochInStage;
                selection.Restore(saved.BestScore, saved.BestEpoch);
                if (saved.Best is { } best) bestWeights = best.ToDictionary(kv => kv.Key, kv => kv.Value.to(device, copy: true));
                if (saved.Batch > 0) partial = saved;
                else { saved.Dispose(); }
                saved = null;
            }

            // Writes the resume state; `order`, `batch` and the sums describe the epoch in progress (batch 0 = between epochs).
            void SaveState(int epochInStage, int batch, Tensor? order, double lossSum, double correct, double seen, double lr, double epochSeconds)
            {
                if (resume is null) return;
                using var scope = NewDisposeScope();
                byte[] optimizerState;
                using (var ms = new MemoryStream())
                {
                    using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
                    using (OptimizerStateLayout.Contiguous(optimizer))
                        optimizer.save_state_dict(w);
                    optimizerState = ms.ToArray();
                }
                using var state = new TrainingState
                {
                    Options = options, StageIndex = stageIndex, EpochInStage = epochInStage, Batch = batch, Iteration = iteration,
                    Epoch = epoch, Selected = selected, BestScore = selection.BestScore, BestEpoch = selection.BestEpoch,
                    LossSum = lossSum, Correct = correct, Seen = seen, LearningRate = lr, EpochSeconds = epochSeconds,
                    ElapsedSeconds = priorSeconds + session.Elapsed.TotalSeconds, AdvImages = advImages, AdvSeconds = advSeconds,
                    History = history, TrainerRng = RandomState.Save(generator),
                    AttackRng = pgd?.SaveRandomState() ?? tradesAttack?.SaveRandomState(), ValAttackRng = valAttack?.SaveRandomState(),
                    GlobalRng = RandomState.SaveGlobal(),
                    Model = TrainingState.CpuCopy(model.state_dict()),
                    Best = bestWeights is null ? null : TrainingState.CpuCopy(bestWeights),
                    Order = order?.cpu().clone().DetachFromDisposeScope(),
                    Optimizer = optimizerState,
                };
                state.Save(resume.StatePath);
                sinceSave.Restart();
            }

            try
            {
                for (int e = firstEpoch; e < epochs; e++)
                {
                    int firstBatch = partial?.Batch ?? 0;
                    if (partial is null) epoch++;
                    var clock = Stopwatch.StartNew();
                    double priorEpochSeconds = partial?.EpochSeconds ?? 0;
                    double lossSum = partial?.LossSum ?? 0, correct = partial?.Correct ?? 0, seen = partial?.Seen ?? 0, lr = partial?.LearningRate ?? 0;
                    using var order = partial?.Order?.to(device, copy: true) ?? randperm(train.Count, generator: generator);
                    partial?.Dispose();
                    partial = null;
                    using (var batches = train.BeginEpoch(order, firstBatch, options.BatchSize, epoch))
                    using (var task = progress.Start($"{label} {stage} epoch {e + 1}/{epochs}", batchesPerEpoch))
                    {
                        if (firstBatch > 0) task.Advance(firstBatch);
                        for (int b = firstBatch; b < batchesPerEpoch; b++)
                        {
                            using (var scope = NewDisposeScope())
                            {
                                var (x, masks, y) = batches.Next(generator);
                                int count = (int)y.shape[0];
                                Tensor? xAdv = null;
                                if (pgd is not null) x = pgd.Perturb(model, x, y);
                                if (tradesAttack is not null) xAdv = tradesAttack.Perturb(model, x, y);
                                lr = schedule.RateAt(iteration++);
                                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                                model.train();
                                optimizer.zero_grad();
                                var (classLogits, loss) = xAdv is null
                                    ? StepLoss(model, x, y, masks, options)
                                    : TradesStepLoss(model, x, xAdv, y, masks, options);
                                double lossValue = loss.item<float>();
                                if (double.IsNaN(lossValue) || double.IsInfinity(lossValue))
                                    throw new InvalidOperationException($"{label}: the training loss became {lossValue} in epoch {epoch}; lower --lr");
                                loss.backward();
                                optimizer.step();
                                lossSum += lossValue * count;
                                correct += classLogits.argmax(1).eq(y).sum().item<long>();
                                seen += count;
                            }
                            if (resume is not null && b + 1 < batchesPerEpoch &&
                                ((resume.EveryBatches > 0 && (b + 1) % resume.EveryBatches == 0) ||
                                 (resume.EverySeconds > 0 && sinceSave.Elapsed.TotalSeconds >= resume.EverySeconds)))
                                SaveState(e, b + 1, order, lossSum, correct, seen, lr, priorEpochSeconds + clock.Elapsed.TotalSeconds);
                            task.Advance();
                            task.SetStatus($"loss {lossSum / seen:F3} acc {100 * correct / seen:F1}%");
                        }
                    }
                    double trainSeconds = priorEpochSeconds + clock.Elapsed.TotalSeconds;
                    if (adversarial) { advImages += seen; advSeconds += trainSeconds; }

                    // Part mIoU on the validation set, to see whether the segmenter has stopped improving; for a part
                    // model from the same forward pass as the accuracy.
                    double valAccuracy;
                    double? valMiou = null;
                    if (model is IPartModel partModel)
                    {
                        var (accuracy, parts) = Evaluator.AccuracyAndParts(partModel, val, options.BatchSize * 2);
                        (valAccuracy, valMiou) = (accuracy, parts.MeanIoU);
                    }
                    else valAccuracy = Evaluator.Accuracy(model, val, options.BatchSize * 2);
                    var valRobust = valAttack is not null && valAttackSet.Count > 0
                        ? Evaluator.RobustAccuracy(model, valAttackSet, valAttack, options.BatchSize * 2, NullProgress.Instance)
                        : null;
                    double epochSeconds = priorEpochSeconds + clock.Elapsed.TotalSeconds;
                    history.Add(new EpochRecord
                    {
                        Epoch = epoch, Stage = stage, TrainLoss = lossSum / seen, TrainAccuracy = correct / seen,
                        ValAccuracy = valAccuracy, ValRobustAccuracy = valRobust?.Accuracy, ValPartMiou = valMiou, LearningRate = lr,
                        Seconds = epochSeconds,
                    });
                    progress.Log($"{label} {stage} epoch {e + 1}/{epochs}: loss {lossSum / seen:F3}, train acc {100 * correct / seen:F1}%, " +
                                 $"val acc {100 * valAccuracy:F1}%{(valMiou is { } vm ? $", val part mIoU {100 * vm:F1}%" : "")}{(valRobust is { } vr ? $", val PGD-{options.EffectiveValAttackSteps} acc {100 * vr.Accuracy:F1}%" : "")} " +
                                 $"({epochSeconds:F0}s)");

                    if (selection.Offer(epoch, valAccuracy, valRobust?.Accuracy, valRobust?.CleanAccuracy))
                    {
                        DisposeAll(bestWeights);
                        bestWeights = Snapshot(model);
                    }
                    SaveState(e + 1, 0, null, 0, 0, 0, lr, 0);
                }
                if (bestWeights is not null && selection.BestEpoch > 0)
                {
                    TrainingState.CopyInto(model, bestWeights, "the stage's best weights");
                    selected = selection.BestEpoch;
                }
                else
                {
                    selected = epoch;
                    progress.Log($"{label}: no {stage} epoch had validation clean accuracy ≥ robust accuracy on the attacked points; keeping the last epoch");
                }
            }
            finally
            {
                DisposeAll(bestWeights);
                partial?.Dispose();
            }
        }
        model.eval();
        double seconds = priorSeconds + session.Elapsed.TotalSeconds;
        if (resume is not null)
        {
            using var done = new TrainingState
            {
                Options = options, Finished = true, Epoch = epoch, Selected = selected, ElapsedSeconds = seconds,
                AdvImages = advImages, AdvSeconds = advSeconds, History = history, GlobalRng = RandomState.SaveGlobal(),
                Model = TrainingState.CpuCopy(model.state_dict()),
            };
            done.Save(resume.StatePath);
        }
        return new TrainResult(history, seconds, advSeconds > 0 ? advImages / advSeconds : 0, selected);
    }

    /// <summary>Batches per epoch: full batches, plus the remainder when it holds at least 2 samples (batch norm needs 2).</summary>
    public static int BatchesPerEpoch(int count, int batchSize) => count / batchSize + (count % batchSize >= 2 ? 1 : 0);

    /// <summary>The name of stage <paramref name="stageIndex"/>: <c>clean</c>, or the adversarial recipe.</summary>
    static string StageName(TrainOptions options, int stageIndex) => stageIndex == 0 ? "clean" : options.AdvTrain;

    /// <summary>The joint loss (<see cref="PartLoss"/>) on one batch, with the class logits for the accuracy.</summary>
    static (Tensor ClassLogits, Tensor Loss) StepLoss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor masks, TrainOptions options)
    {
        if (model is IPartModel part)
        {
            var (c, p) = part.ForwardWithParts(x);
            return (c, PartLoss.Compute(c, y, p, masks, options.SegWeight, options.LabelSmoothing));
        }
        var logits = model.call(x);
        return (logits, PartLoss.Compute(logits, y, null, null, 0, options.LabelSmoothing));
    }

    /// <summary>
    /// <see cref="TradesLoss"/> on one forward pass of [x; x′] in train mode (batch-norm statistics over both halves, as the
    /// reference's concatenated batch), with the adversarial half's class logits for the training accuracy (as the reference).
    /// </summary>
    static (Tensor ClassLogits, Tensor Loss) TradesStepLoss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor xAdv, Tensor y, Tensor masks, TrainOptions options)
    {
        long n = x.shape[0];
        var both = cat(new[] { x, xAdv }, 0);
        Tensor logits, loss;
        if (model is IPartModel part && options.SegWeight > 0)
        {
            var (c, p) = part.ForwardWithParts(both);
            logits = c;
            loss = TradesLoss.Compute(c.narrow(0, 0, n), c.narrow(0, n, n), y, p.narrow(0, n, n), masks,
                options.SegWeight, options.TradesBeta, options.LabelSmoothing);
        }
        else
        {
            logits = model.call(both);
            loss = TradesLoss.Compute(logits.narrow(0, 0, n), logits.narrow(0, n, n), y, null, null,
                options.SegWeight, options.TradesBeta, options.LabelSmoothing);
        }
        return (logits.narrow(0, n, n), loss);
    }

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
        if (options.Optimizer == "adamw")
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

    static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var scope = NewDisposeScope(); // disposes the detach() handles; the clones leave the scope
        using var _ = no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        if (weights is null) return;
        foreach (var t in weights.Values) t.Dispose();
        weights.Clear();
    }
}
