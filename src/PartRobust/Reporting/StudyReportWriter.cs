using System.Text;
using System.Text.Json;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>Writes a study's <c>report.json</c>, <c>report.md</c> and <c>report.html</c> (temp name, then rename).</summary>
public static class StudyReportWriter
{
    /// <summary>Writes the three files into <paramref name="dir"/>.</summary>
    public static void Write(string dir, StudyReport report, string command)
    {
        string md = ToMarkdown(report, command);
        AtomicFile.WriteAllText(Path.Combine(dir, ReportWriter.JsonFileName), JsonSerializer.Serialize(report, ReportJson.Options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(dir, ReportWriter.MarkdownFileName), md);
        AtomicFile.WriteAllText(Path.Combine(dir, ReportWriter.HtmlFileName), ReportHtml.FromMarkdown(md, dir));
    }

    /// <summary>Reads a study's report.json.</summary>
    public static StudyReport Read(string path) =>
        JsonSerializer.Deserialize<StudyReport>(File.ReadAllText(path), ReportJson.Options) ?? throw new InvalidDataException($"{path} is empty");

    /// <summary>The Markdown report, section by section.</summary>
    public static string ToMarkdown(StudyReport r, string command)
    {
        var sb = new StringBuilder();
        string headline = r.HeadlineAttack == ReportWriter.WorstCaseKey ? "worst case" : r.HeadlineAttack;
        int main = r.Runs.Where(x => x.Main).Select(x => x.TrainSize).DefaultIfEmpty(0).Max();
        AppendIntro(sb, r, headline, main);
        AppendVerdict(sb, r);
        foreach (var regime in r.Arms.Select(a => a.Regime).Distinct()) AppendRegime(sb, r, regime, headline, main);
        AppendComparisons(sb, r);
        AppendDataEfficiency(sb, r);
        AppendFigures(sb, r);
        AppendPerSeed(sb, r);
        AppendRuns(sb, r);
        AppendAttacksAndReproduction(sb, r, command);
        return sb.ToString();
    }

    /// <summary>The title and what the study ran: regimes, seeds, training sizes, test set, headline attack, compute.</summary>
    private static void AppendIntro(StringBuilder sb, StudyReport r, string headline, int main)
    {
        var regimes = r.Arms.Select(a => a.Regime).Distinct().ToList();
        var curveSizes = r.Runs.Where(x => !x.Main).Select(x => x.TrainSize).Distinct().OrderBy(n => n).ToList();
        string SeedsOf(string regime) { int n = r.Runs.Count(x => x.Main && x.Regime == regime); return $"{regime}: {n} seed{(n == 1 ? "" : "s")}"; }
        sb.Append("# PartRobust study: do part labels make a model more robust?\n\n");
        sb.Append(Inv, $"{r.Runs.Count} runs in {regimes.Count} PartShapes regime{(regimes.Count == 1 ? "" : "s")} ({string.Join(", ", regimes.Select(SeedsOf))}): ");
        sb.Append(Inv, $"the main arms at {main} training images");
        sb.Append(curveSizes.Count > 0 ? $" and the data-efficiency arms at {string.Join(", ", curveSizes)} images. " : " (no data-efficiency runs). ");
        sb.Append(Inv, $"Every model is evaluated on the same {r.TestSize} test images (the data seed is fixed; seeds vary initialisation, order and attacks). ");
        sb.Append(Inv, $"Robustness is judged under **{headline}** ({r.EvalAttacks.GetValueOrDefault(r.HeadlineAttack, r.HeadlineAttack)}); chance is {Pct(r.ChanceAccuracy)}. ");
        sb.Append(Inv, $"Compute: {Hours(r.ComputeSeconds)}, the sum of the runs' in-run times (a resumed run counts its last session), on {r.Environment.Cores} cores ({r.Environment.Device}).\n\n");
    }

    private static void AppendVerdict(StringBuilder sb, StudyReport r)
    {
        sb.Append("## Verdict\n\n");
        sb.Append("Across seeds, each difference is the mean of the per-seed differences with a 95% t-interval over seeds "
            + "(n − 1 degrees of freedom): the seed-to-seed spread of training is the noise a claim about part labels has to beat. "
            + "A direction is named only when the interval excludes 0.\n\n");
        foreach (var v in r.Verdict) sb.Append("- ").Append(v).Append('\n');
        if (r.Verdict.Count == 0) sb.Append("- No part architecture had a control arm, so the effect of part labels was not measured.\n");
        sb.Append('\n');
    }

    /// <summary>One regime: each arm's means over seeds with their intervals, then the validation part mIoU per stage.</summary>
    private static void AppendRegime(StringBuilder sb, StudyReport r, string regime, string headline, int main)
    {
        sb.Append(Inv, $"## Regime `{regime}`: means over seeds at {main} training images\n\n");
        sb.Append(Inv, $"Mean over seeds [95% t-interval]. {headline} is the headline; part mIoU on the test set; corruptions = mean accuracy over the common corruptions; cue-conflict = accuracy on the shape label; Mixed-Rand = accuracy on foregrounds pasted on another class's background.\n\n");
        var cols = new[] { ("clean", "clean"), (r.HeadlineAttack, headline), ("pgd", "PGD"), ("part_miou", "part mIoU"), ("corruptions", "corruptions"),
                           ("cue_conflict", "cue-conflict"), ("shape_bias", "shape bias"), ("mixed_rand", "Mixed-Rand"), ("bg_gap", "BG-gap") }
            .DistinctBy(c => c.Item1).ToList();
        var arms = r.Arms.Where(a => a.Regime == regime).ToList();
        cols = cols.Where(c => arms.Any(a => a.Mean.ContainsKey(c.Item1))).ToList();
        sb.Append("| arm | seeds | ").Append(string.Join(" | ", cols.Select(c => c.Item2))).Append(" |\n|---|---:|").Append(string.Concat(cols.Select(_ => "---:|"))).Append('\n');
        foreach (var a in arms)
            sb.Append(Inv, $"| {a.DisplayName} | {a.Seeds} | ").Append(string.Join(" | ", cols.Select(c => ArmCell(a, c.Item1)))).Append(" |\n");
        sb.Append('\n');

        var miou = r.PerSeed.Where(x => x.Regime == regime && x.ValPartMiouByStage is not null).ToList();
        if (miou.Count == 0) return;
        sb.Append("Validation part mIoU at the end of each training stage, and its change over the stage's last epoch (mean over seeds; near 0 = levelled off):\n\n");
        sb.Append("| arm | stage | val part mIoU | last-epoch change |\n|---|---|---:|---:|\n");
        foreach (var g in miou.GroupBy(x => x.DisplayName))
            foreach (var stage in g.SelectMany(x => x.ValPartMiouByStage!.Keys).Distinct())
                sb.Append(Inv, $"| {g.Key} | {stage} | {Pct(g.Average(x => x.ValPartMiouByStage![stage]))} | {ComparisonsSection.Signed(g.Average(x => x.ValPartMiouLastEpochGain![stage]))} |\n");
        sb.Append('\n');
    }

    private static void AppendComparisons(StringBuilder sb, StudyReport r)
    {
        sb.Append("## Comparisons across seeds\n\n");
        sb.Append("A − B in points, mean of the per-seed differences, 95% t-interval over seeds and the paired t-test's p.\n\n");
        sb.Append("| regime | train images | A | B | metric | seeds | A | B | A − B | 95% CI | p |\n|---|---:|---|---|---|---:|---:|---:|---:|---|---:|\n");
        foreach (var c in r.Comparisons.OrderBy(c => c.Regime).ThenByDescending(c => c.TrainSize))
            Row(sb, r, c);
        sb.Append('\n');
    }

    /// <summary>Clean and PGD accuracy per training size (only when the study ran more than one size).</summary>
    private static void AppendDataEfficiency(StringBuilder sb, StudyReport r)
    {
        if (r.DataEfficiency.Select(p => p.TrainSize).Distinct().Count() <= 1) return;
        sb.Append("## Data efficiency\n\n");
        sb.Append("Clean and PGD accuracy against the number of training images (mean over seeds [95% t-interval]): part labels are \"an alternative to more data\" if the part model with labels at n images matches the others at 2n or more.\n\n");
        var sizes = r.DataEfficiency.Select(p => p.TrainSize).Distinct().OrderBy(n => n).ToList();
        sb.Append("| regime | arm | metric | ").Append(string.Join(" | ", sizes)).Append(" |\n|---|---|---|").Append(string.Concat(sizes.Select(_ => "---:|"))).Append('\n');
        foreach (var g in r.DataEfficiency.GroupBy(p => (p.Regime, p.Arm, p.Metric)))
            sb.Append(Inv, $"| {g.Key.Regime} | {DisplayOf(r, g.Key.Arm)} | {(g.Key.Metric == "robust" ? "pgd" : g.Key.Metric)} | ")
              .Append(string.Join(" | ", sizes.Select(n => g.FirstOrDefault(p => p.TrainSize == n) is { } p
                  ? $"{Pct(p.Mean)}" + (p.High > p.Low ? $" [{Pct(p.Low)}, {Pct(p.High)}]" : "") : "—"))).Append(" |\n");
        sb.Append('\n');
    }

    private static void AppendFigures(StringBuilder sb, StudyReport r)
    {
        if (r.Figures.Count == 0) return;
        sb.Append("## Figures\n\n");
        foreach (var f in r.Figures) sb.Append(Inv, $"![{Path.GetFileNameWithoutExtension(f).Replace('_', ' ')}]({f})\n\n");
    }

    /// <summary>Each main run's metrics, then the per-point comparisons within each run.</summary>
    private static void AppendPerSeed(StringBuilder sb, StudyReport r)
    {
        sb.Append("## Per seed\n\n");
        sb.Append(Inv, $"Each main run on its own, and the per-point comparisons within it (paired bootstrap 95% CI over the test points, exact McNemar p).\n\n");
        var keys = new[] { "clean", "pgd", r.HeadlineAttack, "part_miou", "corruptions", "cue_conflict", "mixed_rand" }.Distinct().ToList();
        sb.Append("| regime | seed | arm | ").Append(string.Join(" | ", keys)).Append(" |\n|---|---:|---|").Append(string.Concat(keys.Select(_ => "---:|"))).Append('\n');
        foreach (var x in r.PerSeed)
            sb.Append(Inv, $"| {x.Regime} | {x.Seed} | {x.DisplayName} | ").Append(string.Join(" | ", keys.Select(k => x.Metrics.GetValueOrDefault(k) is { } v ? Pct(v) : "—"))).Append(" |\n");
        sb.Append('\n');
        sb.Append("| regime | seed | A | B | metric | points | A | B | A − B | 95% CI | p |\n|---|---:|---|---|---|---:|---:|---:|---:|---|---:|\n");
        foreach (var c in r.PerSeedComparisons) Row(sb, r, c);
        sb.Append('\n');
    }

    private static void AppendRuns(StringBuilder sb, StudyReport r)
    {
        sb.Append("## Runs\n\n| run | regime | seed | train images | arms | seconds |\n|---|---|---:|---:|---|---:|\n");
        foreach (var x in r.Runs) sb.Append(Inv, $"| `runs/{x.Name}` | {x.Regime} | {x.Seed} | {x.TrainSize} | {string.Join(", ", x.Models)} | {x.Seconds:0} |\n");
        sb.Append("\nEach run folder holds its own report.md, report.json (with per-point outcomes), config.json and checkpoints.\n\n");
    }

    private static void AppendAttacksAndReproduction(StringBuilder sb, StudyReport r, string command)
    {
        sb.Append("## Attacks\n\n");
        foreach (var (k, d) in r.EvalAttacks) sb.Append(Inv, $"- `{k}`: {d}\n");
        sb.Append("\n## Reproduction\n\n```sh\n").Append(command).Append("\n```\n\nThe study's config.json holds every setting; `partrobust study --resume DIR` continues an interrupted study.\n");
    }

    /// <summary>One comparison row: per seed (with the seed) or across seeds (with the training size).</summary>
    static void Row(StringBuilder sb, StudyReport r, StudyComparison sc)
    {
        var c = sc.Comparison;
        string seed = sc.Seed is { } s ? s.ToString(Inv) + " | " : "";
        string size = sc.Seed is null ? sc.TrainSize.ToString(Inv) + " | " : "";
        sb.Append(Inv, $"| {sc.Regime} | {seed}{size}{DisplayOf(r, c.A)} | {DisplayOf(r, c.B)} | {c.Metric} | {c.N} | {Pct(c.AccuracyA)} | {Pct(c.AccuracyB)} | "
            + $"{ComparisonsSection.Signed(c.Difference)} | {ComparisonsSection.Interval(c)} | {ComparisonsSection.PValue(c.PValue)} |\n");
    }

    static string DisplayOf(StudyReport r, string arm) => r.Arms.FirstOrDefault(a => a.Arm == arm)?.DisplayName ?? arm;

    /// <summary>An arm's mean of <paramref name="key"/> with its interval; BG-gap as signed points.</summary>
    static string ArmCell(StudyArmSummary a, string key)
    {
        if (!a.Mean.TryGetValue(key, out var m)) return "—";
        Func<double, string> format = key == "bg_gap" ? ComparisonsSection.Signed : Pct;
        return a.Ci.TryGetValue(key, out var ci) ? $"{format(m)} [{format(ci[0])}, {format(ci[1])}]" : format(m);
    }

    static string Hours(double s) => s < 3600 ? $"{s / 60:0} min" : $"{s / 3600:0.0} h";
}
