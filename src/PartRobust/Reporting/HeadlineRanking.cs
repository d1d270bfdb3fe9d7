using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// Ranks a run's models under its headline attack: which attack that is, the points it ran on, the noise threshold
/// 1/√n (about two standard errors of an accuracy near 50%, the largest) and the honest winner sentence, which calls
/// every model within that threshold of the best tied with it rather than beaten.
/// </summary>
public static class HeadlineRanking
{
    /// <summary>
    /// The attack the headline and the winner are decided under: <see cref="RunSettings.HeadlineAttack"/> when it is
    /// set and every model has a result for it, otherwise <see cref="ReportWriter.StrongestAttack"/>. Null if there is none.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string? Attack(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Choose(report).Attack;
    }

    /// <summary>
    /// The honest "winner" sentence: the model with the highest robust accuracy under <see cref="Attack"/>; every model
    /// within the noise threshold 1/√n of the best (n = points that attack was evaluated on) is reported as tied with it.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string WinnerSentence(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var models = report.Models;
        if (models.Count == 0) return "No models were evaluated.";
        var (attack, headlineNote) = Choose(report);
        if (attack is null) return "No attack was evaluated on every model, so no robustness winner is declared." + headlineNote;

        string label = AttackLabel(report, attack);
        string scope = attack == ReportWriter.WorstCaseKey ? WorstCaseScope(models) : "";
        string notes = (scope.Length == 0 ? "" : " " + scope) + headlineNote;
        var ranked = models.OrderByDescending(m => m.RobustAccuracy[attack]).ToList();
        ModelResult best = ranked[0];
        double bestAcc = best.RobustAccuracy[attack];
        int n = CommonPoints(report, attack);
        string chanceNote = ChanceNote(bestAcc, report.Settings.ChanceAccuracy, n);

        if (models.Count == 1)
            return $"Only one model was evaluated ({best.DisplayName}: {Pct(bestAcc)} robust accuracy under {label}), so there is no comparison."
                + chanceNote + notes;

        if (n <= 0)
            return $"{best.DisplayName} has the highest robust accuracy under {label} ({Pct(bestAcc)}), but the number of attacked points "
                + "is not recorded, so whether this beats the noise is unknown." + notes;

        return RankingSentence(ranked, attack, label, n) + chanceNote + notes;
    }

    /// <summary>"Winner: …, the gap exceeds the noise threshold" or "No clear winner: … are tied".</summary>
    private static string RankingSentence(List<ModelResult> ranked, string attack, string label, int n)
    {
        ModelResult best = ranked[0];
        double bestAcc = best.RobustAccuracy[attack];
        double threshold = NoiseThreshold(n);
        var tied = ranked.Skip(1).Where(m => bestAcc - m.RobustAccuracy[attack] <= threshold + 1e-12).ToList();
        string noise = $"the noise threshold 1/√n = {Pts(threshold)} points (n = {n} attacked points)";
        if (tied.Count == 0)
        {
            ModelResult second = ranked[1];
            double gap = bestAcc - second.RobustAccuracy[attack];
            return $"Winner: {best.DisplayName}, with the highest robust accuracy under {label}, "
                + $"{Pct(bestAcc)} vs {Pct(second.RobustAccuracy[attack])} for the runner-up {second.DisplayName}; "
                + $"the gap of {Pts(gap)} points exceeds {noise}.";
        }
        var group = new[] { best }.Concat(tied).Select(m => $"{m.DisplayName} ({Pct(m.RobustAccuracy[attack])})");
        double spread = bestAcc - tied[^1].RobustAccuracy[attack];
        return $"No clear winner: under {label}, {JoinAnd(group)} are tied — "
            + $"their robust accuracies differ by at most {Pts(spread)} points, within {noise}.";
    }

    /// <summary>The headline attack and, when the configured one could not be used, a sentence saying so (else "").</summary>
    internal static (string? Attack, string Note) Choose(RunReport report)
    {
        string? configured = report.Settings.HeadlineAttack;
        if (string.IsNullOrEmpty(configured) || report.Models.Count == 0) return (ReportWriter.StrongestAttack(report.Models), "");
        var missing = report.Models.Where(m => !m.RobustAccuracy.ContainsKey(configured)).ToList();
        if (missing.Count == 0) return (configured, "");
        string? fallback = ReportWriter.StrongestAttack(report.Models);
        string note = $" The headline attack {configured} set for this run has no result for {JoinAnd(missing.Select(m => m.DisplayName))}, so "
            + (fallback is null
                ? "no attack is left to compare every model under."
                : $"the models are compared under {fallback}, the strongest attack every model has, instead.");
        return (fallback, note);
    }

    /// <summary>The points every model was evaluated on under <paramref name="attack"/> at least (the fewest).</summary>
    internal static int CommonPoints(RunReport report, string attack) =>
        report.Models.Where(m => m.RobustAccuracy.ContainsKey(attack))
            .Select(m => ReportWriter.AttackPoints(report.Settings, m, attack))
            .DefaultIfEmpty(report.Settings.AttackPoints).Min();

    /// <summary>
    /// The noise threshold 1/√n for an accuracy measured on <paramref name="n"/> points: about two standard errors of
    /// an accuracy near 50% (the largest), used both as the tie threshold and as the ± sampling error shown.
    /// </summary>
    internal static double NoiseThreshold(int n) => n > 0 ? 1.0 / Math.Sqrt(n) : 0;

    /// <summary>The attack name with what it is: the worst case, the run's headline attack, or the strongest attack run.</summary>
    private static string AttackLabel(RunReport report, string attack)
    {
        if (attack == ReportWriter.WorstCaseKey)
            return $"{attack} (the per-point worst case over all attacks run: a point counts as robust only if no attack broke it)";
        return attack == report.Settings.HeadlineAttack
            ? $"{attack} (the headline attack of this run)"
            : $"{attack} (the strongest attack run)";
    }

    /// <summary>
    /// Which attacks the worst case of each model covers, e.g. "The worst case covers pgd and autoattack for every
    /// model, plus the adaptive attacks seg-sum and seg-guided for Part model." ("" when no model has a worst case).
    /// </summary>
    private static string WorstCaseScope(IReadOnlyList<ModelResult> models)
    {
        var sets = models.Where(m => m.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey))
            .Select(m => (Model: m, Keys: ReportWriter.OrderAttacks(m.RobustAccuracy.Keys.Where(k => k != ReportWriter.WorstCaseKey))))
            .ToList();
        if (sets.Count == 0) return "";
        if (sets.Count == 1)
            return $"The worst case covers {AttackList(sets[0].Keys)}" + (models.Count > 1 ? $" for {sets[0].Model.DisplayName}" : "") + ".";
        var common = ReportWriter.OrderAttacks(sets.Select(x => (IEnumerable<string>)x.Keys).Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal)));
        var extras = sets
            .Select(x => (x.Model, Extra: x.Keys.Where(k => !common.Contains(k)).ToList()))
            .Where(x => x.Extra.Count > 0)
            .GroupBy(x => string.Join("\n", x.Extra), StringComparer.Ordinal)
            .Select(g => $"{AttackList(g.First().Extra)} for {JoinAnd(g.Select(x => x.Model.DisplayName))}")
            .ToList();
        if (common.Count == 0) return $"The worst case covers {string.Join("; ", extras)}.";
        string everyone = sets.Count == models.Count ? "every model" : JoinAnd(sets.Select(x => x.Model.DisplayName));
        return $"The worst case covers {AttackList(common)} for {everyone}" + string.Concat(extras.Select(e => ", plus " + e)) + ".";
    }

    private static string AttackList(IReadOnlyList<string> keys) =>
        keys.Count > 0 && keys.All(k => k.StartsWith("seg-", StringComparison.OrdinalIgnoreCase))
            ? $"the adaptive attack{(keys.Count == 1 ? "" : "s")} {JoinAnd(keys)}"
            : JoinAnd(keys);

    private static string ChanceNote(double bestAcc, double chance, int n) =>
        bestAcc <= chance + NoiseThreshold(n)
            ? $" Note that {Pct(bestAcc)} is not clearly above chance ({Pct(chance)})."
            : "";
}
