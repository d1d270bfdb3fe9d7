using System.Diagnostics;
using Spectre.Console;

namespace PartRobust.Cli;

/// <summary>Progress bars with ETA and live status on a terminal; plain timestamped lines otherwise.</summary>
static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> with the right sink for this console.</summary>
    public static int Run(Func<IProgressSink, int> work)
    {
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

    sealed class PlainSink : IProgressSink
    {
        public IProgressTask Start(string description, long total) => new PlainTask(description, total);
        public void Log(string message) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");
    }

    /// <summary>Prints a line at most every 20 seconds while running, so logs show liveness without flooding.</summary>
    sealed class PlainTask(string description, long total) : IProgressTask
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        TimeSpan lastPrint = TimeSpan.Zero;
        long done;
        string status = "";

        public void Advance(long units = 1)
        {
            done += units;
            if (clock.Elapsed - lastPrint < TimeSpan.FromSeconds(20) || done >= total) return;
            lastPrint = clock.Elapsed;
            double eta = done > 0 ? clock.Elapsed.TotalSeconds * (total - done) / done : 0;
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {description}: {done}/{total} ({100.0 * done / total:F0}%), ETA {eta:F0}s {status}");
        }

        public void SetStatus(string s) => status = s;
        public void Dispose() { }
    }
}
