using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// The report.md section of the general-robustness suite: the paper-style table (rows: models; columns: common
/// corruptions, texture bias, background bias), then accuracy per corruption and per background variant, and the figures.
/// </summary>
public static class GeneralRobustnessSection
{
    /// <summary>What each background variant is, by report name.</summary>
    public static readonly IReadOnlyDictionary<string, string> VariantMeanings = new Dictionary<string, string>
    {
        ["original"] = "the test image unchanged",
        ["only_fg"] = "foreground on black",
        ["only_bg_b"] = "foreground box blacked out",
        ["no_fg"] = "foreground pixels blacked out",
        ["only_bg_t"] = "foreground box filled with tiled background",
        ["mixed_same"] = "foreground on the background of another image of the same class",
        ["mixed_rand"] = "foreground on the background of an image of another class",
        ["gen_only_fg"] = "PartShapes: object on a plain background, no clutter",
        ["gen_only_bg"] = "PartShapes: no object, the background family of the label's class",
        ["gen_mixed_rand"] = "PartShapes: object on the background family of another class",
    };

    /// <summary>Which columns the table has: only the suites some model ran.</summary>
    private sealed record Columns(bool Corruptions, bool Texture, bool Background, bool Mce);

    /// <summary>Appends the section when any model has general-robustness results; otherwise nothing.</summary>
    public static void Append(StringBuilder sb, RunReport report, string root)
    {
        var g = report.Settings.GeneralRobustness;
        var models = report.Models.Where(m => m.CorruptionAccuracy is not null || m.CueConflictAccuracy is not null || m.BackgroundAccuracy is not null).ToList();
        if (g is null || models.Count == 0) return;
        var cols = new Columns(models.Any(m => m.Corruptions is not null), models.Any(m => m.CueConflictAccuracy is not null),
            models.Any(m => m.BackgroundAccuracy is not null), models.Any(m => m.Mce is not null));
        string baseline = g.MceBaseline is { } b ? report.Models.FirstOrDefault(m => m.Name == b)?.DisplayName ?? b : "";

        AppendIntro(sb, g, cols, baseline);
        AppendTable(sb, models, cols);
        AppendVerdicts(sb, g, models, cols);
        if (cols.Corruptions) AppendPerCorruption(sb, g, models, cols.Mce, baseline);
        if (cols.Background) AppendPerVariant(sb, models);
        AppendFigures(sb, g, root);
    }

    /// <summary>What the table measures, on how many images, and the noise threshold.</summary>
    private static void AppendIntro(StringBuilder sb, RobustnessSettings g, Columns cols, string baseline)
    {
        sb.Append("## General robustness\n\n");
        sb.Append(Inv, $"The paper's second table, measured on the first {g.Images} test images");
        if (cols.Corruptions) sb.Append(Inv, $": common corruptions are the mean accuracy over the {Benchmarks(g)} at severities {string.Join(", ", g.Severities ?? [])} ({TableText(g.Table)} parameters)");
        if (cols.Texture) sb.Append("; texture bias is the accuracy on the shape label of cue-conflict images (shape of one class, texture of another)");
        if (cols.Background) sb.Append("; background bias is the accuracy with the foreground on the background of an image of another class (Mixed-Rand)");
        sb.Append(". Higher is better in these three columns.");
        if (cols.Texture) sb.Append(" Shape bias is shape hits / (shape hits + texture hits) (Geirhos et al.); 100% = decides by shape only.");
        if (cols.Background) sb.Append(" BG-gap = acc(Mixed-Same) − acc(Mixed-Rand) in points: how much a background of the wrong class costs (lower is better).");
        if (cols.Mce) sb.Append(Inv, $" mCE is the corruption error relative to {baseline} on the same images (= 1.00 for it; lower is better; ImageNet-C normalises by AlexNet instead).");
        sb.Append(Inv, $" With {g.Images} images, differences below 1/√{g.Images} = {100 / Math.Sqrt(Math.Max(1, g.Images)):0.0} points are within the sampling noise.\n\n");
    }

