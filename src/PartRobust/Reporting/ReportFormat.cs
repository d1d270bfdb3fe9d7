using System.Globalization;

namespace PartRobust.Reporting;

/// <summary>
/// How the reports and figures write numbers and Markdown: invariant culture, percentages, points, table cells,
/// links and lists, so every report says "42.5%" the same way.
/// </summary>
internal static class ReportFormat
{
    /// <summary>Reports are read the same everywhere: every number is written in the invariant culture.</summary>
    internal static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A fraction as a percentage with one decimal, e.g. "42.5%".</summary>
    internal static string Pct(double fraction) => (fraction * 100).ToString("0.0", Inv) + "%";

    /// <summary>A fraction as a whole percentage, e.g. "43%".</summary>
    internal static string WholePct(double fraction) => (fraction * 100).ToString("0", Inv) + "%";

    /// <summary>A fraction in points with one decimal and no unit, e.g. "4.5".</summary>
    internal static string Pts(double fraction) => (fraction * 100).ToString("0.0", Inv);

    /// <summary>A setting's number with up to six significant digits.</summary>
    internal static string Num(double v) => v.ToString("G6", Inv);

    /// <summary>A wall-clock time in s, min or h.</summary>
    internal static string Duration(double seconds)
    {
        if (seconds < 60) return seconds.ToString("0.0", Inv) + " s";
        if (seconds < 3600) return (seconds / 60).ToString("0.0", Inv) + " min";
        return (seconds / 3600).ToString("0.00", Inv) + " h";
    }

    /// <summary>Text that is safe inside a Markdown table cell: '|' escaped, line breaks as spaces.</summary>
    internal static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    /// <summary>"a", "a and b", "a, b, and c".</summary>
    internal static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            2 => $"{list[0]} and {list[1]}",
            _ => string.Join(", ", list.Take(list.Count - 1)) + ", and " + list[^1],
        };
    }

    /// <summary>A Markdown link target for <paramref name="file"/> (absolute or relative to <paramref name="root"/>), relative to the run folder.</summary>
    internal static string Link(string root, string file)
    {
        string full = Path.IsPathRooted(file) ? file : Path.Combine(root, file);
        string rel = Path.GetRelativePath(root, full).Replace('\\', '/');
        return Uri.EscapeDataString(rel).Replace("%2F", "/", StringComparison.Ordinal);
    }
}
