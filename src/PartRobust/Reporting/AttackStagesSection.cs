using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// The "AutoAttack stages" and "Attack-sequence stages" sections of report.md: for every sequence a model ran, the
/// robust accuracy after each stage and the points that stage broke.
/// </summary>
internal static class AttackStagesSection
{
    /// <summary>Appends the AutoAttack stages, then the stages of other attack sequences (each only when there are any).</summary>
    internal static void Append(StringBuilder sb, RunReport report)
    {
        var aaStages = report.Models.Select(m => (Model: m, Tables: AutoAttackStageTables(m))).Where(x => x.Tables.Count > 0).ToList();
        if (aaStages.Count > 0)
        {
            sb.Append("## AutoAttack stages\n\n");
            sb.Append("Robust accuracy after each stage of AutoAttack. Each stage runs only on the points still robust after the stages before it, "
                + "so \"points broken\" counts the points that stage broke and no earlier stage did; the accuracy after the last stage is the "
                + "AutoAttack robust accuracy in the results table.\n\n");
            foreach (var (m, tables) in aaStages)
                foreach (var (key, stages) in tables) AppendStageTable(sb, report.Settings, m, key, stages);
        }
        var seqStages = report.Models.Select(m => (Model: m, Tables: OtherStageTables(m))).Where(x => x.Tables.Count > 0).ToList();
        if (seqStages.Count > 0)
        {
            sb.Append("## Attack-sequence stages\n\n");
            sb.Append("Robust accuracy after each attack of a sequence. Each attack runs only on the points still robust after the ones before it, "
                + "so \"points broken\" counts the points that attack broke and no earlier one did.\n\n");
            foreach (var (m, tables) in seqStages)
                foreach (var (key, stages) in tables) AppendStageTable(sb, report.Settings, m, key, stages);
        }
    }

    /// <summary>The AutoAttack stage lists of a model: <see cref="ModelResult.AutoAttackStages"/>, plus AutoAttack keys that older reports kept in <see cref="ModelResult.AttackStages"/>.</summary>
    private static List<(string Key, List<StageResult> Stages)> AutoAttackStageTables(ModelResult m)
    {
        var tables = (m.AutoAttackStages ?? []).Select(kv => (kv.Key, kv.Value)).ToList();
        tables.AddRange((m.AttackStages ?? [])
            .Where(kv => AttackKeys.IsAutoAttack(kv.Key) && !(m.AutoAttackStages?.ContainsKey(kv.Key) ?? false))
            .Select(kv => (kv.Key, kv.Value)));
        var order = ReportWriter.OrderAttacks(tables.Select(t => t.Item1));
        return tables.Where(t => t.Item2.Count > 0).OrderBy(t => IndexOf(order, t.Item1)).ToList();
    }

    /// <summary>The stage lists of a model's attack sequences other than AutoAttack.</summary>
    private static List<(string Key, List<StageResult> Stages)> OtherStageTables(ModelResult m)
    {
        var tables = (m.AttackStages ?? []).Where(kv => !AttackKeys.IsAutoAttack(kv.Key) && kv.Value.Count > 0).Select(kv => (kv.Key, kv.Value)).ToList();
        var order = ReportWriter.OrderAttacks(tables.Select(t => t.Item1));
        return tables.OrderBy(t => IndexOf(order, t.Item1)).ToList();
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }

    /// <summary>
    /// One stage table: robust accuracy after each stage and the points it broke, (previous − this) × n, starting from
    /// the clean accuracy on the attacked subset when the sequence ran on exactly those points.
    /// </summary>
    private static void AppendStageTable(StringBuilder sb, RunSettings s, ModelResult m, string key, List<StageResult> stages)
    {
        int n = ReportWriter.AttackPoints(s, m, key);
        double? previous = m.AttackTiming?.GetValueOrDefault(key)?.CleanAccuracy
                           ?? (n > 0 && n == s.AttackPoints ? m.CleanAccuracyAttackSubset : null);
        sb.Append(Inv, $"### {Cell(m.DisplayName)} (`{Cell(m.Name)}`) — {Cell(key)}\n\n");
        if (n > 0)
        {
            sb.Append(Inv, $"n = {n} attacked points (sampling error ±1/√n = ±{Pts(HeadlineRanking.NoiseThreshold(n))} points).");
            if (previous is null) sb.Append(" The clean accuracy on these points is not recorded, so the first stage's count is not shown.");
            sb.Append("\n\n");
        }
        bool timed = stages.Any(st => st.Seconds is not null);
        sb.Append(timed ? "| stage | robust acc after stage | points broken | seconds |\n|---|---:|---:|---:|\n"
                        : "| stage | robust acc after stage | points broken |\n|---|---:|---:|\n");
        if (previous is { } clean) sb.Append(Inv, $"| clean (no attack) | {Pct(clean)} | — |{(timed ? " — |" : "")}\n");
        foreach (StageResult stage in stages)
        {
            string broken = previous is { } p && n > 0 ? ((int)Math.Round((p - stage.RobustAccuracy) * n)).ToString(Inv) : "—";
            sb.Append(Inv, $"| {Cell(stage.Attack)} | {Pct(stage.RobustAccuracy)} | {broken} |{(timed ? $" {(stage.Seconds is { } sec ? sec.ToString("F0", Inv) : "—")} |" : "")}\n");
            previous = stage.RobustAccuracy;
        }
        sb.Append('\n');
    }
}
