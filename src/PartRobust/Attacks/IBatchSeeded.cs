namespace PartRobust.Attacks;

/// <summary>
/// An attack whose random draws are a function of its seed and the batch it attacks, not of the batches it attacked
/// before: <see cref="Evaluation.Evaluator"/> calls <see cref="SeedForBatch"/> before each batch, so a point gets the
/// same random starts whether one process attacks every batch or the batches are shared out between MPI ranks.
/// </summary>
public interface IBatchSeeded
{
    /// <summary>Restarts the attack's random stream at <see cref="BatchSeed.Of"/>(seed, <paramref name="batch"/>).</summary>
    void SeedForBatch(long batch);
}

/// <summary>The seed of batch b of an attack seeded with s: s itself for batch 0 (a one-batch run draws as before), a
/// SplitMix64 mix of s and b for the others.</summary>
public static class BatchSeed
{
    /// <summary>The seed for batch <paramref name="batch"/> of an attack seeded with <paramref name="seed"/>.</summary>
    public static long Of(long seed, long batch)
    {
        if (batch == 0) return seed;
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)batch);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (long)((z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFUL);
    }
}