    /// <summary>The paper-style table: one row per model, one column per suite measured.</summary>
    private static void AppendTable(StringBuilder sb, List<ModelResult> models, Columns cols)
    {
        sb.Append("| model | clean acc |");
        if (cols.Corruptions) sb.Append(" common corruptions |");
        if (cols.Texture) sb.Append(" texture bias (cue-conflict acc) |");
        if (cols.Background) sb.Append(" background bias (Mixed-Rand acc) |");
        if (cols.Mce) sb.Append(" mCE |");
        if (cols.Texture) sb.Append(" shape bias |");
        if (cols.Background) sb.Append(" BG-gap |");
        sb.Append("\n|---|---:|");
        int count = (cols.Corruptions ? 1 : 0) + (cols.Texture ? 2 : 0) + (cols.Background ? 2 : 0) + (cols.Mce ? 1 : 0);
        for (int i = 0; i < count; i++) sb.Append("---:|");
        sb.Append('\n');
        foreach (var m in models)
        {
            sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {Pct(m.CleanAccuracy)} |");
            if (cols.Corruptions) sb.Append(' ').Append(Opt(m.CorruptionAccuracy)).Append(" |");
            if (cols.Texture) sb.Append(' ').Append(Opt(m.CueConflictAccuracy)).Append(" |");
            if (cols.Background) sb.Append(' ').Append(Opt(MixedRand(m))).Append(" |");
            if (cols.Mce) sb.Append(' ').Append(m.Mce is { } v ? v.ToString("0.00", Inv) : "—").Append(" |");
            if (cols.Texture) sb.Append(' ').Append(Opt(m.ShapeBias)).Append(" |");
            if (cols.Background) sb.Append(' ').Append(m.BgGap is { } gap ? ComparisonsSection.Signed(gap) : "—").Append(" |");
            sb.Append('\n');
        }
        sb.Append('\n');
    }

    /// <summary>The highest model per suite (a tie within the noise), then where the numbers come from.</summary>
    private static void AppendVerdicts(StringBuilder sb, RobustnessSettings g, List<ModelResult> models, Columns cols)
    {
        if (models.Count > 1)
        {
            double noise = 1 / Math.Sqrt(Math.Max(1, g.Images));
            if (cols.Corruptions) sb.Append(Verdict("common-corruption accuracy", models, m => m.CorruptionAccuracy, noise));
            if (cols.Texture) sb.Append(Verdict("cue-conflict accuracy", models, m => m.CueConflictAccuracy, noise));
            if (cols.Background) sb.Append(Verdict("Mixed-Rand accuracy", models, MixedRand, noise));
            sb.Append('\n');
        }
        sb.Append("Clean accuracy here is on the whole test set; every other number is on the same images for every model. ");
        if (cols.Texture) sb.Append(Inv, $"Cue-conflict images: {g.CueConflictMethod}. ");
        if (cols.Background) sb.Append(Inv, $"Background variants: {g.BackgroundMethod}. ");
        sb.Append(Inv, $"Seed {g.Seed}; the suite took {g.Seconds ?? 0:0} s.\n\n");
    }

    /// <summary>"Accuracy per corruption": mean over severities per corruption and model, with the CE when measured.</summary>
    private static void AppendPerCorruption(StringBuilder sb, RobustnessSettings g, List<ModelResult> models, bool mce, string baseline)
    {
        var names = g.Corruptions ?? models.First(m => m.Corruptions is not null).Corruptions!.Keys.ToList();
        sb.Append("### Accuracy per corruption\n\n");
        sb.Append(Inv, $"Mean over severities {string.Join(", ", g.Severities ?? [])}");
        if (mce) sb.Append(Inv, $"; in brackets the corruption error CE relative to {baseline}");
        sb.Append(". The extras (marked *) are not in the mean of the table above, as in ImageNet-C; the heat map gives every severity.\n\n");
        AppendHeader(sb, ["corruption"], models);
        foreach (var c in names)
        {
            bool extra = !Evaluation.Corruptions.CorruptionRegistry.Benchmark.Contains(c);
            sb.Append(Inv, $"| {c.Replace('_', ' ')}{(extra ? " *" : "")} |");
            foreach (var m in models)
            {
                string cell = m.Corruptions?.TryGetValue(c, out var bySeverity) == true && bySeverity.Count > 0 ? Pct(bySeverity.Values.Average()) : "—";
                if (m.CorruptionErrors?.TryGetValue(c, out var ce) == true) cell += $" ({ce.ToString("0.00", Inv)})";
                sb.Append(' ').Append(cell).Append(" |");
            }
            sb.Append('\n');
        }
        sb.Append('\n');
    }

