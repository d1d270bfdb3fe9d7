using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PartRobust.Reporting;

/// <summary>
/// Writes a run's <c>report.json</c> and <c>report.md</c> (each via a temp name, then rename) and reads
/// <c>report.json</c> back.
/// </summary>
public static class ReportWriter
{
    /// <summary>File name of the machine-readable report.</summary>
    public const string JsonFileName = "report.json";
    /// <summary>File name of the human-readable report.</summary>
    public const string MarkdownFileName = "report.md";
    /// <summary>Reproduction command shown when none is given.</summary>
    public const string DefaultCommand = "partrobust train --config config.json";

    /// <summary>Serializer options for <c>report.json</c>: indented, property names from the JsonPropertyName attributes.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };

    /// <summary>
    /// Attack keys from weakest to strongest; used only to break ties between attacks that leave the same mean
    /// robust accuracy (see <see cref="StrongestAttack"/>).
    /// </summary>
    private static readonly string[] KnownStrength = ["fgsm", "pgd", "apgd-ce", "apgd", "apgd-t", "apgd-dlr", "fab", "square", "autoattack", "aa"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes <c>report.json</c> and <c>report.md</c> into <paramref name="runDir"/> with the default reproduction command.</summary>
    /// <param name="runDir">Run folder (created if missing).</param>
    /// <param name="report">The report; every number must be finite.</param>
    /// <param name="figureFiles">PNG files to embed, absolute or relative to <paramref name="runDir"/>.</param>
    /// <exception cref="ArgumentException">A number in <paramref name="report"/> is NaN or infinite.</exception>
    public static void Write(string runDir, RunReport report, IReadOnlyList<string> figureFiles) =>
        Write(runDir, report, figureFiles, DefaultCommand);

    /// <summary>Writes <c>report.json</c> and <c>report.md</c> into <paramref name="runDir"/>.</summary>
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
        Validate(report);
        Directory.CreateDirectory(runDir);
        string json = ToJson(report);
        string md = ToMarkdown(runDir, report, figureFiles, command);
        AtomicFile.WriteAllText(Path.Combine(runDir, JsonFileName), json);
        AtomicFile.WriteAllText(Path.Combine(runDir, MarkdownFileName), md);
    }

