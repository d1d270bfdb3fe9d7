using System.Diagnostics;
using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using PartRobust.Reporting;
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
/// Trains a classifier or part model with the paper's recipe: SGD with momentum, weight decay on weights
/// only, a cosine schedule per stage, clean training then PGD adversarial training in which the attack
/// maximises the class cross-entropy with the model in eval mode and the update uses only the adversarial
/// images. Each stage keeps the weights of its best validation epoch: clean accuracy in the clean stage,
/// robust accuracy under the training attack in the adversarial stage.
/// </summary>
public static class Trainer
{
    /// <summary>Trains <paramref name="model"/> in place.</summary>
    public static TrainResult Train(nn.Module<Tensor, Tensor> model, PartDataset train, PartDataset val, TrainOptions options,
        IProgressSink progress, string label)
    {
        options.Validate();
        if (train.Count < 2) throw new ArgumentException("the training set needs at least 2 images");
        var total = Stopwatch.StartNew();
        var history = new List<EpochRecord>();
        var generator = new Generator((ulong)options.Seed, train.Images.device);
        int epoch = 0, selected = 0;
        double advImages = 0, advSeconds = 0;
        using var valAttackSet = val.Take(options.ValAttackPoints);

        foreach (var (stage, epochs) in new[] { ("clean", options.CleanEpochs), ("pgd", options.AdvEpochs) })
        {
            if (epochs == 0) continue;
            bool adversarial = stage == "pgd";
            var attack = adversarial ? PgdAttack.PaperTraining(options.Epsilon, options.AttackSteps, options.Seed + 1) : null;
            var valAttack = adversarial ? PgdAttack.PaperTraining(options.Epsilon, options.EffectiveValAttackSteps, options.Seed + 2) : null;
            using var optimizer = CreateOptimizer(model, options);
            int batchesPerEpoch = train.Count / options.BatchSize + (train.Count % options.BatchSize >= 2 ? 1 : 0);
            var schedule = new CosineSchedule(options.LearningRate, epochs * batchesPerEpoch,
                (int)Math.Round(options.WarmupEpochs * batchesPerEpoch));
            int iteration = 0;
            double bestScore = double.NegativeInfinity;
            Dictionary<string, Tensor>? bestWeights = null;
            try
            {
                for (int e = 0; e < epochs; e++)
                {
                    epoch++;
                    var clock = Stopwatch.StartNew();
                    double lossSum = 0, correct = 0, seen = 0, lr = 0;
                    using (var task = progress.Start($"{label} {stage} epoch {e + 1}/{epochs}", batchesPerEpoch))
                    {
                        using var order = randperm(train.Count, generator: generator);
                        for (int b = 0; b < batchesPerEpoch; b++)
                        {
                            using var scope = NewDisposeScope();
                            int start = b * options.BatchSize, count = Math.Min(options.BatchSize, train.Count - start);
                            var idx = order.narrow(0, start, count);
                            var (x, masks) = Augment(train.Images.index_select(0, idx), train.Masks.index_select(0, idx),
                                options.AugmentFlip, generator);
                            var y = train.Labels.index_select(0, idx);
                            if (attack is not null) x = attack.Perturb(model, x, y);
                            lr = schedule.RateAt(iteration++);
                            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                            model.train();
                            optimizer.zero_grad();
                            Tensor classLogits, loss;
                            if (model is IPartModel part)
                            {
                                var (c, p) = part.ForwardWithParts(x);
                                classLogits = c;
                                loss = PartLoss.Compute(c, y, p, masks, options.SegWeight);
                            }
                            else
                            {
                                classLogits = model.call(x);
                                loss = PartLoss.Compute(classLogits, y, null, null, 0);
                            }
                            double lossValue = loss.item<float>();
                            if (double.IsNaN(lossValue) || double.IsInfinity(lossValue))
                                throw new InvalidOperationException($"{label}: the training loss became {lossValue} in epoch {epoch}; lower --lr");
                            loss.backward();
                            optimizer.step();
                            lossSum += lossValue * count;
                            correct += classLogits.argmax(1).eq(y).sum().item<long>();
                            seen += count;
                            task.Advance();
                            task.SetStatus($"loss {lossSum / seen:F3} acc {100 * correct / seen:F1}%");
                        }
                    }
                    double trainSeconds = clock.Elapsed.TotalSeconds;
                    if (adversarial) { advImages += seen; advSeconds += trainSeconds; }

                    double valAccuracy = Evaluator.Accuracy(model, val, options.BatchSize * 2);
                    double? valRobust = valAttack is not null && valAttackSet.Count > 0
                        ? Evaluator.RobustAccuracy(model, valAttackSet, valAttack, options.BatchSize * 2, NullProgress.Instance).Accuracy
                        : null;
                    history.Add(new EpochRecord
                    {
                        Epoch = epoch, Stage = stage, TrainLoss = lossSum / seen, TrainAccuracy = correct / seen,
                        ValAccuracy = valAccuracy, ValRobustAccuracy = valRobust, LearningRate = lr,
                        Seconds = clock.Elapsed.TotalSeconds,
                    });
                    progress.Log($"{label} {stage} epoch {e + 1}/{epochs}: loss {lossSum / seen:F3}, train acc {100 * correct / seen:F1}%, " +
                                 $"val acc {100 * valAccuracy:F1}%{(valRobust is { } vr ? $", val PGD-{options.EffectiveValAttackSteps} acc {100 * vr:F1}%" : "")} " +
                                 $"({clock.Elapsed.TotalSeconds:F0}s)");

                    double score = valRobust ?? valAccuracy;
                    if (score >= bestScore)
                    {
                        bestScore = score;
                        selected = epoch;
                        DisposeAll(bestWeights);
                        bestWeights = Snapshot(model);
                    }
                }
                if (bestWeights is not null) Restore(model, bestWeights);
            }
            finally
            {
                DisposeAll(bestWeights);
            }
        }
        model.eval();
        return new TrainResult(history, total.Elapsed.TotalSeconds, advSeconds > 0 ? advImages / advSeconds : 0, selected);
    }

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
                new(decay, options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay, false, false),
                new(noDecay, options.LearningRate, 0.9, 0.999, 1e-8, 0, false, false),
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

    /// <summary>Random horizontal flips applied to image and mask together.</summary>
    static (Tensor Images, Tensor Masks) Augment(Tensor images, Tensor masks, bool flip, Generator generator)
    {
        if (!flip) return (images, masks);
        var coin = rand(images.shape[0], generator: generator, device: images.device).lt(0.5);
        return (where(coin.view(-1, 1, 1, 1), images.flip(3), images), where(coin.view(-1, 1, 1), masks.flip(2), masks));
    }

    static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var scope = NewDisposeScope(); // disposes the detach() handles; the clones leave the scope
        using var _ = no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    static void Restore(nn.Module model, Dictionary<string, Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (name, value) in model.state_dict()) value.copy_(weights[name]);
    }

    static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        if (weights is null) return;
        foreach (var t in weights.Values) t.Dispose();
        weights.Clear();
    }
}
