namespace PartRobust.Distributed;

/// <summary>
/// How independent units of work (evaluation batches, corruption chunks, study runs) are shared out in an MPI job: unit
/// u goes to rank u mod N, so every rank knows every unit's owner without talking; the results are then summed or
/// gathered. Round-robin rather than contiguous blocks, so that slow units at one end of a list spread over the ranks.
/// </summary>
public static class WorkShare
{
    [ThreadStatic] static int alone;

    /// <summary>Whether this rank is inside an <see cref="Alone"/> scope: the unit in hand is its own, files included.</summary>
    public static bool IsAlone => alone > 0;

    /// <summary>Whether work is shared out here: an MPI job, outside any <see cref="Alone"/> scope.</summary>
    public static bool IsShared => World.IsDistributed && alone == 0;

    /// <summary>Whether this rank does unit <paramref name="unit"/>; always true for one process or inside <see cref="Alone"/>.</summary>
    public static bool Owns(int unit) => !IsShared || unit % World.Size == World.Rank;

    /// <summary>
    /// A scope in which this rank works alone: the code inside runs on the units it owns, so it must not share its own
    /// work out again (the other ranks are not there to meet it in a collective).
    /// </summary>
    public static IDisposable Alone() => new AloneScope();

    sealed class AloneScope : IDisposable
    {
        bool disposed;

        public AloneScope() => alone++;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            alone--;
        }
    }

    /// <summary>
    /// Element-wise sum of <paramref name="values"/> over the ranks, in place (each rank fills in the units it owns,
    /// zeros elsewhere). Exact for counts below 2⁵³.
    /// </summary>
    public static void SumOverRanks(double[] values)
    {
        if (IsShared) World.Current.AllreduceSum(values);
    }
}
