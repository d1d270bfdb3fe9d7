using PartRobust.Reporting;

namespace PartRobust.Cli;

/// <summary>The console summaries of a run report: the model table, the attack notes, the robustness table, the comparisons.</summary>
static class RunSummary
{
    /// <summary>The summary <c>demo</c>, <c>train</c>, <c>eval</c> and <c>attack</c> print after a run.</summary>
    public static void Print(RunReport report, string outDir)
    {
        var keys = ReportWriter.OrderAttacks(report.Models.SelectMany(m => m.RobustAccuracy.Keys).Distinct()).ToList();
        Console.WriteLine();
        PrintModelTable(report, keys);
        PrintAttackNotes(report, keys);
        PrintRobustnessTable(report);
        PrintComparisons(report);
        PrintFooter(report, outDir);
    }

    /// <summary>The last line: total time and where the report is.</summary>
    public static void PrintFooter(RunReport report, string outDir) =>
        Console.WriteLine($"total {report.Environment.TotalSeconds:F0}s. Report: {Path.Combine(outDir, "report.md")}");

    static void PrintModelTable(RunReport report, List<string> keys)
    {
        int nameWidth = Math.Max(28, report.Models.Select(m => m.DisplayName.Length).DefaultIfEmpty(0).Max()); // e.g. "Two-headed part model (decoder)"
        Console.WriteLine($"{"model".PadRight(nameWidth)} {"params",10} {"train s",8} {"clean",7} " + string.Concat(keys.Select(k => $"{k,12} ")) + $"{"part acc",9} {"mIoU",6}");
        foreach (var m in report.Models)
        {
            string robust = string.Concat(keys.Select(k => m.RobustAccuracy.TryGetValue(k, out var r) ? $"{100 * r,11:F1}% " : $"{"-",12} "));
            string pa = m.PartPixelAccuracy is { } a ? $"{100 * a:F1}%" : "-";
            string iou = m.PartMiou is { } i ? $"{100 * i:F1}%" : "-";
            Console.WriteLine($"{m.DisplayName.PadRight(nameWidth)} {m.Parameters,10:N0} {m.TrainSeconds,8:F0} {100 * m.CleanAccuracy,6:F1}% {robust}{pa,9} {iou,6}");
        }
    }

    /// <summary>Points attacked, the attacks' settings, the masking checks and AutoAttack's stages.</summary>
    static void PrintAttackNotes(RunReport report, List<string> keys)
    {
        Console.WriteLine($"chance level {100 * report.Settings.ChanceAccuracy:F1}%; {report.Settings.AttackPoints} test images attacked, ε = {report.Settings.EpsilonText}");
        var counts = keys.Select(k => (Key: k, N: report.Models.Where(m => m.RobustAccuracy.ContainsKey(k))
            .Select(m => ReportWriter.AttackPoints(report.Settings, m, k)).DefaultIfEmpty(0).Min())).ToList();
        if (counts.Any(c => c.N != report.Settings.AttackPoints))
            Console.WriteLine("points attacked: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.N}")) + " (sampling error about ±1/√n)");
        foreach (var (k, d) in report.Settings.EvalAttacks) Console.WriteLine($"  {k}: {d}");
        foreach (var m in report.Models)
            foreach (var c in m.MaskingChecks ?? new List<MaskingCheckRecord>())
                Console.WriteLine(c.Status == MaskingCheckStatus.Pass
                    ? $"  {m.Name}: masking check '{c.Name}' ok: {c.Detail}"
                    : $"  {m.Name}: WARNING gradient-masking check '{c.Name}' failed: {c.Meaning} ({c.Detail})");
        foreach (var m in report.Models)
            foreach (var (version, stages) in m.AutoAttackStages ?? new())
                Console.WriteLine($"  {m.Name} {version} stages: " + string.Join(" → ", stages.Select(st => $"{st.Attack} {100 * st.RobustAccuracy:F1}%" + (st.Seconds is { } sec ? $" ({sec:F0}s)" : ""))));
    }

    /// <summary>The general-robustness table (when the suite ran): one row per model, as in the report.</summary>
    public static void PrintRobustnessTable(RunReport report)
    {
        if (report.Settings.GeneralRobustness is not { } g) return;
        int nameWidth = Math.Max(28, report.Models.Select(m => m.DisplayName.Length).DefaultIfEmpty(0).Max());
        Console.WriteLine();
        Console.WriteLine($"general robustness on the first {g.Images} test images" + (g.Table is { } t ? $" ({(t == "cifar10" ? "CIFAR-10-C" : "ImageNet-C")} table, severities {string.Join(",", g.Severities ?? [])})" : "") + $", {g.Seconds ?? 0:F0}s:");
        Console.WriteLine($"{"model".PadRight(nameWidth)} {"clean",7} {"corruptions",12} {"mCE",6} {"cue-conflict",13} {"shape bias",11} {"mixed-rand",11} {"BG-gap",7}");
        static string P(double? v) => v is { } x ? $"{100 * x:F1}%" : "-";
        foreach (var m in report.Models)
        {
            double? mixedRand = m.BackgroundAccuracy?.TryGetValue("mixed_rand", out var mr) == true ? mr : null;
            Console.WriteLine($"{m.DisplayName.PadRight(nameWidth)} {P(m.CleanAccuracy),7} {P(m.CorruptionAccuracy),12} {(m.Mce is { } mce ? mce.ToString("F2") : "-"),6} " +
                              $"{P(m.CueConflictAccuracy),13} {P(m.ShapeBias),11} {P(mixedRand),11} {(m.BgGap is { } gap ? (100 * gap).ToString("+0.0;-0.0;0.0") : "-"),7}");
        }
    }

    static void PrintComparisons(RunReport report)
    {
        if (report.Comparisons is not { Count: > 0 } list) return;
        string Display(string key) => report.Models.FirstOrDefault(m => m.Name == key)?.DisplayName ?? key;
        Console.WriteLine();
        Console.WriteLine("paired comparisons on the same points (A − B in points, paired bootstrap 95% CI, exact McNemar p):");
        foreach (var c in list)
            Console.WriteLine($"  {Display(c.A)} − {Display(c.B)}, {c.Metric} (n = {c.N}): " +
                              $"{ComparisonsSection.Signed(c.Difference)}, CI {ComparisonsSection.Interval(c)}, p {(c.PValue is < 0.001 ? "< 0.001" : $"= {c.PValue:0.###}")}");
        if (report.Verdict is { } v) { Console.WriteLine(); Console.WriteLine(v); }
    }
}
