using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Gradient-masking checks" section of report.md: each model's checks with their result and, for a warning, what it means.</summary>
internal static class MaskingChecksSection
{
    /// <summary>Appends the section when any model ran the checks; otherwise nothing.</summary>
    internal static void Append(StringBuilder sb, IReadOnlyList<ModelResult> models)
    {
        var checkedModels = models.Where(m => m.MaskingChecks is { Count: > 0 }).ToList();
        if (checkedModels.Count == 0) return;
        sb.Append("## Gradient-masking checks\n\n");
        sb.Append("Sanity checks that the attacks are not fooled by gradient masking (hidden, random or zero gradients). "
            + "✓ marks a check that passed; ⚠ marks a warning: the model's robust accuracies may overstate its robustness, "
            + "for the reason given with the warning.\n\n");
        foreach (ModelResult m in checkedModels) AppendModel(sb, m, m.MaskingChecks!);
        var notChecked = models.Except(checkedModels).ToList();
        if (notChecked.Count > 0)
            sb.Append(Inv, $"The checks were not run on {JoinAnd(notChecked.Select(m => m.DisplayName))}.\n\n");
    }

    /// <summary>Whether the check warned.</summary>
    internal static bool IsWarning(MaskingCheckRecord check) => check.Status == MaskingCheckStatus.Warn;

    private static bool Passed(MaskingCheckRecord check) => check.Status == MaskingCheckStatus.Pass;

    private static void AppendModel(StringBuilder sb, ModelResult m, List<MaskingCheckRecord> checks)
    {
        sb.Append(Inv, $"### {Cell(m.DisplayName)} (`{Cell(m.Name)}`)\n\n{checks.Count(Passed)} of {checks.Count} checks passed.\n\n");
        sb.Append("| check | result | detail | what the warning means |\n|---|---|---|---|\n");
        foreach (MaskingCheckRecord c in checks)
        {
            string result = Passed(c) ? "✓ pass" : "⚠ warn";
            string meaning = Passed(c) ? "—" : Cell(c.Meaning);
            sb.Append(Inv, $"| {Cell(c.Name)} | {result} | {Cell(c.Detail)} | {meaning} |\n");
        }
        sb.Append('\n');
    }
}
