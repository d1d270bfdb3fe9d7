using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Attack timing" section of report.md: wall-clock time and throughput of each attack run.</summary>
internal static class AttackTimingSection
{
    /// <summary>Appends the section when any model has timings; otherwise nothing.</summary>
    internal static void Append(StringBuilder sb, RunReport report)
    {
        var timed = report.Models.Where(m => m.AttackTiming is { Count: > 0 }).ToList();
        if (timed.Count == 0) return;
        RunEnvironment env = report.Environment;
        sb.Append("## Attack timing\n\n");
        sb.Append(Inv, $"Wall-clock time of each attack run, on {env.Cores} logical cores ({env.Device}, {env.TorchThreads} torch threads).\n\n");
        sb.Append("| model | attack | points | seconds | points/s | batch size |\n|---|---|---:|---:|---:|---:|\n");
        foreach (ModelResult m in timed)
            foreach (string a in ReportWriter.OrderAttacks(m.AttackTiming!.Keys))
            {
                AttackTiming t = m.AttackTiming[a];
                sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {Cell(a)} | {t.Points} | {t.Seconds.ToString("0.0", Inv)} | {Rate(t.PointsPerSecond)} | {t.BatchSize} |\n");
            }
        sb.Append('\n');
    }

    private static string Rate(double perSecond) =>
        perSecond.ToString(perSecond >= 10 ? "0.0" : perSecond >= 1 ? "0.00" : "0.000", Inv);
}