    /// <summary>Serializes <paramref name="report"/> as indented JSON after checking that every number is finite.</summary>
    /// <param name="report">The report.</param>
    public static string ToJson(RunReport report)
    {
        Validate(report);
        return JsonSerializer.Serialize(report, JsonOptions) + "\n";
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
            report = JsonSerializer.Deserialize<RunReport>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid run report: {e.Message}", e);
        }
        return report ?? throw new InvalidDataException($"{path} holds null, not a run report.");
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
        foreach (ModelResult m in report.Models)
        {
            string at = $"models[{m.Name}]";
            Finite(m.TrainSeconds, $"{at}.train_seconds");
            Finite(m.AdvTrainImagesPerSecond, $"{at}.adv_train_images_per_second");
            Finite(m.CleanAccuracy, $"{at}.clean_accuracy");
            Finite(m.CleanAccuracyAttackSubset, $"{at}.clean_accuracy_attack_subset");
            foreach (var (key, value) in m.RobustAccuracy) Finite(value, $"{at}.robust_accuracy.{key}");
            if (m.PartPixelAccuracy is { } ppa) Finite(ppa, $"{at}.part_pixel_accuracy");
            if (m.PartMiou is { } miou) Finite(miou, $"{at}.part_miou");
            foreach (EpochRecord e in m.History)
            {
                string ep = $"{at}.history[epoch {e.Epoch}]";
                Finite(e.TrainLoss, $"{ep}.train_loss");
                Finite(e.TrainAccuracy, $"{ep}.train_accuracy");
                Finite(e.ValAccuracy, $"{ep}.val_accuracy");
                if (e.ValRobustAccuracy is { } vra) Finite(vra, $"{ep}.val_robust_accuracy");
                Finite(e.LearningRate, $"{ep}.learning_rate");
                Finite(e.Seconds, $"{ep}.seconds");
            }
        }
    }

    private static void Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"Report value {name} is {value.ToString(Inv)}; every number in a report must be finite.");
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
            .ThenByDescending(k => Array.IndexOf(KnownStrength, k.ToLowerInvariant()))
            .ThenBy(k => k, StringComparer.Ordinal)
            .First();
    }

    /// <summary>
    /// The honest "winner" sentence: the model with the highest robust accuracy under <see cref="StrongestAttack"/>;
    /// every model within the noise threshold 1/√n of the best (n = attacked points, about two standard errors of an
    /// accuracy near 50%) is reported as tied with it rather than beaten.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string WinnerSentence(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var models = report.Models;
        if (models.Count == 0) return "No models were evaluated.";
        string? attack = StrongestAttack(models);
        if (attack is null) return "No attack was evaluated on every model, so no robustness winner is declared.";

        var ranked = models.OrderByDescending(m => m.RobustAccuracy[attack]).ToList();
        ModelResult best = ranked[0];
        double bestAcc = best.RobustAccuracy[attack];
        int n = report.Settings.AttackPoints;
        double chance = report.Settings.ChanceAccuracy;

        if (models.Count == 1)
            return $"Only one model was evaluated ({best.DisplayName}: {Pct(bestAcc)} robust accuracy under {attack}), so there is no comparison."
                + ChanceNote(bestAcc, chance, n);

        if (n <= 0)
            return $"{best.DisplayName} has the highest robust accuracy under {attack} ({Pct(bestAcc)}), but the number of attacked points "
                + "is not recorded, so whether this beats the noise is unknown.";

        double threshold = 1.0 / Math.Sqrt(n);
        var tied = ranked.Skip(1).Where(m => bestAcc - m.RobustAccuracy[attack] <= threshold + 1e-12).ToList();
        string noise = $"the noise threshold 1/√n = {Pts(threshold)} points (n = {n} attacked points)";
        string sentence;
        if (tied.Count == 0)
        {
            ModelResult second = ranked[1];
            double gap = bestAcc - second.RobustAccuracy[attack];
            sentence = $"Winner: {best.DisplayName}, with the highest robust accuracy under {attack} (the strongest attack run), "
                + $"{Pct(bestAcc)} vs {Pct(second.RobustAccuracy[attack])} for the runner-up {second.DisplayName}; "
                + $"the gap of {Pts(gap)} points exceeds {noise}.";
        }
        else
        {
            var group = new[] { best }.Concat(tied).Select(m => $"{m.DisplayName} ({Pct(m.RobustAccuracy[attack])})");
            double gap = bestAcc - tied[^1].RobustAccuracy[attack];
            sentence = $"No clear winner: under {attack} (the strongest attack run), {JoinAnd(group)} are tied — "
                + $"their robust accuracies differ by at most {Pts(gap)} points, within {noise}.";
        }
        return sentence + ChanceNote(bestAcc, chance, n);
    }

    private static string ChanceNote(double bestAcc, double chance, int n)
    {
        double threshold = n > 0 ? 1.0 / Math.Sqrt(n) : 0;
        return bestAcc <= chance + threshold
            ? $" Note that {Pct(bestAcc)} is not clearly above chance ({Pct(chance)})."
            : "";
    }

    /// <summary>Builds the Markdown text of <c>report.md</c>.</summary>
    /// <param name="runDir">Run folder (figure links are made relative to it).</param>
    /// <param name="report">The report.</param>
    /// <param name="figureFiles">PNG files to embed.</param>
    /// <param name="command">Reproduction command.</param>
    public static string ToMarkdown(string runDir, RunReport report, IReadOnlyList<string> figureFiles, string command)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figureFiles);
        RunSettings s = report.Settings;
        RunEnvironment env = report.Environment;
        var attacks = report.Models.SelectMany(m => m.RobustAccuracy.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(k => Array.IndexOf(KnownStrength, k.ToLowerInvariant())).ThenBy(k => k, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();

        sb.Append(Inv, $"# PartRobust run report — {s.Dataset}\n\n");

        // Summary paragraph.
        string modelList = report.Models.Count == 0 ? "no models" : JoinAnd(report.Models.Select(m => $"{m.DisplayName} (`{m.Name}`)"));
        string attackList = s.EvalAttacks.Count == 0
            ? string.Join(", ", attacks)
            : string.Join("; ", s.EvalAttacks.Select(kv => $"{kv.Key} ({kv.Value})"));
        sb.Append(Inv, $"This run trained and evaluated {report.Models.Count} model{(report.Models.Count == 1 ? "" : "s")} — {modelList} — ");
        sb.Append(Inv, $"on **{s.Dataset}** ({s.ImageSize}×{s.ImageSize} images, {s.NumClasses} classes; {s.TrainSize} train / {s.ValSize} val / {s.TestSize} test images). ");
        sb.Append(Inv, $"Each model was trained for {s.CleanEpochs} clean epoch{(s.CleanEpochs == 1 ? "" : "s")} followed by {s.AdvEpochs} epoch{(s.AdvEpochs == 1 ? "" : "s")} of PGD adversarial training ");
        sb.Append(Inv, $"(L∞, ε = {s.EpsilonText}, {s.TrainAttackSteps} steps; segmentation-loss weight {Num(s.SegWeight)}). ");
        sb.Append(Inv, $"Clean accuracy is measured on the {s.TestSize} test images and robust accuracy on the first {s.AttackPoints} of them under {(attackList.Length == 0 ? "no attacks" : attackList)}. ");
        sb.Append(Inv, $"The run took {Duration(env.TotalSeconds)} on {env.Cores} logical cores ({env.Device}, {env.TorchThreads} torch threads, {env.Os}), started {env.StartedUtc}, PartRobust {env.Version}.\n\n");

        // Settings.
        sb.Append("## Settings\n\n| setting | value |\n|---|---|\n");
        Row(sb, "dataset", s.Dataset);
        Row(sb, "image size", $"{s.ImageSize}×{s.ImageSize}");
        Row(sb, "classes", s.NumClasses.ToString(Inv));
        Row(sb, "chance accuracy", Pct(s.ChanceAccuracy));
        Row(sb, "train / val / test", $"{s.TrainSize} / {s.ValSize} / {s.TestSize}");
        Row(sb, "attacked test points", s.AttackPoints.ToString(Inv));
        Row(sb, "ε (L∞)", $"{s.EpsilonText} ({Num(s.Epsilon)})");
        Row(sb, "training attack", $"PGD, {s.TrainAttackSteps} steps");
        foreach (var (key, value) in s.EvalAttacks) Row(sb, $"eval attack `{key}`", value);
        Row(sb, "epochs (clean + adversarial)", $"{s.CleanEpochs} + {s.AdvEpochs}");
        Row(sb, "segmentation-loss weight", Num(s.SegWeight));
        foreach (var (key, value) in s.Seeds) Row(sb, $"seed `{key}`", value.ToString(Inv));
        sb.Append('\n');

        // Results.
        sb.Append("## Results\n\n");
        sb.Append("| model | params | train time | clean acc | clean acc (attacked subset) |");
        foreach (string a in attacks) sb.Append(Inv, $" robust acc ({Cell(a)}) |");
        sb.Append(" part pixel acc | part mIoU |\n|---|---:|---:|---:|---:|");
        foreach (string _ in attacks) sb.Append("---:|");
        sb.Append("---:|---:|\n");
        foreach (ModelResult m in report.Models)
        {
            sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {m.Parameters.ToString("N0", Inv)} | {Duration(m.TrainSeconds)} | {Pct(m.CleanAccuracy)} | {Pct(m.CleanAccuracyAttackSubset)} |");
            foreach (string a in attacks)
                sb.Append(' ').Append(m.RobustAccuracy.TryGetValue(a, out double r) ? Pct(r) : "—").Append(" |");
            sb.Append(' ').Append(m.PartPixelAccuracy is { } ppa ? Pct(ppa) : "—").Append(" |");
            sb.Append(' ').Append(m.PartMiou is { } miou ? Pct(miou) : "—").Append(" |\n");
        }
        sb.Append('\n');
        sb.Append(Inv, $"Chance level (guessing uniformly among {s.NumClasses} classes) is {Pct(s.ChanceAccuracy)}. ");
        if (s.AttackPoints > 0)
            sb.Append(Inv, $"Robust accuracies come from {s.AttackPoints} attacked points, so differences of up to 1/√{s.AttackPoints} = {Pts(1.0 / Math.Sqrt(s.AttackPoints))} points are treated as within the noise (a tie). ");
        sb.Append("Part metrics are shown for part models only (— otherwise).\n\n");
        sb.Append(WinnerSentence(report)).Append("\n\n");

        // Figures.
        if (figureFiles.Count > 0)
        {
            sb.Append("## Figures\n\n");
            string root = Path.GetFullPath(runDir);
            foreach (string f in figureFiles)
            {
                string full = Path.IsPathRooted(f) ? f : Path.Combine(root, f);
                string rel = Path.GetRelativePath(root, full).Replace('\\', '/');
                string caption = Path.GetFileNameWithoutExtension(f).Replace('_', ' ').Replace('-', ' ');
                sb.Append(Inv, $"![{caption}]({Uri.EscapeDataString(rel).Replace("%2F", "/", StringComparison.Ordinal)})\n\n");
            }
        }

        // Reproduction.
        sb.Append("## Reproduction\n\n");
        sb.Append("The resolved configuration of this run is saved as `config.json` in the run folder. To reproduce the run:\n\n");
        sb.Append("```sh\n").Append(command).Append("\n```\n\n");
        sb.Append(Inv, $"Seeds are recorded above; on CPU, results are deterministic for the same thread count ({env.TorchThreads} torch threads here).\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string key, string value) => sb.Append(Inv, $"| {Cell(key)} | {Cell(value)} |\n");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    private static string Pct(double fraction) => (fraction * 100).ToString("0.0", Inv) + "%";

    private static string Pts(double fraction) => (fraction * 100).ToString("0.0", Inv);

    private static string Num(double v) => v.ToString("G6", Inv);

    private static string Duration(double seconds)
    {
        if (seconds < 60) return seconds.ToString("0.0", Inv) + " s";
        if (seconds < 3600) return (seconds / 60).ToString("0.0", Inv) + " min";
        return (seconds / 3600).ToString("0.00", Inv) + " h";
    }

    private static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            2 => $"{list[0]} and {list[1]}",
            _ => string.Join(", ", list.Take(list.Count - 1)) + ", and " + list[^1],
        };
    }
}
