using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// The "Results" section of report.md: one row per model with clean, robust (one column per attack) and part
/// metrics, the notes that say how to read it (chance, sampling error, tie threshold), the winner sentence, the part-label
/// verdict and a warning when the gradient-masking checks warned.
/// </summary>
internal static class ResultsSection
{
    /// <summary>Appends the section.</summary>
    internal static void Append(StringBuilder sb, RunReport report)
    {
        var attacks = ReportWriter.OrderAttacks(report.Models.SelectMany(m => m.RobustAccuracy.Keys));
        sb.Append("## Results\n\n");
        AppendHeader(sb, report, attacks);
        foreach (ModelResult m in report.Models) AppendRow(sb, m, attacks);
        sb.Append('\n');
        AppendNotes(sb, report, attacks);
        sb.Append(HeadlineRanking.WinnerSentence(report)).Append("\n\n");
        if (!string.IsNullOrEmpty(report.Verdict)) sb.Append("**Part labels.** ").Append(report.Verdict).Append("\n\n");
        var warned = report.Models.Where(m => (m.MaskingChecks ?? []).Any(MaskingChecksSection.IsWarning)).ToList();
        if (warned.Count > 0)
            sb.Append(Inv, $"⚠ The gradient-masking checks warned for {JoinAnd(warned.Select(m => m.DisplayName))} (see [Gradient-masking checks](#gradient-masking-checks)), so {(warned.Count == 1 ? "its" : "their")} robust accuracies may overstate the true robustness.\n\n");
    }

    private static void AppendHeader(StringBuilder sb, RunReport report, IReadOnlyList<string> attacks)
    {
        sb.Append("| model | params | train time | clean acc | clean acc (attacked subset) |");
        // Attacks run on fewer points than the rest (AutoAttack's subset) say so in their header: n is what they mean.
        foreach (string a in attacks)
        {
            int n = HeadlineRanking.CommonPoints(report, a);
            string header = n < report.Settings.AttackPoints ? $"robust acc ({Cell(a)}, n = {n.ToString(Inv)})" : $"robust acc ({Cell(a)})";
            sb.Append(' ').Append(Bold(a, header)).Append(" |");
        }
        sb.Append(" part pixel acc | part mIoU |\n|---|---:|---:|---:|---:|");
        foreach (string _ in attacks) sb.Append("---:|");
        sb.Append("---:|---:|\n");
    }

    private static void AppendRow(StringBuilder sb, ModelResult m, IReadOnlyList<string> attacks)
    {
        sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {m.Parameters.ToString("N0", Inv)} | {(m.TrainSeconds > 0 ? Duration(m.TrainSeconds) : "—")} | {Pct(m.CleanAccuracy)} | {Pct(m.CleanAccuracyAttackSubset)} |");
        foreach (string a in attacks)
            sb.Append(' ').Append(m.RobustAccuracy.TryGetValue(a, out double r) ? Bold(a, Pct(r)) : "—").Append(" |");
        sb.Append(' ').Append(m.PartPixelAccuracy is { } ppa ? Pct(ppa) : "—").Append(" |");
        sb.Append(' ').Append(m.PartMiou is { } miou ? Pct(miou) : "—").Append(" |\n");
    }

    /// <summary>How to read the table: chance, the worst-case column, the sampling error, the tie threshold, sequences, part metrics.</summary>
    private static void AppendNotes(StringBuilder sb, RunReport report, IReadOnlyList<string> attacks)
    {
        RunSettings s = report.Settings;
        sb.Append(Inv, $"Chance level (guessing uniformly among {s.NumClasses} classes) is {Pct(s.ChanceAccuracy)}. ");
        if (attacks.Contains(ReportWriter.WorstCaseKey))
            sb.Append("The bold worst_case column is the per-point worst case over every attack run on the model: a point counts as robust only if no attack broke it. ");
        sb.Append(SamplingNote(report, attacks));
        string? headline = HeadlineRanking.Attack(report);
        int tieN = headline is null ? s.AttackPoints : HeadlineRanking.CommonPoints(report, headline);
        if (tieN > 0)
            sb.Append(Inv, $"{(headline is null ? "Robust accuracies come from" : $"Models are ranked by robust accuracy under {headline}, measured on")} {tieN} attacked points, so differences of up to 1/√{tieN} = {Pts(HeadlineRanking.NoiseThreshold(tieN))} points are treated as within the noise (a tie). ");
        if (attacks.Any(a => a != ReportWriter.WorstCaseKey && !AttackKeys.IsAutoAttack(a) && a.Contains('+', StringComparison.Ordinal)))
            sb.Append("Keys with '+' are attack sequences: each attack runs only on the points the earlier ones left robust. ");
        sb.Append("Part metrics are shown for part models only (— otherwise).");
        sb.Append(NotApplicableNote(report)).Append("\n\n");
    }

    /// <summary>
    /// "Robust accuracy is measured on fewer points than the test set …" naming, for every attack evaluated on fewer
    /// points than the test set, the number of points and the ± sampling error 1/√n ("" when there are none).
    /// </summary>
    private static string SamplingNote(RunReport report, IReadOnlyList<string> attacks)
    {
        RunSettings s = report.Settings;
        var entries = new List<(string Label, int N)>();
        foreach (string a in attacks)
        {
            var perModel = report.Models.Where(m => m.RobustAccuracy.ContainsKey(a))
                .Select(m => (Model: m, N: ReportWriter.AttackPoints(s, m, a))).ToList();
            if (perModel.Select(x => x.N).Distinct().Count() == 1)
                entries.Add((a, perModel[0].N));
            else
                entries.AddRange(perModel.Select(x => ($"{a} for {x.Model.DisplayName}", x.N)));
        }
        var groups = entries.Where(e => e.N > 0 && e.N < s.TestSize)
            .GroupBy(e => e.N).OrderByDescending(g => g.Key)
            .Select(g => $"{JoinAnd(g.Select(e => e.Label))} on n = {g.Key} points (±{Pts(HeadlineRanking.NoiseThreshold(g.Key))} points)")
            .ToList();
        if (groups.Count == 0) return "";
        return $"Robust accuracy is measured on fewer points than the {s.TestSize} test images, so each number carries a sampling error "
            + $"of up to about ±1/√n (two standard errors at 50% accuracy): {string.Join("; ", groups)}. ";
    }

    /// <summary>
    /// " Not run because they do not apply: seg-guided and seg-inverse for Two-headed part model (decoder) (reason)."
    /// per model with <see cref="ModelResult.AttacksNotApplicable"/> ("" when there are none).
    /// </summary>
    private static string NotApplicableNote(RunReport report)
    {
        var notes = report.Models.Where(m => m.AttacksNotApplicable is { Count: > 0 })
            .SelectMany(m => m.AttacksNotApplicable!.GroupBy(kv => kv.Value, StringComparer.Ordinal)
                .Select(g => $"{JoinAnd(g.Select(kv => kv.Key))} for {m.DisplayName} ({g.Key})"))
            .ToList();
        return notes.Count == 0 ? "" : $" Not run because they do not apply: {string.Join("; ", notes)}.";
    }

    /// <summary>Bold text for the worst-case column, plain otherwise.</summary>
    private static string Bold(string attack, string text) => attack == ReportWriter.WorstCaseKey ? $"**{text}**" : text;
}
