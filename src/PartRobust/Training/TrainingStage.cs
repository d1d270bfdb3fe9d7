using PartRobust.Attacks;
using PartRobust.Distributed;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// One stage of a run: clean training (index 0) or adversarial fine-tuning (index 1, PGD or TRADES). A stage has its own
/// attacks, a fresh optimizer, a cosine schedule over its iterations and its own model selection with the best-so-far
/// weights. Its position (epochs and schedule iterations done) is part of a resume point.
/// </summary>
internal sealed class TrainingStage : IDisposable
{
    /// <summary>Clean, then adversarial.</summary>
    public const int Count = 2;

    /// <summary><c>clean</c>, or the adversarial recipe.</summary>
    public static string NameOf(TrainOptions options, int index) => index == 0 ? "clean" : SnakeCaseEnum.Name(options.AdvTrain);

    public static int EpochsOf(TrainOptions options, int index) => index == 0 ? options.CleanEpochs : options.AdvEpochs;

    public TrainingStage(TrainingRun run, int index)
    {
        var options = run.Options;
        Index = index;
        Name = NameOf(options, index);
        Epochs = EpochsOf(options, index);
        // The attacks draw from their own generators, seeded apart from the trainer's.
        bool trades = options.AdvTrain == AdversarialRecipe.Trades;
        Pgd = Adversarial && !trades ? PgdAttack.PaperTraining(options.Epsilon, options.AttackSteps, options.Seed + 1) : null;
        Trades = Adversarial && trades ? TradesAttack.PaperTraining(options.Epsilon, options.AttackSteps, options.Seed + 1) : null;
        ValAttack = Adversarial ? PgdAttack.PaperTraining(options.Epsilon, options.EffectiveValAttackSteps, options.Seed + 2) : null;
        Optimizer = Trainer.CreateOptimizer(run.Model, options);
        BatchesPerEpoch = Trainer.BatchesPerEpoch(run.TrainingSet.Count, options.BatchSize);
        Schedule = new CosineSchedule(options.LearningRate, Epochs * BatchesPerEpoch,
            (int)Math.Round(options.WarmupEpochs * BatchesPerEpoch));
    }

    public int Index { get; }
    public string Name { get; }
    public int Epochs { get; }
    public bool Adversarial => Index == 1;
    public int BatchesPerEpoch { get; }

    /// <summary>The PGD stage's training attack (on the class cross-entropy).</summary>
    public PgdAttack? Pgd { get; }

    /// <summary>The TRADES stage's training attack (on the KL to the clean prediction).</summary>
    public TradesAttack? Trades { get; }

    /// <summary>The adversarial stage's validation attack, for model selection.</summary>
    public PgdAttack? ValAttack { get; }

    public OptimizerHelper Optimizer { get; }
    public CosineSchedule Schedule { get; }

    /// <summary>Epochs of the stage finished.</summary>
    public int EpochsDone { get; set; }

    /// <summary>Schedule iterations of the stage done.</summary>
    public int Iteration { get; set; }

    /// <summary>The learning rate of the last step.</summary>
    public double LearningRate { get; set; }

    public ModelSelection Selection { get; } = new();

    /// <summary>The weights of <see cref="ModelSelection.BestEpoch"/>, or null before one is selected.</summary>
    public Dictionary<string, Tensor>? BestWeights { get; private set; }

    /// <summary>Moves the schedule one iteration on and gives its rate to the optimizer.</summary>
    public void AdvanceSchedule()
    {
        LearningRate = Schedule.RateAt(Iteration++);
        foreach (var group in Optimizer.ParamGroups) group.LearningRate = LearningRate;
    }

    /// <summary>Tells the training attack which block of the batch this rank attacks (null: the whole batch, one process).</summary>
    public void ShardAttacks(BatchShard? shard)
    {
        if (Pgd is not null) Pgd.Shard = shard;
        if (Trades is not null) Trades.Shard = shard;
    }

    /// <summary>The training attack's generator state (null: not used yet, or the clean stage).</summary>
    public byte[]? AttackRandomState() => Pgd?.SaveRandomState() ?? Trades?.SaveRandomState();

    /// <summary>Puts back the attacks' generator states saved by <see cref="AttackRandomState"/> and the validation attack.</summary>
    public void RestoreAttackRandomStates(byte[]? attack, byte[]? valAttack)
    {
        Pgd?.RestoreRandomState(attack);
        Trades?.RestoreRandomState(attack);
        ValAttack?.RestoreRandomState(valAttack);
    }

    /// <summary>Keeps a copy of the model's current weights as the best so far.</summary>
    public void KeepBestWeights(nn.Module model)
    {
        DisposeBestWeights();
        using var scope = NewDisposeScope(); // disposes the detach() handles; the clones leave the scope
        using var _ = no_grad();
        BestWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Takes copies on <paramref name="device"/> of saved best weights (resuming).</summary>
    public void RestoreBestWeights(IReadOnlyDictionary<string, Tensor> saved, Device device)
    {
        DisposeBestWeights();
        BestWeights = saved.ToDictionary(kv => kv.Key, kv => kv.Value.to(device, copy: true));
    }

    public void Dispose()
    {
        DisposeBestWeights();
        Optimizer.Dispose();
    }

    void DisposeBestWeights()
    {
        if (BestWeights is null) return;
        foreach (var t in BestWeights.Values) t.Dispose();
        BestWeights = null;
    }
}
