using System.Net;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace PartRobust.Reporting;

/// <summary>
/// <c>report.html</c>: the Markdown of <c>report.md</c> as one self-contained page (Markdig with pipe tables), each
/// figure in the run folder embedded as a <c>data:</c> URI, so the file opens offline and can be shared on its own.
/// Links to other files (e.g. the adversarial examples' tensors) stay relative to the run folder, as in report.md.
/// </summary>
internal static class ReportHtml
{
    // Raw HTML is shown as text: the reports contain none, and a name or path in them must not become markup.
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    /// <summary>The page for <paramref name="markdown"/>, whose relative links are relative to <paramref name="dir"/>.</summary>
    public static string FromMarkdown(string markdown, string dir)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var image in document.Descendants<LinkInline>().Where(link => link.IsImage)) Embed(image, dir);
        return Page(Title(markdown), document.ToHtml(Pipeline));
    }

    /// <summary>Puts the image file a link names into the link as a data: URI; an image that is not a file in <paramref name="dir"/> is left linked.</summary>
    static void Embed(LinkInline image, string dir)
    {
        if (string.IsNullOrEmpty(image.Url) || (Uri.TryCreate(image.Url, UriKind.Absolute, out var uri) && !uri.IsFile)) return;
        string file = Path.Combine(dir, Uri.UnescapeDataString(image.Url));
        if (!File.Exists(file)) return;
        image.Url = $"data:{MediaType(file)};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}";
    }

    static string MediaType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".svg" => "image/svg+xml",
        ".gif" => "image/gif",
        _ => "application/octet-stream",
    };

    /// <summary>The report's first top-level heading, as the page title.</summary>
    static string Title(string markdown) =>
        markdown.Split('\n').FirstOrDefault(line => line.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? "PartRobust report";

    static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)}</title>
        <style>{Style}</style>
        </head>
        <body>
        <main>
        {body}
        </main>
        </body>
        </html>

        """;

    // Readable without any fetched font or script; wide tables scroll instead of widening the page.
    const string Style = """

        body { margin: 0; background: #fff; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
        h1 { font-size: 1.8em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
        h2 { font-size: 1.4em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 1.6em; }
        table { display: block; overflow-x: auto; border-collapse: collapse; margin: 12px 0; }
        th, td { border: 1px solid #d1d9e0; padding: 4px 10px; }
        th { background: #f6f8fa; }
        tr:nth-child(even) td { background: #f9fafb; }
        code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
        pre { background: #f6f8fa; padding: 12px; overflow-x: auto; border-radius: 6px; }
        pre code { padding: 0; background: none; }
        img { max-width: 100%; height: auto; }

        """;
}
