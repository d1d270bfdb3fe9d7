using System.Text;
using PartRobust.Training;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Settings" table of report.md: data, architecture, attacks, epochs and seeds of the run.</summary>
internal static class SettingsSection
{
    /// <summary>Appends the section.</summary>
    internal static void Append(StringBuilder sb, RunReport report)
    {
        RunSettings s = report.Settings;
        sb.Append("## Settings\n\n| setting | value |\n|---|---|\n");
        Row(sb, "dataset", s.Dataset);
        Row(sb, "image size", $"{s.ImageSize}×{s.ImageSize}");
        if (report.Models.Any(m => m.Width is not null))
            Row(sb, "architecture", string.Join("; ", report.Models.Select(m => $"`{m.Name}`: {Architecture(m)}")));
        Row(sb, "classes", s.NumClasses.ToString(Inv));
        Row(sb, "chance accuracy", Pct(s.ChanceAccuracy));
        Row(sb, "train / val / test", $"{s.TrainSize} / {s.ValSize} / {s.TestSize}");
        Row(sb, "attacked test points", s.AttackPoints.ToString(Inv));
        Row(sb, "ε (L∞)", $"{s.EpsilonText} ({Num(s.Epsilon)})");
        Row(sb, "training attack", s.AdvTrain == AdversarialRecipe.Trades
            ? $"{AdvRecipe(s)}: KL attack, {s.TrainAttackSteps} step{(s.TrainAttackSteps == 1 ? "" : "s")}"
            : s.TrainAttackSteps == 1 ? "PGD, 1 step from a random start (FGSM-RS)" : $"PGD, {s.TrainAttackSteps} steps");
        foreach (var (key, value) in s.EvalAttacks) Row(sb, $"eval attack `{key}`", value);
        if (!string.IsNullOrEmpty(s.HeadlineAttack)) Row(sb, "headline attack", $"`{s.HeadlineAttack}`");
        Row(sb, "epochs (clean + adversarial)", $"{s.CleanEpochs} + {s.AdvEpochs}");
        Row(sb, "segmentation-loss weight", Num(s.SegWeight));
        foreach (var (key, value) in s.Seeds) Row(sb, $"seed `{key}`", value.ToString(Inv));
        sb.Append('\n');
    }

    /// <summary>The adversarial recipe's name: "PGD" or "TRADES (β = 1)".</summary>
    internal static string AdvRecipe(RunSettings s) => s.AdvTrain == AdversarialRecipe.Trades ? $"TRADES (β = {Num(s.TradesBeta ?? 1)})" : "PGD";

    /// <summary>"segmenter `compact`, width 16", "width 64", "segmenter `deeplabv3plus-resnet50`, background channel dropped".</summary>
    private static string Architecture(ModelResult m)
    {
        var parts = new List<string>();
        if (m.Segmenter is { } seg) parts.Add($"segmenter `{seg}`");
        // The paper's named segmenters are always full width; the width matters for ResNets, the compact segmenter and part-mask's ResNet.
        bool widthMatters = m.Segmenter is null or "compact" || m.Name == "part-mask";
        if (m.Width is { } w && widthMatters) parts.Add($"width {w}");
        if (m.BackgroundChannel == false) parts.Add("background channel dropped");
        return parts.Count == 0 ? "—" : string.Join(", ", parts);
    }

    private static void Row(StringBuilder sb, string key, string value) => sb.Append(Inv, $"| {Cell(key)} | {Cell(value)} |\n");
}
