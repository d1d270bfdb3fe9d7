using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// The trainer's side of a <see cref="TrainingState"/>: <see cref="Capture"/> takes the running trainer's position,
/// counters, weights, optimizer state and generator states; <see cref="RestoreRun"/> and <see cref="RestoreStage"/> put
/// them back when a run resumes. What one writes, the other reads, so the resumed run continues exactly where the saved
/// one was.
/// </summary>
internal static class ResumePoint
{
    /// <summary>
    /// The running trainer in <paramref name="stage"/>: within <paramref name="epoch"/> after its batches done, or between
    /// epochs when <paramref name="epoch"/> is null. Call inside a dispose scope (the order's copy is made in it).
    /// </summary>
    public static TrainingState Capture(TrainingRun run, TrainingStage stage, EpochInProgress? epoch)
    {
        var optimizer = SaveOptimizer(stage.Optimizer);
        return new TrainingState
        {
            Options = run.Options, StageIndex = stage.Index, EpochInStage = stage.EpochsDone, Batch = epoch?.BatchesDone ?? 0,
            Iteration = stage.Iteration, Epoch = run.Epoch, Selected = run.Selected,
            BestScore = stage.Selection.BestScore, BestEpoch = stage.Selection.BestEpoch,
            LossSum = epoch?.LossSum ?? 0, Correct = epoch?.Correct ?? 0, Seen = epoch?.Seen ?? 0, LearningRate = stage.LearningRate,
            EpochSeconds = epoch?.Seconds ?? 0, ElapsedSeconds = run.ElapsedSeconds, AdvImages = run.AdvImages, AdvSeconds = run.AdvSeconds,
            History = run.History, TrainerRng = RandomState.Save(run.Generator),
            AttackRng = stage.AttackRandomState(), ValAttackRng = stage.ValAttack?.SaveRandomState(),
            GlobalRng = RandomState.SaveGlobal(),
            Model = TrainingState.CpuCopy(run.Model.state_dict()),
            Best = stage.BestWeights is null ? null : TrainingState.CpuCopy(stage.BestWeights),
            Order = epoch?.Order.cpu().clone().DetachFromDisposeScope(),
            Optimizer = optimizer,
        };
    }

    /// <summary>The finished run: the final (selected) weights and the result's fields.</summary>
    public static TrainingState CaptureFinished(TrainingRun run, double seconds) => new()
    {
        Options = run.Options, Finished = true, Epoch = run.Epoch, Selected = run.Selected, ElapsedSeconds = seconds,
        AdvImages = run.AdvImages, AdvSeconds = run.AdvSeconds, History = run.History, GlobalRng = RandomState.SaveGlobal(),
        Model = TrainingState.CpuCopy(run.Model.state_dict()),
    };

    /// <summary>Puts a finished run's weights into <paramref name="model"/> and torch's global generator back; its result.</summary>
    public static TrainResult RestoreFinished(TrainingState saved, nn.Module model, string statePath)
    {
        TrainingState.CopyInto(model, saved.Model, statePath);
        if (saved.GlobalRng is { } g) RandomState.RestoreGlobal(g);
        return TrainResult.Of(saved.History, saved.ElapsedSeconds, saved.AdvImages, saved.AdvSeconds, saved.Selected);
    }

    /// <summary>Puts back what carries over from stage to stage: the counters, the history and the time already spent.</summary>
    public static void RestoreRun(TrainingState saved, TrainingRun run)
    {
        run.PriorSeconds = saved.ElapsedSeconds;
        run.History = saved.History;
        run.Epoch = saved.Epoch;
        run.Selected = saved.Selected;
        run.AdvImages = saved.AdvImages;
        run.AdvSeconds = saved.AdvSeconds;
    }

    /// <summary>
    /// Puts back the saved stage's position, weights, optimizer state, best-so-far and every generator; the epoch to
    /// continue when the state was saved within one, else null.
    /// </summary>
    public static EpochInProgress? RestoreStage(TrainingState saved, TrainingStage stage, TrainingRun run)
    {
        string source = run.Resume!.StatePath;
        TrainingState.CopyInto(run.Model, saved.Model, source);
        if (saved.Optimizer is { } blob) LoadOptimizer(stage.Optimizer, blob);
        if (saved.TrainerRng is { } trainer) RandomState.Restore(run.Generator, trainer);
        stage.RestoreAttackRandomStates(saved.AttackRng, saved.ValAttackRng);
        if (saved.GlobalRng is { } global) RandomState.RestoreGlobal(global);
        stage.Iteration = saved.Iteration;
        stage.EpochsDone = saved.EpochInStage;
        stage.LearningRate = saved.LearningRate;
        stage.Selection.Restore(saved.BestScore, saved.BestEpoch);
        if (saved.Best is { } best) stage.RestoreBestWeights(best, run.TrainingSet.Device);
        if (saved.Batch == 0) return null;
        var order = saved.Order ?? throw new InvalidDataException($"{source}: saved within an epoch but without its order; delete it to start the model's training over");
        return new EpochInProgress(order.to(run.TrainingSet.Device, copy: true))
        {
            BatchesDone = saved.Batch, LossSum = saved.LossSum, Correct = saved.Correct, Seen = saved.Seen, PriorSeconds = saved.EpochSeconds,
        };
    }

    static byte[] SaveOptimizer(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        using (OptimizerStateLayout.Contiguous(optimizer))
            optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    static void LoadOptimizer(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        using (OptimizerStateLayout.Contiguous(optimizer))
            optimizer.load_state_dict(reader);
    }
}
