using System.Globalization;
using System.Text;
using System.Text.Json;
using PartRobust.Training;

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
    /// Key of the per-point worst case over every attack run on a model (a point counts as robust only if no attack
    /// broke it) in <see cref="ModelResult.RobustAccuracy"/>.
    /// </summary>
    public const string WorstCaseKey = "worst_case";

    /// <summary>
    /// Attack keys from weakest to strongest; used only to break ties between attacks that leave the same mean
    /// robust accuracy (see <see cref="StrongestAttack"/>). The worst case over all attacks is by construction the
    /// strongest; AutoAttack-rand (built for randomised defences) is ranked below the standard version on the
    /// deterministic models here, and AutoAttack-plus (more attacks and restarts) above it.
    /// </summary>
    private static readonly string[] KnownStrength =
    [
        "fgsm", "pgd-10", "pgd", "apgd-ce", "apgd", "apgd-dlr", "apgd-t", "fab", "fab-t", "square",
        "seg-sum", "seg-guided", "seg-inverse", "autoattack-rand", "autoattack-c<3", "autoattack-c<4", "autoattack", "aa", "autoattack-plus",
        WorstCaseKey,
    ];

    /// <summary>Column order of single attacks in the results table (weak to strong, as in <see cref="KnownStrength"/>).</summary>
    private static readonly string[] SingleAttackColumns = ["fgsm", "pgd-10", "pgd", "apgd-ce", "apgd", "apgd-dlr", "apgd-t", "fab", "fab-t", "square"];

    /// <summary>Column order of the AutoAttack versions.</summary>
    private static readonly string[] AutoAttackColumns = ["autoattack", "aa", "autoattack-c<4", "autoattack-c<3", "autoattack-plus", "autoattack-rand"];

    /// <summary>Column order of the adaptive segmentation attacks on part models.</summary>
    private static readonly string[] SegAttackColumns = ["seg-sum", "seg-guided", "seg-inverse"];

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
            FiniteStages(m.AttackStages, $"{at}.attack_stages");
            FiniteStages(m.AutoAttackStages, $"{at}.autoattack_stages");
            foreach (var (key, t) in m.AttackTiming ?? [])
            {
                Finite(t.Seconds, $"{at}.attack_timing.{key}.seconds");
                Finite(t.PointsPerSecond, $"{at}.attack_timing.{key}.points_per_second");
                for (int i = 0; i < t.BatchSeconds.Count; i++) Finite(t.BatchSeconds[i], $"{at}.attack_timing.{key}.batch_seconds[{i}]");
            }
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
    /// The attack the headline and the winner are decided under: <see cref="RunSettings.HeadlineAttack"/> when it is
    /// set and every model has a result for it, otherwise <see cref="StrongestAttack"/>. Null if there is none.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string? HeadlineAttack(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return ChooseHeadline(report).Attack;
    }

    /// <summary>The headline attack and, when the configured one could not be used, a sentence saying so (else "").</summary>
    private static (string? Attack, string Note) ChooseHeadline(RunReport report)
    {
        string? configured = report.Settings.HeadlineAttack;
        if (string.IsNullOrEmpty(configured) || report.Models.Count == 0) return (StrongestAttack(report.Models), "");
        var missing = report.Models.Where(m => !m.RobustAccuracy.ContainsKey(configured)).ToList();
        if (missing.Count == 0) return (configured, "");
        string? fallback = StrongestAttack(report.Models);
        string note = $" The headline attack {configured} set for this run has no result for {JoinAnd(missing.Select(m => m.DisplayName))}, so "
            + (fallback is null
                ? "no attack is left to compare every model under."
                : $"the models are compared under {fallback}, the strongest attack every model has, instead.");
        return (fallback, note);
    }

    /// <summary>
    /// Orders robust-accuracy keys as the columns of the results table: single attacks from weak to strong
    /// (<c>pgd-10</c>, <c>pgd</c>, <c>apgd-ce</c>, …, <c>square</c>), then other attacks and legacy sequences such as
    /// <c>apgd-ce+square</c>, then the AutoAttack versions (<c>autoattack</c>, <c>autoattack-plus</c>,
    /// <c>autoattack-rand</c>), then the adaptive <c>seg-*</c> attacks, and <see cref="WorstCaseKey"/> last.
    /// </summary>
    /// <param name="keys">Attack keys; duplicates are dropped.</param>
    public static IReadOnlyList<string> OrderAttacks(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Distinct(StringComparer.Ordinal)
            .Select(k => (Key: k, Rank: ColumnRank(k)))
            .OrderBy(x => x.Rank.Group).ThenBy(x => x.Rank.Index).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => x.Key).ToList();
    }

    private static (int Group, int Index) ColumnRank(string key)
    {
        string k = key.ToLowerInvariant();
        int i;
        if ((i = Array.IndexOf(SingleAttackColumns, k)) >= 0) return (0, i);
        if (k == WorstCaseKey) return (4, 0);
        if ((i = Array.IndexOf(AutoAttackColumns, k)) >= 0) return (2, i);
        if (IsAutoAttackKey(k)) return (2, AutoAttackColumns.Length);
        if ((i = Array.IndexOf(SegAttackColumns, k)) >= 0) return (3, i);
        if (k.StartsWith("seg-", StringComparison.Ordinal)) return (3, SegAttackColumns.Length);
        return (1, 0);
    }

    private static bool IsAutoAttackKey(string key) =>
        key.Equals("aa", StringComparison.OrdinalIgnoreCase) || key.StartsWith("autoattack", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The number of points <paramref name="attack"/> was evaluated on for <paramref name="model"/>: the points of its
    /// <see cref="ModelResult.AttackTiming"/> entry; for <see cref="WorstCaseKey"/> without one, the fewest points of the
    /// model's other timed attacks; otherwise <see cref="RunSettings.AttackPoints"/>.
    /// </summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="model">The model.</param>
    /// <param name="attack">A key of <see cref="ModelResult.RobustAccuracy"/>.</param>
    public static int AttackPoints(RunSettings settings, ModelResult model, string attack)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(attack);
        if (model.AttackTiming is { } timing)
        {
            if (timing.TryGetValue(attack, out AttackTiming? t) && t.Points > 0) return t.Points;
            if (attack == WorstCaseKey)
            {
                var others = model.RobustAccuracy.Keys
                    .Where(k => k != WorstCaseKey && timing.TryGetValue(k, out AttackTiming? o) && o.Points > 0)
                    .Select(k => timing[k].Points).ToList();
                if (others.Count > 0) return others.Min();
            }
        }
        return settings.AttackPoints;
    }

    /// <summary>The points every model was evaluated on under <paramref name="attack"/> at least (the fewest).</summary>
    private static int CommonPoints(RunReport report, string attack) =>
        report.Models.Where(m => m.RobustAccuracy.ContainsKey(attack))
            .Select(m => AttackPoints(report.Settings, m, attack))
            .DefaultIfEmpty(report.Settings.AttackPoints).Min();

    /// <summary>
    /// The noise threshold 1/√n for an accuracy measured on <paramref name="n"/> points: about two standard errors of
    /// an accuracy near 50% (the largest), used both as the tie threshold and as the ± sampling error shown.
    /// </summary>
    private static double NoiseThreshold(int n) => n > 0 ? 1.0 / Math.Sqrt(n) : 0;

    /// <summary>
    /// The honest "winner" sentence: the model with the highest robust accuracy under <see cref="HeadlineAttack"/>
    /// (<see cref="RunSettings.HeadlineAttack"/> when set, else <see cref="StrongestAttack"/>); every model within the
    /// noise threshold 1/√n of the best (n = points that attack was evaluated on, about two standard errors of an
    /// accuracy near 50%) is reported as tied with it rather than beaten.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string WinnerSentence(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var models = report.Models;
        if (models.Count == 0) return "No models were evaluated.";
        var (attack, headlineNote) = ChooseHeadline(report);
        if (attack is null) return "No attack was evaluated on every model, so no robustness winner is declared." + headlineNote;

        string label = AttackLabel(report, attack);
        string scope = attack == WorstCaseKey ? WorstCaseScope(models) : "";
        string notes = (scope.Length == 0 ? "" : " " + scope) + headlineNote;
        var ranked = models.OrderByDescending(m => m.RobustAccuracy[attack]).ToList();
        ModelResult best = ranked[0];
        double bestAcc = best.RobustAccuracy[attack];
        int n = CommonPoints(report, attack);
        double chance = report.Settings.ChanceAccuracy;

        if (models.Count == 1)
            return $"Only one model was evaluated ({best.DisplayName}: {Pct(bestAcc)} robust accuracy under {label}), so there is no comparison."
                + ChanceNote(bestAcc, chance, n) + notes;

        if (n <= 0)
            return $"{best.DisplayName} has the highest robust accuracy under {label} ({Pct(bestAcc)}), but the number of attacked points "
                + "is not recorded, so whether this beats the noise is unknown." + notes;

        double threshold = NoiseThreshold(n);
        var tied = ranked.Skip(1).Where(m => bestAcc - m.RobustAccuracy[attack] <= threshold + 1e-12).ToList();
        string noise = $"the noise threshold 1/√n = {Pts(threshold)} points (n = {n} attacked points)";
        string sentence;
        if (tied.Count == 0)
        {
            ModelResult second = ranked[1];
            double gap = bestAcc - second.RobustAccuracy[attack];
            sentence = $"Winner: {best.DisplayName}, with the highest robust accuracy under {label}, "
                + $"{Pct(bestAcc)} vs {Pct(second.RobustAccuracy[attack])} for the runner-up {second.DisplayName}; "
                + $"the gap of {Pts(gap)} points exceeds {noise}.";
        }
        else
        {
            var group = new[] { best }.Concat(tied).Select(m => $"{m.DisplayName} ({Pct(m.RobustAccuracy[attack])})");
            double gap = bestAcc - tied[^1].RobustAccuracy[attack];
            sentence = $"No clear winner: under {label}, {JoinAnd(group)} are tied — "
                + $"their robust accuracies differ by at most {Pts(gap)} points, within {noise}.";
        }
        return sentence + ChanceNote(bestAcc, chance, n) + notes;
    }

    /// <summary>The attack name with what it is: the worst case, the run's headline attack, or the strongest attack run.</summary>
    private static string AttackLabel(RunReport report, string attack)
    {
        if (attack == WorstCaseKey)
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
        var sets = models.Where(m => m.RobustAccuracy.ContainsKey(WorstCaseKey))
            .Select(m => (Model: m, Keys: OrderAttacks(m.RobustAccuracy.Keys.Where(k => k != WorstCaseKey))))
            .ToList();
        if (sets.Count == 0) return "";
        if (sets.Count == 1)
            return $"The worst case covers {AttackList(sets[0].Keys)}" + (models.Count > 1 ? $" for {sets[0].Model.DisplayName}" : "") + ".";
        var common = OrderAttacks(sets.Select(x => (IEnumerable<string>)x.Keys).Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal)));
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

    private static string AttackList(IReadOnlyList<string> keys) =>
        keys.Count > 0 && keys.All(k => k.StartsWith("seg-", StringComparison.OrdinalIgnoreCase))
            ? $"the adaptive attack{(keys.Count == 1 ? "" : "s")} {JoinAnd(keys)}"
            : JoinAnd(keys);

    private static string ChanceNote(double bestAcc, double chance, int n)
    {
        double threshold = NoiseThreshold(n);
        return bestAcc <= chance + threshold
            ? $" Note that {Pct(bestAcc)} is not clearly above chance ({Pct(chance)})."
            : "";
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
                .Select(m => (Model: m, N: AttackPoints(s, m, a))).ToList();
            if (perModel.Select(x => x.N).Distinct().Count() == 1)
                entries.Add((a, perModel[0].N));
            else
                entries.AddRange(perModel.Select(x => ($"{a} for {x.Model.DisplayName}", x.N)));
        }
        var groups = entries.Where(e => e.N > 0 && e.N < s.TestSize)
            .GroupBy(e => e.N).OrderByDescending(g => g.Key)
            .Select(g => $"{JoinAnd(g.Select(e => e.Label))} on n = {g.Key} points (±{Pts(NoiseThreshold(g.Key))} points)")
            .ToList();
        if (groups.Count == 0) return "";
        return $"Robust accuracy is measured on fewer points than the {s.TestSize} test images, so each number carries a sampling error "
            + $"of up to about ±1/√n (two standard errors at 50% accuracy): {string.Join("; ", groups)}. ";
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
        var attacks = OrderAttacks(report.Models.SelectMany(m => m.RobustAccuracy.Keys));
        var sb = new StringBuilder();

        sb.Append(Inv, $"# PartRobust run report — {s.Dataset}\n\n");

        // Summary paragraph.
        string modelList = report.Models.Count == 0 ? "no models" : JoinAnd(report.Models.Select(m => $"{m.DisplayName} (`{m.Name}`)"));
        string attackList = s.EvalAttacks.Count == 0
            ? string.Join(", ", attacks)
            : string.Join("; ", s.EvalAttacks.Select(kv => $"{kv.Key} ({kv.Value})"));
        // Runs of `eval`/`attack` load checkpoints: nothing was trained in them (train time 0 for every model).
        bool trainedHere = report.Models.Count == 0 || report.Models.Any(m => m.TrainSeconds > 0);
        string plural = report.Models.Count == 1 ? "" : "s";
        if (trainedHere) sb.Append(Inv, $"This run trained and evaluated {report.Models.Count} model{plural} — {modelList} — ");
        else sb.Append(Inv, $"This run evaluated {report.Models.Count} saved checkpoint{plural} — {modelList} — ");
        sb.Append(Inv, $"on **{s.Dataset}** ({s.ImageSize}×{s.ImageSize} images, {s.NumClasses} classes; {s.TrainSize} train / {s.ValSize} val / {s.TestSize} test images). ");
        sb.Append(Inv, $"{(trainedHere ? "Each model was" : "The checkpoint" + (report.Models.Count == 1 ? " was" : "s were"))} trained for {s.CleanEpochs} clean epoch{(s.CleanEpochs == 1 ? "" : "s")} followed by {s.AdvEpochs} epoch{(s.AdvEpochs == 1 ? "" : "s")} of {AdvRecipe(s)} adversarial training ");
        string trainAttack = s.AdvTrain == "trades"
            ? $"the KL-maximising attack, {s.TrainAttackSteps} step{(s.TrainAttackSteps == 1 ? "" : "s")} of 1.25ε/steps from a random start"
            : s.TrainAttackSteps == 1 ? "1 step of 1.25ε from a random start, i.e. FGSM-RS" : $"{s.TrainAttackSteps} steps";
        sb.Append(Inv, $"(L∞, ε = {s.EpsilonText}, {trainAttack}; segmentation-loss weight {Num(s.SegWeight)}). ");
        if (s.AttackPoints == 0 || attacks.Count == 0) sb.Append(Inv, $"Clean accuracy is measured on the {s.TestSize} test images; no attack was run. ");
        else sb.Append(Inv, $"Clean accuracy is measured on the {s.TestSize} test images and robust accuracy on the first {s.AttackPoints} of them under {(attackList.Length == 0 ? "no attacks" : attackList)}. ");
        if (s.GeneralRobustness is { } gr)
            sb.Append(Inv, $"The general-robustness suite ({string.Join(", ", gr.Suites)}) ran on the first {gr.Images} test images (see [General robustness](#general-robustness)). ");
        sb.Append(Inv, $"The run took {Duration(env.TotalSeconds)} on {env.Cores} logical cores ({env.Device}, {env.TorchThreads} torch threads, {env.Os}), started {env.StartedUtc}, PartRobust {env.Version}.\n\n");

        // Settings.
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
        Row(sb, "training attack", s.AdvTrain == "trades"
            ? $"{AdvRecipe(s)}: KL attack, {s.TrainAttackSteps} step{(s.TrainAttackSteps == 1 ? "" : "s")}"
            : s.TrainAttackSteps == 1 ? "PGD, 1 step from a random start (FGSM-RS)" : $"PGD, {s.TrainAttackSteps} steps");
        foreach (var (key, value) in s.EvalAttacks) Row(sb, $"eval attack `{key}`", value);
        if (!string.IsNullOrEmpty(s.HeadlineAttack)) Row(sb, "headline attack", $"`{s.HeadlineAttack}`");
        Row(sb, "epochs (clean + adversarial)", $"{s.CleanEpochs} + {s.AdvEpochs}");
        Row(sb, "segmentation-loss weight", Num(s.SegWeight));
        foreach (var (key, value) in s.Seeds) Row(sb, $"seed `{key}`", value.ToString(Inv));
        sb.Append('\n');

        // Results.
        sb.Append("## Results\n\n");
        sb.Append("| model | params | train time | clean acc | clean acc (attacked subset) |");
        // Attacks run on fewer points than the rest (AutoAttack's subset) say so in their header: n is what they mean.
        foreach (string a in attacks)
        {
            int n = CommonPoints(report, a);
            string header = n < s.AttackPoints ? $"robust acc ({Cell(a)}, n = {n.ToString(Inv)})" : $"robust acc ({Cell(a)})";
            sb.Append(' ').Append(Bold(a, header)).Append(" |");
        }
        sb.Append(" part pixel acc | part mIoU |\n|---|---:|---:|---:|---:|");
        foreach (string _ in attacks) sb.Append("---:|");
        sb.Append("---:|---:|\n");
        foreach (ModelResult m in report.Models)
        {
            sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {m.Parameters.ToString("N0", Inv)} | {(m.TrainSeconds > 0 ? Duration(m.TrainSeconds) : "—")} | {Pct(m.CleanAccuracy)} | {Pct(m.CleanAccuracyAttackSubset)} |");
            foreach (string a in attacks)
                sb.Append(' ').Append(m.RobustAccuracy.TryGetValue(a, out double r) ? Bold(a, Pct(r)) : "—").Append(" |");
            sb.Append(' ').Append(m.PartPixelAccuracy is { } ppa ? Pct(ppa) : "—").Append(" |");
            sb.Append(' ').Append(m.PartMiou is { } miou ? Pct(miou) : "—").Append(" |\n");
        }
        sb.Append('\n');
        sb.Append(Inv, $"Chance level (guessing uniformly among {s.NumClasses} classes) is {Pct(s.ChanceAccuracy)}. ");
        if (attacks.Contains(WorstCaseKey))
            sb.Append("The bold worst_case column is the per-point worst case over every attack run on the model: a point counts as robust only if no attack broke it. ");
        sb.Append(SamplingNote(report, attacks));
        string? headline = HeadlineAttack(report);
        int tieN = headline is null ? s.AttackPoints : CommonPoints(report, headline);
        if (tieN > 0)
            sb.Append(Inv, $"{(headline is null ? "Robust accuracies come from" : $"Models are ranked by robust accuracy under {headline}, measured on")} {tieN} attacked points, so differences of up to 1/√{tieN} = {Pts(NoiseThreshold(tieN))} points are treated as within the noise (a tie). ");
        if (attacks.Any(a => a != WorstCaseKey && !IsAutoAttackKey(a) && a.Contains('+', StringComparison.Ordinal)))
            sb.Append("Keys with '+' are attack sequences: each attack runs only on the points the earlier ones left robust. ");
        sb.Append("Part metrics are shown for part models only (— otherwise).");
        sb.Append(NotApplicableNote(report)).Append("\n\n");
        sb.Append(WinnerSentence(report)).Append("\n\n");
        if (!string.IsNullOrEmpty(report.Verdict)) sb.Append("**Part labels.** ").Append(report.Verdict).Append("\n\n");
        var warned = report.Models.Where(m => (m.MaskingChecks ?? []).Any(IsWarning)).ToList();
        if (warned.Count > 0)
            sb.Append(Inv, $"⚠ The gradient-masking checks warned for {JoinAnd(warned.Select(m => m.DisplayName))} (see [Gradient-masking checks](#gradient-masking-checks)), so {(warned.Count == 1 ? "its" : "their")} robust accuracies may overstate the true robustness.\n\n");

        ComparisonsSection.Append(sb, report);

        // AutoAttack stages, then the stages of other attack sequences.
        var aaStages = report.Models.Select(m => (Model: m, Tables: AutoAttackStageTables(m))).Where(x => x.Tables.Count > 0).ToList();
        if (aaStages.Count > 0)
        {
            sb.Append("## AutoAttack stages\n\n");
            sb.Append("Robust accuracy after each stage of AutoAttack. Each stage runs only on the points still robust after the stages before it, "
                + "so \"points broken\" counts the points that stage broke and no earlier stage did; the accuracy after the last stage is the "
                + "AutoAttack robust accuracy in the results table.\n\n");
            foreach (var (m, tables) in aaStages)
                foreach (var (key, stages) in tables) AppendStageTable(sb, s, m, key, stages);
        }
        var seqStages = report.Models.Select(m => (Model: m, Tables: OtherStageTables(m))).Where(x => x.Tables.Count > 0).ToList();
        if (seqStages.Count > 0)
        {
            sb.Append("## Attack-sequence stages\n\n");
            sb.Append("Robust accuracy after each attack of a sequence. Each attack runs only on the points still robust after the ones before it, "
                + "so \"points broken\" counts the points that attack broke and no earlier one did.\n\n");
            foreach (var (m, tables) in seqStages)
                foreach (var (key, stages) in tables) AppendStageTable(sb, s, m, key, stages);
        }

        // Gradient-masking checks.
        var checkedModels = report.Models.Where(m => m.MaskingChecks is { Count: > 0 }).ToList();
        if (checkedModels.Count > 0)
        {
            sb.Append("## Gradient-masking checks\n\n");
            sb.Append("Sanity checks that the attacks are not fooled by gradient masking (hidden, random or zero gradients). "
                + "✓ marks a check that passed; ⚠ marks a warning: the model's robust accuracies may overstate its robustness, "
                + "for the reason given with the warning.\n\n");
            foreach (ModelResult m in checkedModels)
            {
                var checks = m.MaskingChecks!;
                int passed = checks.Count(c => string.Equals(c.Status, "pass", StringComparison.OrdinalIgnoreCase));
                sb.Append(Inv, $"### {Cell(m.DisplayName)} (`{Cell(m.Name)}`)\n\n{passed} of {checks.Count} checks passed.\n\n");
                sb.Append("| check | result | detail | what the warning means |\n|---|---|---|---|\n");
                foreach (MaskingCheckRecord c in checks)
                {
                    string result = string.Equals(c.Status, "pass", StringComparison.OrdinalIgnoreCase) ? "✓ pass"
                        : IsWarning(c) ? "⚠ warn" : Cell(c.Status);
                    string meaning = string.Equals(c.Status, "pass", StringComparison.OrdinalIgnoreCase) ? "—" : Cell(c.Meaning);
                    sb.Append(Inv, $"| {Cell(c.Name)} | {result} | {Cell(c.Detail)} | {meaning} |\n");
                }
                sb.Append('\n');
            }
            var notChecked = report.Models.Except(checkedModels).ToList();
            if (notChecked.Count > 0)
                sb.Append(Inv, $"The checks were not run on {JoinAnd(notChecked.Select(m => m.DisplayName))}.\n\n");
        }

        GeneralRobustnessSection.Append(sb, report, Path.GetFullPath(runDir));

        // Figures.
        if (figureFiles.Count > 0)
        {
            sb.Append("## Figures\n\n");
            string root = Path.GetFullPath(runDir);
            foreach (string f in figureFiles)
            {
                string caption = Path.GetFileNameWithoutExtension(f).Replace('_', ' ').Replace('-', ' ');
                sb.Append(Inv, $"![{caption}]({Link(root, f)})\n\n");
            }
        }

        // Adversarial examples, one figure per model.
        var drawn = report.Models.Where(m => !string.IsNullOrEmpty(m.AdversarialExamplesFigure)).ToList();
        if (drawn.Count > 0)
        {
            sb.Append("## Adversarial examples\n\n");
            string root = Path.GetFullPath(runDir);
            sb.Append("The first attacked points of each model, from the same run that gave the robust accuracy above (no attack was rerun to draw them): "
                + "the clean image with its true class and the model's prediction, the adversarial image with the prediction on it "
                + "(green if still correct, red if fooled), the perturbation magnified to the full range with its L∞ and L2 norms, "
                + "and for part models the predicted part masks on the clean and on the adversarial image.\n\n");
            foreach (ModelResult m in drawn)
            {
                string attack = string.IsNullOrEmpty(m.AdversarialExamplesAttack) ? "" : $" under {m.AdversarialExamplesAttack}";
                sb.Append(Inv, $"![adversarial examples: {Cell(m.DisplayName)}{Cell(attack)}]({Link(root, m.AdversarialExamplesFigure!)})\n\n");
                if (!string.IsNullOrEmpty(m.AdversarialExamplesTensors))
                    sb.Append(Inv, $"Exact tensors: [`{Cell(m.AdversarialExamplesTensors)}`]({Link(root, m.AdversarialExamplesTensors)}) (safetensors).\n\n");
            }
        }

        // Attack timing.
        var timed = report.Models.Where(m => m.AttackTiming is { Count: > 0 }).ToList();
        if (timed.Count > 0)
        {
            sb.Append("## Attack timing\n\n");
            sb.Append(Inv, $"Wall-clock time of each attack run, on {env.Cores} logical cores ({env.Device}, {env.TorchThreads} torch threads).\n\n");
            sb.Append("| model | attack | points | seconds | points/s | batch size |\n|---|---|---:|---:|---:|---:|\n");
            foreach (ModelResult m in timed)
                foreach (string a in OrderAttacks(m.AttackTiming!.Keys))
                {
                    AttackTiming t = m.AttackTiming[a];
                    sb.Append(Inv, $"| {Cell(m.DisplayName)} (`{Cell(m.Name)}`) | {Cell(a)} | {t.Points} | {t.Seconds.ToString("0.0", Inv)} | {Rate(t.PointsPerSecond)} | {t.BatchSize} |\n");
                }
            sb.Append('\n');
        }

        // Reproduction.
        sb.Append("## Reproduction\n\n");
        sb.Append("The resolved configuration of this run is saved as `config.json` in the run folder. To reproduce the run:\n\n");
        sb.Append("```sh\n").Append(command).Append("\n```\n\n");
        sb.Append(Inv, $"Seeds are recorded above; on CPU, results are deterministic for the same thread count ({env.TorchThreads} torch threads here).\n");
        return sb.ToString();
    }

    /// <summary>A Markdown link target for <paramref name="file"/> (absolute or relative to <paramref name="root"/>), relative to the run folder.</summary>
    private static string Link(string root, string file)
    {
        string full = Path.IsPathRooted(file) ? file : Path.Combine(root, file);
        string rel = Path.GetRelativePath(root, full).Replace('\\', '/');
        return Uri.EscapeDataString(rel).Replace("%2F", "/", StringComparison.Ordinal);
    }

    private static bool IsWarning(MaskingCheckRecord check) => string.Equals(check.Status, "warn", StringComparison.OrdinalIgnoreCase);

    /// <summary>The AutoAttack stage lists of a model: <see cref="ModelResult.AutoAttackStages"/>, plus AutoAttack keys that older reports kept in <see cref="ModelResult.AttackStages"/>.</summary>
    private static List<(string Key, List<StageResult> Stages)> AutoAttackStageTables(ModelResult m)
    {
        var tables = (m.AutoAttackStages ?? []).Select(kv => (kv.Key, kv.Value)).ToList();
        tables.AddRange((m.AttackStages ?? [])
            .Where(kv => IsAutoAttackKey(kv.Key) && !(m.AutoAttackStages?.ContainsKey(kv.Key) ?? false))
            .Select(kv => (kv.Key, kv.Value)));
        var order = OrderAttacks(tables.Select(t => t.Item1));
        return tables.Where(t => t.Item2.Count > 0).OrderBy(t => IndexOf(order, t.Item1)).ToList();
    }

    /// <summary>The stage lists of a model's attack sequences other than AutoAttack.</summary>
    private static List<(string Key, List<StageResult> Stages)> OtherStageTables(ModelResult m)
    {
        var tables = (m.AttackStages ?? []).Where(kv => !IsAutoAttackKey(kv.Key) && kv.Value.Count > 0).Select(kv => (kv.Key, kv.Value)).ToList();
        var order = OrderAttacks(tables.Select(t => t.Item1));
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
        int n = AttackPoints(s, m, key);
        double? previous = m.AttackTiming?.GetValueOrDefault(key)?.CleanAccuracy
                           ?? (n > 0 && n == s.AttackPoints ? m.CleanAccuracyAttackSubset : null);
        sb.Append(Inv, $"### {Cell(m.DisplayName)} (`{Cell(m.Name)}`) — {Cell(key)}\n\n");
        if (n > 0)
        {
            sb.Append(Inv, $"n = {n} attacked points (sampling error ±1/√n = ±{Pts(NoiseThreshold(n))} points).");
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

    /// <summary>Bold text for the worst-case column, plain otherwise.</summary>
    private static string Bold(string attack, string text) => attack == WorstCaseKey ? $"**{text}**" : text;

    private static string Rate(double perSecond) =>
        perSecond.ToString(perSecond >= 10 ? "0.0" : perSecond >= 1 ? "0.00" : "0.000", Inv);

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

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    private static string Pct(double fraction) => (fraction * 100).ToString("0.0", Inv) + "%";

    private static string Pts(double fraction) => (fraction * 100).ToString("0.0", Inv);

    private static string Num(double v) => v.ToString("G6", Inv);

    /// <summary>The adversarial recipe's name: "PGD" or "TRADES (β = 1)".</summary>
    private static string AdvRecipe(RunSettings s) => s.AdvTrain == "trades" ? $"TRADES (β = {Num(s.TradesBeta ?? 1)})" : "PGD";

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
