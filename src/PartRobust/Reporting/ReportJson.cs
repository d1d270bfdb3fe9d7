using System.Text.Json;
using PartRobust.Training;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// The text of a run's <c>report.json</c>: indented JSON with snake_case property names, written only when every
/// number in the report is finite (JSON has no NaN or infinity).
/// </summary>
public static class ReportJson
{
    /// <summary>Serializer options of the run and study reports.</summary>
    internal static JsonSerializerOptions Options => JsonFiles.Options;

    /// <summary>Serializes <paramref name="report"/> as indented JSON after checking that every number is finite.</summary>
    /// <param name="report">The report.</param>
    /// <exception cref="ArgumentException">A number in <paramref name="report"/> is NaN or infinite.</exception>
    public static string Serialize(RunReport report)
    {
        Validate(report);
        return JsonSerializer.Serialize(report, Options) + "\n";
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first NaN or infinite number in <paramref name="report"/>.</summary>
    /// <param name="report">The report to check.</param>
    public static void Validate(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        RunSettings s = report.Settings;
        Finite(s.ChanceAccuracy, "settings.chance_accuracy");
        Finite(s.Epsilon, "settings.epsilon");
        Finite(s.SegWeight, "settings.seg_weight");
        Finite(report.Environment.TotalSeconds, "environment.total_seconds");
        foreach (ModelResult m in report.Models) ValidateModel(m);
    }

    private static void ValidateModel(ModelResult m)
    {
        string at = $"models[{m.Name}]";
        Finite(m.TrainSeconds, $"{at}.train_seconds");
        Finite(m.AdvTrainImagesPerSecond, $"{at}.adv_train_images_per_second");
        Finite(m.CleanAccuracy, $"{at}.clean_accuracy");
        Finite(m.CleanAccuracyAttackSubset, $"{at}.clean_accuracy_attack_subset");
        foreach (var (key, value) in m.RobustAccuracy) Finite(value, $"{at}.robust_accuracy.{key}");
        if (m.PartPixelAccuracy is { } ppa) Finite(ppa, $"{at}.part_pixel_accuracy");
        if (m.PartMiou is { } miou) Finite(miou, $"{at}.part_miou");
        ValidateGeneralRobustness(m, at);
        FiniteStages(m.AttackStages, $"{at}.attack_stages");
        FiniteStages(m.AutoAttackStages, $"{at}.autoattack_stages");
        foreach (var (key, t) in m.AttackTiming ?? [])
        {
            Finite(t.Seconds, $"{at}.attack_timing.{key}.seconds");
            Finite(t.PointsPerSecond, $"{at}.attack_timing.{key}.points_per_second");
            for (int i = 0; i < t.BatchSeconds.Count; i++) Finite(t.BatchSeconds[i], $"{at}.attack_timing.{key}.batch_seconds[{i}]");
        }
        foreach (EpochRecord e in m.History) ValidateEpoch(e, $"{at}.history[epoch {e.Epoch}]");
    }

    private static void ValidateGeneralRobustness(ModelResult m, string at)
    {
        if (m.CorruptionAccuracy is { } ca) Finite(ca, $"{at}.corruption_accuracy");
        foreach (var (key, bySeverity) in m.Corruptions ?? [])
            foreach (var (severity, value) in bySeverity) Finite(value, $"{at}.corruptions.{key}.{severity}");
        foreach (var (key, value) in m.CorruptionErrors ?? []) Finite(value, $"{at}.corruption_errors.{key}");
        if (m.Mce is { } mce) Finite(mce, $"{at}.mce");
        if (m.RelativeMce is { } rmce) Finite(rmce, $"{at}.relative_mce");
        if (m.CueConflictAccuracy is { } cca) Finite(cca, $"{at}.cue_conflict_accuracy");
        if (m.TextureAccuracy is { } ta) Finite(ta, $"{at}.texture_accuracy");
        if (m.ShapeBias is { } sbias) Finite(sbias, $"{at}.shape_bias");
        foreach (var (key, value) in m.BackgroundAccuracy ?? []) Finite(value, $"{at}.background.{key}");
        if (m.BgGap is { } gap) Finite(gap, $"{at}.bg_gap");
    }

    private static void ValidateEpoch(EpochRecord e, string ep)
    {
        Finite(e.TrainLoss, $"{ep}.train_loss");
        Finite(e.TrainAccuracy, $"{ep}.train_accuracy");
        Finite(e.ValAccuracy, $"{ep}.val_accuracy");
        if (e.ValRobustAccuracy is { } vra) Finite(vra, $"{ep}.val_robust_accuracy");
        Finite(e.LearningRate, $"{ep}.learning_rate");
        Finite(e.Seconds, $"{ep}.seconds");
    }

    private static void FiniteStages(Dictionary<string, List<StageResult>>? stages, string name)
    {
        foreach (var (key, list) in stages ?? [])
            foreach (StageResult stage in list)
                Finite(stage.RobustAccuracy, $"{name}.{key}[{stage.Attack}].robust_accuracy");
    }

    private static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"Report value {name} is {value.ToString(Inv)}; every number in a report must be finite.");
    }
}
