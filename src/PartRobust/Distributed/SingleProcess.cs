namespace PartRobust.Distributed;

/// <summary>The job of one process: rank 0 of 1; every collective returns its input.</summary>
public sealed class SingleProcess : ICommunicator
{
    /// <summary>The shared instance.</summary>
    public static readonly SingleProcess Instance = new();

    SingleProcess() { }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public string Description => "one process";

    /// <inheritdoc />
    public void Barrier() { }

    /// <inheritdoc />
    public void AllreduceSum(Span<float> values) { }

    /// <inheritdoc />
    public void AllreduceSum(Span<double> values) { }

    /// <inheritdoc />
    public void AllreduceMax(Span<double> values) { }

    /// <inheritdoc />
    public void Broadcast(Span<byte> buffer) { }

    /// <inheritdoc />
    public byte[][] AllGather(ReadOnlySpan<byte> mine) => [mine.ToArray()];

    /// <inheritdoc />
    public void Abort(int code) => Environment.Exit(code);
}
