namespace PartRobust;

/// <summary>
/// Where long loops report progress. The library only talks to this interface; the command line shows it
/// as progress bars on a terminal and as plain log lines otherwise.
/// </summary>
public interface IProgressSink
{
    /// <summary>Starts a task with <paramref name="total"/> units of work.</summary>
    IProgressTask Start(string description, long total);

    /// <summary>A one-line message (a finished stage, a result).</summary>
    void Log(string message);
}

/// <summary>One running task of an <see cref="IProgressSink"/>; dispose to mark it finished.</summary>
public interface IProgressTask : IDisposable
{
    /// <summary>Marks <paramref name="units"/> more units done.</summary>
    void Advance(long units = 1);

    /// <summary>Live status shown beside the bar, e.g. "loss 0.91 acc 64%".</summary>
    void SetStatus(string status);
}

/// <summary>Discards all progress (tests, library use without a console).</summary>
public sealed class NullProgress : IProgressSink
{
    /// <summary>The shared instance.</summary>
    public static readonly NullProgress Instance = new();

    /// <inheritdoc />
    public IProgressTask Start(string description, long total) => NullTask.Instance;

    /// <inheritdoc />
    public void Log(string message) { }

    sealed class NullTask : IProgressTask
    {
        public static readonly NullTask Instance = new();
        public void Advance(long units = 1) { }
        public void SetStatus(string status) { }
        public void Dispose() { }
    }
}
