using System.Diagnostics;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// The epoch being trained: its shuffled order, the batches done and the running sums of loss, correct predictions and
/// images. A resume point within an epoch saves it; a resumed epoch continues from the saved one.
/// </summary>
/// <param name="order">The epoch's shuffled sample indices, owned (disposed) by this object.</param>
internal sealed class EpochInProgress(Tensor order) : IDisposable
{
    readonly Stopwatch clock = Stopwatch.StartNew();

    public Tensor Order { get; } = order;
    public int BatchesDone { get; set; }
    public double LossSum { get; set; }
    public double Correct { get; set; }
    public double Seen { get; set; }

    /// <summary>Seconds spent in this epoch before the resume (timing only).</summary>
    public double PriorSeconds { get; init; }

    /// <summary>Seconds spent in this epoch, over every call.</summary>
    public double Seconds => PriorSeconds + clock.Elapsed.TotalSeconds;

    public void Dispose() => Order.Dispose();
}
