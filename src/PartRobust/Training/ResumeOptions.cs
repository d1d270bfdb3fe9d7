namespace PartRobust.Training;

/// <summary>
/// Where the trainer keeps its resume state (<see cref="TrainingState"/>) and how often it writes it. The state is
/// written after every epoch and, within an epoch, after a batch when <see cref="EveryBatches"/> batches or
/// <see cref="EverySeconds"/> seconds have passed since the last write. When the file exists at the start,
/// <see cref="Trainer"/> continues from it. Where the state is written does not change the result.
/// </summary>
/// <param name="StatePath">The state file (written through <c>StatePath.tmp</c> then renamed).</param>
public sealed record ResumeOptions(string StatePath)
{
    /// <summary>Also write the state every this many batches within an epoch (0 = not by count).</summary>
    public int EveryBatches { get; init; }

    /// <summary>Also write the state within an epoch once this many seconds have passed since the last write (0 = not by time).</summary>
    public double EverySeconds { get; init; } = 600;
}
