namespace PartRobust.Distributed;

/// <summary>
/// The processes of one job and the collective operations PartRobust needs between them. Every rank must make the same
/// collective calls in the same order (as MPI requires); a single process is the one-rank case where they are no-ops.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's index, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the job.</summary>
    int Size { get; }

    /// <summary>How the job was launched, for logs and reports, e.g. "MPICH (libmpich.so.12), 2 ranks".</summary>
    string Description { get; }

    /// <summary>Waits until every rank has called it.</summary>
    void Barrier();

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks.</summary>
    void AllreduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks.</summary>
    void AllreduceSum(Span<double> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise maximum over the ranks.</summary>
    void AllreduceMax(Span<double> values);

    /// <summary>Rank 0's <paramref name="buffer"/> copied into every rank's (all ranks pass buffers of the same length).</summary>
    void Broadcast(Span<byte> buffer);

    /// <summary>Every rank's <paramref name="mine"/>, indexed by rank, on every rank (lengths may differ).</summary>
    byte[][] AllGather(ReadOnlySpan<byte> mine);

    /// <summary>Ends the whole job at once with exit code <paramref name="code"/> (the other ranks may be inside a collective).</summary>
    void Abort(int code);
}
