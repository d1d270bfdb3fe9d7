using PartRobust.Attacks;

namespace PartRobust.Reporting;

/// <summary>
/// What the reports know about robust-accuracy keys: the column groups of the results table and the strength order
/// that breaks ties between attacks. The adaptive part attacks come from <see cref="AttackRegistry.PartAttackNames"/>;
/// the rest is listed here because the keys are not registry names (AutoAttack results are keyed by the sequence
/// that ran, e.g. <c>autoattack-c&lt;4</c>, and older reports hold <c>fgsm</c>, <c>apgd</c> and <c>aa</c>).
/// </summary>
internal static class AttackKeys
{
    /// <summary>Single attacks from weak to strong: their column order and their place in <see cref="Strength"/>.</summary>
    static readonly string[] SingleAttacks = ["fgsm", "pgd-10", "pgd", "apgd-ce", "apgd", "apgd-dlr", "apgd-t", "fab", "fab-t", "square"];

    /// <summary>Column order of the adaptive segmentation attacks on part models.</summary>
    static readonly string[] SegAttacks = [.. AttackRegistry.PartAttackNames];

    /// <summary>Column order of the AutoAttack versions.</summary>
    static readonly string[] AutoAttackColumns = ["autoattack", "aa", "autoattack-c<4", "autoattack-c<3", "autoattack-plus", "autoattack-rand"];

    /// <summary>
    /// The AutoAttack versions from weak to strong: AutoAttack-rand (built for randomised defences) is ranked below the
    /// standard version on the deterministic models here, and AutoAttack-plus (more attacks and restarts) above it.
    /// </summary>
    static readonly string[] AutoAttackStrength = ["autoattack-rand", "autoattack-c<3", "autoattack-c<4", "autoattack", "aa", "autoattack-plus"];

    /// <summary>
    /// Attack keys from weakest to strongest, used only to break ties between attacks that leave the same mean robust
    /// accuracy. The worst case over all attacks is by construction the strongest.
    /// </summary>
    static readonly string[] Strength = [.. SingleAttacks, .. SegAttacks, .. AutoAttackStrength, ReportWriter.WorstCaseKey];

    /// <summary>
    /// The place of <paramref name="key"/> among the results table's columns: group 0 single attacks, 1 other attacks
    /// and sequences, 2 AutoAttack versions, 3 <c>seg-*</c> attacks, 4 the worst case; then the index within the group.
    /// </summary>
    internal static (int Group, int Index) ColumnRank(string key)
    {
        string k = key.ToLowerInvariant();
        int i;
        if ((i = Array.IndexOf(SingleAttacks, k)) >= 0) return (0, i);
        if (k == ReportWriter.WorstCaseKey) return (4, 0);
        if ((i = Array.IndexOf(AutoAttackColumns, k)) >= 0) return (2, i);
        if (IsAutoAttack(k)) return (2, AutoAttackColumns.Length);
        if ((i = Array.IndexOf(SegAttacks, k)) >= 0) return (3, i);
        if (k.StartsWith("seg-", StringComparison.Ordinal)) return (3, SegAttacks.Length);
        return (1, 0);
    }

    /// <summary>The place of <paramref name="key"/> in the strength order; −1 (weaker than every known one) when unknown.</summary>
    internal static int StrengthRank(string key) => Array.IndexOf(Strength, key.ToLowerInvariant());

    /// <summary>Whether <paramref name="key"/> is an AutoAttack version (<c>aa</c> or <c>autoattack*</c>).</summary>
    internal static bool IsAutoAttack(string key) =>
        key.Equals("aa", StringComparison.OrdinalIgnoreCase) || key.StartsWith("autoattack", StringComparison.OrdinalIgnoreCase);
}
