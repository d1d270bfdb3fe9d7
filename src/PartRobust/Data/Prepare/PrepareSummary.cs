using System.Globalization;
using System.Text;

namespace PartRobust.Data.Prepare;

/// <summary>What a preparation produced: samples per class and split, parts present, and the files skipped and why.</summary>
public sealed class PrepareSummary
{
    /// <summary>Dataset name.</summary>
    public required string Dataset { get; init; }

    /// <summary>The output folder.</summary>
    public required string OutDir { get; init; }

    /// <summary>Classes, seg labels and the part → class map.</summary>
    public required PartTaxonomy Taxonomy { get; init; }

    /// <summary>Samples per split (train, val, test), then per class index.</summary>
    public required IReadOnlyDictionary<string, int[]> Counts { get; init; }

    /// <summary>For each seg label, the number of samples in which it occurs (all splits).</summary>
    public required long[] PartSamples { get; init; }

    /// <summary>For each seg label, its pixel count over all samples.</summary>
    public required long[] PartPixels { get; init; }

    /// <summary>Skipped files with their reasons, sorted by file.</summary>
    public required IReadOnlyList<(string File, string Reason)> Skipped { get; init; }

    /// <summary>Wall-clock seconds of the whole preparation.</summary>
    public double Seconds { get; init; }

    /// <summary>Total samples written.</summary>
    public int Total => Counts.Values.Sum(c => c.Sum());

    /// <summary>The skip reasons with their counts, most frequent first. Reasons are grouped on their text before any '(' detail.</summary>
    public IReadOnlyList<(string Reason, int Count)> SkipReasons =>
        Skipped.GroupBy(s => ReasonKey(s.Reason)).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

    static string ReasonKey(string reason)
    {
        int i = reason.IndexOf(" (", StringComparison.Ordinal);
        return i > 0 ? reason[..i] : reason;
    }

    /// <summary>The summary as Markdown tables (samples per class and split, parts, skip reasons).</summary>
    public string ToMarkdown()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"# {Dataset}: {Total} samples prepared in {Seconds:F1} s\n\n");
        sb.Append("| class | train | val | test | total |\n|---|---:|---:|---:|---:|\n");
        for (int c = 0; c < Taxonomy.NumClasses; c++)
        {
            int tr = Counts["train"][c], va = Counts["val"][c], te = Counts["test"][c];
            sb.Append(ci, $"| {Taxonomy.ClassNames[c]} | {tr} | {va} | {te} | {tr + va + te} |\n");
        }
        sb.Append(ci, $"| **all** | {Counts["train"].Sum()} | {Counts["val"].Sum()} | {Counts["test"].Sum()} | {Total} |\n\n");
        sb.Append("| seg label | part | class | samples with it | pixels |\n|---:|---|---|---:|---:|\n");
        for (int k = 0; k < Taxonomy.NumSegLabels; k++)
        {
            string cls = Taxonomy.PartClass[k] < 0 ? "" : Taxonomy.ClassNames[Taxonomy.PartClass[k]];
            sb.Append(ci, $"| {k} | {Taxonomy.PartNames[k]} | {cls} | {PartSamples[k]} | {PartPixels[k]} |\n");
        }
        sb.Append(ci, $"\n{Skipped.Count} file{(Skipped.Count == 1 ? "" : "s")} skipped");
        if (Skipped.Count > 0)
        {
            sb.Append(" (every one is listed in skipped.txt):\n\n| reason | files |\n|---|---:|\n");
            foreach (var (reason, count) in SkipReasons) sb.Append(ci, $"| {reason} | {count} |\n");
        }
        else sb.Append(".\n");
        return sb.ToString();
    }
}
