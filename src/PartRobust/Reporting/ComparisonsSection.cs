using System.Text;
using PartRobust.Evaluation.Statistics;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Paired comparisons" section of report.md: every <see cref="RunReport.Comparisons"/> entry with its 95% CI.</summary>
public static class ComparisonsSection
{
    /// <summary>Appends the section (nothing when the report has no comparisons).</summary>
    public static void Append(StringBuilder sb, RunReport report)
    {
        var list = report.Comparisons;
        if (list is null || list.Count == 0) return;
        string Display(string key) => report.Models.FirstOrDefault(m => m.Name == key)?.DisplayName ?? key;
        sb.Append("## Paired comparisons\n\n");
        sb.Append("Differences of accuracy between two models on the same points (A − B, in points), with a paired bootstrap 95% "
            + "confidence interval (10,000 resamples of the points) and the exact McNemar p-value on the points where the two "
            + "disagree. \"Part labels vs no part labels\" holds the architecture fixed: the control arm is the same part model "
            + "trained with c_seg = 0. A difference is named only when its CI excludes 0; otherwise it is within the noise.\n\n");
        if (!string.IsNullOrEmpty(report.Verdict)) sb.Append("**Verdict.** ").Append(report.Verdict).Append("\n\n");
        sb.Append("| A | B | metric | n | A | B | A − B | 95% CI | p | A only / B only |\n|---|---|---|---:|---:|---:|---:|---|---:|---:|\n");
        foreach (var c in list)
            sb.Append(Inv, $"| {Display(c.A)} | {Display(c.B)} | {c.Metric} | {c.N} | {Pct(c.AccuracyA)} | {Pct(c.AccuracyB)} | "
                + $"{Signed(c.Difference)} | {Interval(c)} | {PValue(c.PValue)} | {c.OnlyA?.ToString(Inv) ?? "—"} / {c.OnlyB?.ToString(Inv) ?? "—"} |\n");
        sb.Append('\n');
    }

    /// <summary>"+1.2 to +4.0", or "undefined".</summary>
    public static string Interval(PairedComparison c) =>
        c.CiLow is { } l && c.CiHigh is { } h ? $"{Signed(l)} to {Signed(h)}" + (c.Significant ? "" : " (includes 0)") : "undefined";

    /// <summary>A difference of fractions in signed points, e.g. "+3.1".</summary>
    public static string Signed(double fraction) => (fraction * 100).ToString("+0.0;−0.0;0.0", Inv);

    /// <summary>A p-value as the tables show it: "&lt; 0.001", "0.042", or "—" when there is none.</summary>
    internal static string PValue(double? p) => p switch { null => "—", < 0.001 => "< 0.001", { } v => v.ToString("0.###", Inv) };
}
