using System.Text.RegularExpressions;
using PartRobust.Reporting;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class ReportHtmlTests
{
    static byte[] Png()
    {
        using var bitmap = new SKBitmap(6, 4);
        bitmap.Erase(SKColors.SteelBlue);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [Fact]
    public void Report_html_has_the_markdowns_sections_and_tables_with_the_figures_embedded()
    {
        string dir = ReportSamples.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "figures"));
        byte[] figure = Png(), examples = Png().Concat(new byte[] { 0 }).ToArray();
        File.WriteAllBytes(Path.Combine(dir, "figures", "accuracy_vs_robust.png"), figure);
        File.WriteAllBytes(Path.Combine(dir, "adversarial_part.png"), examples);
        var part = ReportSamples.Model("part", 0.9, 0.6, 0.5) with
        {
            AdversarialExamplesFigure = "adversarial_part.png", AdversarialExamplesTensors = "adversarial_part.safetensors", AdversarialExamplesAttack = "pgd",
        };
        ReportWriter.Write(dir, ReportSamples.Report(100, part, ReportSamples.Model("plain", 0.9, 0.3, 0.2, part: false)),
            [Path.Combine(dir, "figures", "accuracy_vs_robust.png")], "partrobust train --out runs/x");

        string md = File.ReadAllText(Path.Combine(dir, ReportWriter.MarkdownFileName));
        string html = File.ReadAllText(Path.Combine(dir, ReportWriter.HtmlFileName));
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>PartRobust run report", html);
        // Every section of report.md, in the same order.
        var mdSections = Regex.Matches(md, "^## (.+)$", RegexOptions.Multiline).Select(m => System.Net.WebUtility.HtmlEncode(m.Groups[1].Value)).ToList();
        var htmlSections = Regex.Matches(html, "<h2[^>]*>(.+?)</h2>").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("Results", mdSections);
        Assert.Equal(mdSections, htmlSections);
        Assert.Equal(Regex.Matches(md, @"^\|---", RegexOptions.Multiline).Count, Regex.Matches(html, "<table>").Count);
        Assert.Matches("<td[^>]*>90.0%</td>", html);
        // The figures are inside the page; the tensors stay a link beside it, as in report.md.
        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(figure)}\"", html);
        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(examples)}\"", html);
        Assert.DoesNotContain("src=\"figures/", html);
        Assert.Contains("href=\"adversarial_part.safetensors\"", html);
        Assert.Contains("<pre><code class=\"language-sh\">partrobust train --out runs/x", html);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_figure_that_is_not_in_the_run_folder_stays_a_link_and_markup_in_names_is_text()
    {
        string dir = ReportSamples.TempDir();
        Directory.CreateDirectory(dir);
        string html = ReportHtml.FromMarkdown("# Report\n\nmodel <script>alert(1)</script>\n\n![missing](gone.png)\n", dir);
        Assert.Contains("src=\"gone.png\"", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("<title>Report</title>", html);
    }

    [Fact]
    public void Nothing_is_written_when_the_report_is_invalid()
    {
        string dir = ReportSamples.TempDir();
        Assert.Throws<ArgumentException>(() => ReportWriter.Write(dir, ReportSamples.Report(100, ReportSamples.Model("m", double.NaN, 0.5)), []));
        Assert.False(File.Exists(Path.Combine(dir, ReportWriter.HtmlFileName)));
    }
}
