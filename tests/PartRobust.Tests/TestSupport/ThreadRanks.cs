using PartRobust.Distributed;

namespace PartRobust.Tests.TestSupport;

/// <summary>
/// A job of N ranks inside one test process, one thread per rank, for testing collective code without MPI: each rank's
/// <see cref="ICommunicator"/> meets the others at a barrier, and a sum is taken in rank order, so every rank gets the
/// same bits (as MPI gives). <see cref="Run"/> starts the ranks and rethrows the first failure.
/// </summary>
public sealed class ThreadRanks
{
    readonly Barrier barrier;
    readonly object?[] slots;

    ThreadRanks(int size)
    {
        Size = size;
        barrier = new Barrier(size);
        slots = new object?[size];
    }

    /// <summary>Number of ranks.</summary>
    public int Size { get; }

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> threads, each with its rank's communicator.</summary>
    public static void Run(int size, Action<ICommunicator> body)
    {
        var job = new ThreadRanks(size);
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try { body(new RankCommunicator(job, r)); }
            catch (Exception e)
            {
                errors[r] = e;
                job.barrier.RemoveParticipant(); // the others must not wait for this rank for ever
            }
        }, maxStackSize: 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw new AggregateException(first);
    }

    /// <summary>Every rank's <paramref name="mine"/> (copied), indexed by rank.</summary>
    T[][] Exchange<T>(int rank, ReadOnlySpan<T> mine)
    {
        slots[rank] = mine.ToArray();
        barrier.SignalAndWait();
        var all = slots.Select(s => (T[])s!).ToArray();
        barrier.SignalAndWait();
        return all;
    }

    sealed class RankCommunicator(ThreadRanks job, int rank) : ICommunicator
    {
        public int Rank => rank;
        public int Size => job.Size;
        public string Description => $"{job.Size} threads (test)";
        public void Barrier() => job.barrier.SignalAndWait();

        public void AllreduceSum(Span<float> values)
        {
            var all = job.Exchange<float>(rank, values);
            for (int i = 0; i < values.Length; i++)
            {
                float sum = 0;
                foreach (var a in all) sum += a[i];
                values[i] = sum;
            }
        }

        public void AllreduceSum(Span<double> values)
        {
            var all = job.Exchange<double>(rank, values);
            for (int i = 0; i < values.Length; i++)
            {
                double sum = 0;
                foreach (var a in all) sum += a[i];
                values[i] = sum;
            }
        }

        public void AllreduceMax(Span<double> values)
        {
            var all = job.Exchange<double>(rank, values);
            for (int i = 0; i < values.Length; i++) values[i] = all.Max(a => a[i]);
        }

        public void Broadcast(Span<byte> buffer) => job.Exchange<byte>(rank, buffer)[0].CopyTo(buffer);

        public byte[][] AllGather(ReadOnlySpan<byte> mine) => job.Exchange(rank, mine);

        public void Abort(int code) => throw new InvalidOperationException($"rank {rank} aborted the job with {code}");
    }
}
