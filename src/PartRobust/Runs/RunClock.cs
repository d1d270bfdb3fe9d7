using System.Diagnostics;
using PartRobust.Reporting;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>When a run started; made first thing, so the report's wall-clock time covers the whole run.</summary>
internal sealed class RunClock
{
    readonly Stopwatch stopwatch = Stopwatch.StartNew();
    readonly string startedUtc = DateTime.UtcNow.ToString("o");

    /// <summary>The machine facts and the time since the start, as the report records them.</summary>
    public RunEnvironment Environment(Device device) => RunEnvironment.Capture(device.ToString(), startedUtc, stopwatch.Elapsed.TotalSeconds);
}
