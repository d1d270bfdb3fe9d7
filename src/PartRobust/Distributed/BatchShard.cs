using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// One rank's rows of a global batch in data-parallel training: a contiguous block, the blocks of ranks 0 … N − 1 in
/// rank order, their sizes differing by at most one (the first <c>Total mod N</c> ranks take one row more). Every rank
/// draws the same global batch and keeps its block, so the N blocks are exactly the rows one process would train on.
/// </summary>
/// <param name="Offset">The first row of the block.</param>
/// <param name="Count">Rows in the block.</param>
/// <param name="Total">Rows of the global batch.</param>
public readonly record struct BatchShard(long Offset, long Count, long Total)
{
    /// <summary>Rank <paramref name="rank"/>'s block of a batch of <paramref name="total"/> rows split over <paramref name="size"/> ranks.</summary>
    public static BatchShard Of(long total, int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {size}");
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), "a batch has ≥ 0 rows");
        long rows = total / size, extra = total % size;
        return new BatchShard(rank * rows + Math.Min(rank, extra), rows + (rank < extra ? 1 : 0), total);
    }

    /// <summary>The fewest rows any rank gets from a batch of <paramref name="total"/> rows over <paramref name="size"/> ranks.</summary>
    public static long SmallestOf(long total, int size) => total / size;

    /// <summary>This block's share of the batch, n_r / B: the weight of its mean loss in the global mean.</summary>
    public double Fraction => Total == 0 ? 0 : (double)Count / Total;

    /// <summary>This block's rows of <paramref name="batch"/> (a view; dimension 0 must have <see cref="Total"/> rows).</summary>
    public Tensor Rows(Tensor batch)
    {
        if (batch.shape[0] != Total)
            throw new ArgumentException($"a batch of {batch.shape[0]} rows, but the shard is of a batch of {Total}");
        return batch.narrow(0, Offset, Count);
    }
}
