using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Figures" section of report.md: each figure of the run embedded with a caption from its file name.</summary>
internal static class FiguresSection
{
    /// <summary>Appends the section when there are figures; otherwise nothing.</summary>
    /// <param name="sb">The report text.</param>
    /// <param name="root">Full path of the run folder.</param>
    /// <param name="figureFiles">PNG files, absolute or relative to <paramref name="root"/>.</param>
    internal static void Append(StringBuilder sb, string root, IReadOnlyList<string> figureFiles)
    {
        if (figureFiles.Count == 0) return;
        sb.Append("## Figures\n\n");
        foreach (string f in figureFiles)
        {
            string caption = Path.GetFileNameWithoutExtension(f).Replace('_', ' ').Replace('-', ' ');
            sb.Append(Inv, $"![{caption}]({Link(root, f)})\n\n");
        }
    }
}
