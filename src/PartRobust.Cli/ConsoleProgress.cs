using System.Diagnostics;
using Spectre.Console;

namespace PartRobust.Cli;

/// <summary>Progress bars with ETA and live status on a terminal; plain timestamped lines otherwise.</summary>
static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> with the right sink for this console.</summary>
    public static int Run(Func<IProgressSink, int> work)
    {
        if (!RankConsole.Prints) return work(NullProgress.Instance);
        if (RankConsole.Prefix.Length > 0) return work(new PlainSink(RankConsole.Prefix));
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive) return work(new PlainSink());
        int rc = 0;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => rc = work(new SpectreSink(ctx)));
        return rc;
    }

    sealed class SpectreSink(ProgressContext context) : IProgressSink
    {
        public IProgressTask Start(string description, long total) =>
            new SpectreTask(context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)), description);

        public void Log(string message) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(message)}");
    }

    sealed class SpectreTask(ProgressTask task, string description) : IProgressTask
    {
        public void Advance(long units = 1) => task.Increment(units);
        public void SetStatus(string status) => task.Description = $"{Markup.Escape(description)} [grey]{Markup.Escape(status)}[/]";
        public void Dispose() => task.StopTask();
    }

    sealed class PlainSink(string prefix = "") : IProgressSink
    {
        public IProgressTask Start(string description, long total) => new PlainTask(prefix + description, total);
        public void Log(string message) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {prefix}{message}");
    }

    /// <summary>
    /// Prints a line every 20 seconds while the task runs, from a timer, so that logs show liveness without flooding,
    /// also for a stage whose only batch takes minutes (AutoAttack on a few points).
    /// </summary>
    sealed class PlainTask : IProgressTask
    {
        static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly string description;
        readonly long total;
        readonly Timer timer;
        long done;
        volatile string status = "";

        public PlainTask(string description, long total)
        {
            this.description = description;
            this.total = Math.Max(1, total);
            timer = new Timer(_ => Print(), null, Interval, Interval);
        }

        void Print()
        {
            long d = Interlocked.Read(ref done);
            if (d >= total) return;
            string eta = d > 0 ? $"ETA {clock.Elapsed.TotalSeconds * (total - d) / d:F0}s" : $"running {clock.Elapsed.TotalSeconds:F0}s";
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {description}: {d}/{total} ({100.0 * d / total:F0}%), {eta} {status}".TrimEnd());
        }

        public void Advance(long units = 1) => Interlocked.Add(ref done, units);
        public void SetStatus(string s) => status = s;
        public void Dispose() => timer.Dispose();
    }
}
