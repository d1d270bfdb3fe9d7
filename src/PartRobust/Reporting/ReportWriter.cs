using System.Text;
using System.Text.Json;

namespace PartRobust.Reporting;

/// <summary>
/// Writes a run's <c>report.json</c>, <c>report.md</c> and <c>report.html</c> (each via a temp name, then rename), reads
/// <c>report.json</c> back, and orders and counts the attacks a report holds.
/// </summary>
public static class ReportWriter
{
    /// <summary>File name of the machine-readable report.</summary>
    public const string JsonFileName = "report.json";
    /// <summary>File name of the human-readable report.</summary>
    public const string MarkdownFileName = "report.md";
    /// <summary>File name of the human-readable report as one self-contained web page (figures embedded).</summary>
    public const string HtmlFileName = "report.html";
    /// <summary>Reproduction command shown when none is given.</summary>
    public const string DefaultCommand = "partrobust train --config config.json";

    /// <summary>
    /// Key of the per-point worst case over every attack run on a model (a point counts as robust only if no attack
    /// broke it) in <see cref="ModelResult.RobustAccuracy"/>.
    /// </summary>
    public const string WorstCaseKey = "worst_case";

    /// <summary>Writes <c>report.json</c>, <c>report.md</c> and <c>report.html</c> into <paramref name="runDir"/> with the default reproduction command.</summary>
    /// <param name="runDir">Run folder (created if missing).</param>
    /// <param name="report">The report; every number must be finite.</param>
    /// <param name="figureFiles">PNG files to embed, absolute or relative to <paramref name="runDir"/>.</param>
    /// <exception cref="ArgumentException">A number in <paramref name="report"/> is NaN or infinite.</exception>
    public static void Write(string runDir, RunReport report, IReadOnlyList<string> figureFiles) =>
        Write(runDir, report, figureFiles, DefaultCommand);

    /// <summary>Writes <c>report.json</c>, <c>report.md</c> and <c>report.html</c> into <paramref name="runDir"/>.</summary>
    /// <param name="runDir">Run folder (created if missing).</param>
    /// <param name="report">The report; every number must be finite.</param>
    /// <param name="figureFiles">PNG files to embed, absolute or relative to <paramref name="runDir"/>.</param>
    /// <param name="command">Command line that reproduces the run from the run folder's <c>config.json</c>.</param>
    /// <exception cref="ArgumentException">A number in <paramref name="report"/> is NaN or infinite.</exception>
    public static void Write(string runDir, RunReport report, IReadOnlyList<string> figureFiles, string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figureFiles);
        ArgumentException.ThrowIfNullOrEmpty(command);
        ReportJson.Validate(report);
        Directory.CreateDirectory(runDir);
        string json = ReportJson.Serialize(report);
        string md = ToMarkdown(runDir, report, figureFiles, command);
        AtomicFile.WriteAllText(Path.Combine(runDir, JsonFileName), json);
        AtomicFile.WriteAllText(Path.Combine(runDir, MarkdownFileName), md);
        AtomicFile.WriteAllText(Path.Combine(runDir, HtmlFileName), ReportHtml.FromMarkdown(md, runDir));
    }

    /// <summary>Loads a <c>report.json</c> written by <see cref="Write(string, RunReport, IReadOnlyList{string})"/>.</summary>
    /// <param name="path">Path of the JSON file.</param>
    /// <exception cref="InvalidDataException">The file is not a valid report.</exception>
    public static RunReport ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        RunReport? report;
        try
        {
            report = JsonSerializer.Deserialize<RunReport>(stream, ReportJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid run report: {e.Message}", e);
        }
        return report ?? throw new InvalidDataException($"{path} holds null, not a run report.");
    }

    /// <summary>Builds the Markdown text of <c>report.md</c>, section by section.</summary>
    /// <param name="runDir">Run folder (figure links are made relative to it).</param>
    /// <param name="report">The report.</param>
    /// <param name="figureFiles">PNG files to embed.</param>
    /// <param name="command">Reproduction command.</param>
    public static string ToMarkdown(string runDir, RunReport report, IReadOnlyList<string> figureFiles, string command)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figureFiles);
        string root = Path.GetFullPath(runDir);
        var sb = new StringBuilder();
        SummarySection.Append(sb, report);
        SettingsSection.Append(sb, report);
        ResultsSection.Append(sb, report);
        ComparisonsSection.Append(sb, report);
        AttackStagesSection.Append(sb, report);
        MaskingChecksSection.Append(sb, report.Models);
        GeneralRobustnessSection.Append(sb, report, root);
        FiguresSection.Append(sb, root, figureFiles);
        AdversarialExamplesSection.Append(sb, root, report.Models);
        AttackTimingSection.Append(sb, report);
        ReproductionSection.Append(sb, report.Environment, command);
        return sb.ToString();
    }

    /// <summary>
    /// The attack to rank models by: among the attack keys every model has a result for, the one with the lowest
    /// mean robust accuracy (ties broken by a known strength order, then by name). Null if there is none.
    /// </summary>
    /// <param name="models">Model results.</param>
    public static string? StrongestAttack(IReadOnlyList<ModelResult> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0) return null;
        var common = models.Select(m => (IEnumerable<string>)m.RobustAccuracy.Keys)
            .Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal)).ToList();
        if (common.Count == 0) return null;
        return common
            .OrderBy(k => Math.Round(models.Average(m => m.RobustAccuracy[k]), 12))
            .ThenByDescending(AttackKeys.StrengthRank)
            .ThenBy(k => k, StringComparer.Ordinal)
            .First();
    }

    /// <summary>
    /// Orders robust-accuracy keys as the columns of the results table: single attacks from weak to strong
    /// (<c>pgd-10</c>, <c>pgd</c>, <c>apgd-ce</c>, …, <c>square</c>), then other attacks and legacy sequences such as
    /// <c>apgd-ce+square</c>, then the AutoAttack versions (<c>autoattack</c>, <c>autoattack-plus</c>,
    /// <c>autoattack-rand</c>), then the adaptive <c>seg-*</c> attacks, and <see cref="WorstCaseKey"/> last.
    /// </summary>
    /// <param name="keys">Attack keys; duplicates are dropped.</param>
    public static IReadOnlyList<string> OrderAttacks(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Distinct(StringComparer.Ordinal)
            .Select(k => (Key: k, Rank: AttackKeys.ColumnRank(k)))
            .OrderBy(x => x.Rank.Group).ThenBy(x => x.Rank.Index).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => x.Key).ToList();
    }

    /// <summary>
    /// The number of points <paramref name="attack"/> was evaluated on for <paramref name="model"/>: the points of its
    /// <see cref="ModelResult.AttackTiming"/> entry; for <see cref="WorstCaseKey"/> without one, the fewest points of the
    /// model's other timed attacks; otherwise <see cref="RunSettings.AttackPoints"/>.
    /// </summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="model">The model.</param>
    /// <param name="attack">A key of <see cref="ModelResult.RobustAccuracy"/>.</param>
    public static int AttackPoints(RunSettings settings, ModelResult model, string attack)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(attack);
        if (model.AttackTiming is { } timing)
        {
            if (timing.TryGetValue(attack, out AttackTiming? t) && t.Points > 0) return t.Points;
            if (attack == WorstCaseKey)
            {
                var others = model.RobustAccuracy.Keys
                    .Where(k => k != WorstCaseKey && timing.TryGetValue(k, out AttackTiming? o) && o.Points > 0)
                    .Select(k => timing[k].Points).ToList();
                if (others.Count > 0) return others.Min();
            }
        }
        return settings.AttackPoints;
    }
}
