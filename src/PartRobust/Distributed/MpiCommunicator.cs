namespace PartRobust.Distributed;

/// <summary>
/// MPI_COMM_WORLD through <see cref="MpiLibrary"/>. Created once per process by <see cref="World.Start"/>; all calls come
/// from the thread that created it (MPI_THREAD_FUNNELED). Messages larger than 2³¹ − 1 elements are sent in pieces.
/// </summary>
internal sealed unsafe class MpiCommunicator : ICommunicator
{
    const int ThreadFunneled = 1;
    const int MaxCount = int.MaxValue / 8;

    readonly MpiLibrary mpi;

    public MpiCommunicator(MpiLibrary mpi)
    {
        this.mpi = mpi;
        int provided = mpi.Init(ThreadFunneled);
        if (provided < ThreadFunneled)
            throw new InvalidOperationException($"the MPI library ({mpi.Path}) gives thread level {provided}; PartRobust needs MPI_THREAD_FUNNELED");
        Rank = mpi.Rank();
        Size = mpi.Size();
    }

    public int Rank { get; }

    public int Size { get; }

    public string Description => $"{(mpi.Abi == MpiLibrary.Flavor.Mpich ? "MPICH ABI" : "Open MPI")} ({mpi.Path}), {Size} rank{(Size == 1 ? "" : "s")}";

    public void Barrier() => mpi.Barrier();

    public void AllreduceSum(Span<float> values) => InPieces(values, (p, n) => mpi.AllreduceInPlace((void*)p, n, mpi.Float, mpi.OpSum));

    public void AllreduceSum(Span<double> values) => InPieces(values, (p, n) => mpi.AllreduceInPlace((void*)p, n, mpi.Double, mpi.OpSum));

    public void AllreduceMax(Span<double> values) => InPieces(values, (p, n) => mpi.AllreduceInPlace((void*)p, n, mpi.Double, mpi.OpMax));

    public void Broadcast(Span<byte> buffer) => InPieces(buffer, (p, n) => mpi.Bcast((void*)p, n, mpi.Byte, 0));

    /// <summary>Calls <paramref name="call"/> on consecutive pieces of at most <see cref="MaxCount"/> elements (MPI counts are ints).</summary>
    static void InPieces<T>(Span<T> values, Action<nint, int> call) where T : unmanaged
    {
        for (int start = 0; start < values.Length; start += MaxCount)
        {
            int count = Math.Min(MaxCount, values.Length - start);
            fixed (T* p = values.Slice(start, count)) call((nint)p, count);
        }
    }

    public byte[][] AllGather(ReadOnlySpan<byte> mine)
    {
        var lengths = new int[Size];
        int length = mine.Length;
        fixed (int* l = lengths) mpi.Allgather(&length, 1, mpi.Int, l);
        long total = lengths.Sum(v => (long)v);
        if (total > int.MaxValue) throw new InvalidOperationException($"AllGather of {total} bytes: more than 2 GiB in one call");
        var displacements = new int[Size];
        for (int r = 1; r < Size; r++) displacements[r] = displacements[r - 1] + lengths[r - 1];
        var all = new byte[total];
        fixed (byte* s = mine)
        fixed (byte* a = all)
        fixed (int* c = lengths)
        fixed (int* d = displacements)
            mpi.Allgatherv(s, length, mpi.Byte, a, c, d);
        return Enumerable.Range(0, Size).Select(r => all.AsSpan(displacements[r], lengths[r]).ToArray()).ToArray();
    }

    public void Abort(int code)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        mpi.Abort(code);
        Environment.Exit(code);
    }

    /// <summary>MPI_Finalize, once, at the end of a job that did not abort.</summary>
    public void Finish()
    {
        if (!mpi.Finalized) mpi.Shutdown();
    }
}