    /// <summary>"Accuracy per background variant": every variant any model ran, with what it is.</summary>
    private static void AppendPerVariant(StringBuilder sb, List<ModelResult> models)
    {
        var variants = models.SelectMany(m => m.BackgroundAccuracy?.Keys ?? Enumerable.Empty<string>()).Distinct().ToList();
        sb.Append("### Accuracy per background variant\n\n");
        sb.Append("Only-BG variants keep no object: accuracy above chance there means the model reads the class from the background.\n\n");
        AppendHeader(sb, ["variant", "what it is"], models);
        foreach (var v in variants)
        {
            sb.Append(Inv, $"| {v} | {(VariantMeanings.TryGetValue(v, out var meaning) ? meaning : "")} |");
            foreach (var m in models) sb.Append(' ').Append(m.BackgroundAccuracy?.TryGetValue(v, out var a) == true ? Pct(a) : "—").Append(" |");
            sb.Append('\n');
        }
        sb.Append('\n');
    }

    /// <summary>The suite's figures, linked relative to the run folder.</summary>
    private static void AppendFigures(StringBuilder sb, RobustnessSettings g, string root)
    {
        foreach (var f in g.Figures ?? [])
        {
            string caption = Path.GetFileNameWithoutExtension(f).Replace('_', ' ');
            string full = Path.IsPathRooted(f) ? f : Path.Combine(root, f);
            sb.Append(Inv, $"![{caption}]({Path.GetRelativePath(root, full).Replace('\\', '/')})\n\n");
        }
    }

    /// <summary>Accuracy on Mixed-Rand, the background-bias column, or null when not measured.</summary>
    private static double? MixedRand(ModelResult m) => m.BackgroundAccuracy?.TryGetValue("mixed_rand", out var v) == true ? v : null;

    /// <summary>
    /// One sentence naming the model with the highest value and its margin over the next, called a tie when the margin is
    /// within the sampling noise 1/√n.
    /// </summary>
    static string Verdict(string what, List<ModelResult> models, Func<ModelResult, double?> value, double noise)
    {
        var ranked = models.Select(m => (Model: m, Value: value(m))).Where(x => x.Value is not null).OrderByDescending(x => x.Value).ToList();
        if (ranked.Count < 2) return "";
        double gap = ranked[0].Value!.Value - ranked[1].Value!.Value;
        string margin = Pts(gap), n = Pts(noise);
        return gap <= noise
            ? $"Highest {what}: {ranked[0].Model.DisplayName} ({Pct(ranked[0].Value!.Value)}), {margin} points above {ranked[1].Model.DisplayName}: within the ±{n}-point sampling noise, a tie. "
            : $"Highest {what}: {ranked[0].Model.DisplayName} ({Pct(ranked[0].Value!.Value)}), {margin} points above {ranked[1].Model.DisplayName}, more than the ±{n}-point sampling noise. ";
    }

    /// <summary>A table header: the text columns, then one right-aligned column per model.</summary>
    static void AppendHeader(StringBuilder sb, string[] columns, List<ModelResult> models)
    {
        sb.Append('|');
        foreach (var c in columns) sb.Append(' ').Append(c).Append(" |");
        foreach (var m in models) sb.Append(' ').Append(Cell(m.DisplayName)).Append(" |");
        sb.Append("\n|");
        foreach (var _ in columns) sb.Append("---|");
        foreach (var _ in models) sb.Append("---:|");
        sb.Append('\n');
    }

    static string Benchmarks(RobustnessSettings g)
    {
        var names = g.Corruptions ?? [];
        int bench = names.Count(n => Evaluation.Corruptions.CorruptionRegistry.Benchmark.Contains(n));
        return bench > 0 ? $"{bench} ImageNet-C corruption{(bench == 1 ? "" : "s")}" : $"{names.Count} corruption{(names.Count == 1 ? "" : "s")}";
    }

    static string TableText(string? table) => table == "cifar10" ? "CIFAR-10-C" : "ImageNet-C";

    static string Opt(double? v) => v is { } x ? Pct(x) : "—";
}
