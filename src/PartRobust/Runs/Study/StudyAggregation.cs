using MathNet.Numerics.Distributions;
using PartRobust.Evaluation.Statistics;
using PartRobust.Reporting;

namespace PartRobust.Runs.Study;

/// <summary>
/// Turns a study's run folders into its report: per-seed rows, means over seeds with 95% t-intervals, the comparisons
/// across seeds (t-interval over the per-seed differences: the seed-to-seed spread of training is the noise a claim about
/// part labels has to beat), the per-point comparisons within each seed, the data-efficiency curve, the verdict and the figures.
/// </summary>
public static class StudyAggregation
{
    /// <summary>Metric keys of the per-seed rows besides the headline attack.</summary>
    public static readonly string[] Metrics = ["clean", "pgd", "part_miou", "corruptions", "cue_conflict", "shape_bias", "mixed_rand", "bg_gap"];

    /// <summary>Metrics compared between arms across seeds in the main runs (besides the headline).</summary>
    static readonly string[] ComparedMetrics = ["clean", "pgd", "corruptions", "cue_conflict", "mixed_rand"];

    /// <summary>File names of the study's figures.</summary>
    public const string TradeOffFigure = "tradeoff.png", DataEfficiencyFigure = "data_efficiency.png";

    /// <summary>The study report over the finished runs in <paramref name="workPath"/>; writes the figures there.</summary>
    public static StudyReport Build(StudyConfig study, IReadOnlyList<StudyRunner.Planned> plan, string workPath,
        System.Text.Json.JsonElement configJson, RunEnvironment environment)
    {
        var reports = plan.ToDictionary(p => p.Name,
            p => ReportWriter.ReadJson(Path.Combine(workPath, StudyRunner.RunsFolder, p.Name, ReportWriter.JsonFileName)));
        string headline = study.Headline;
        var first = reports[plan[0].Name];
        var perSeed = plan.Where(p => p.Main).SelectMany(p => reports[p.Name].Models.Select(m => SeedRow(p, m, headline))).ToList();
        var arms = study.Regimes.SelectMany(r => study.Arms.Select(a => Summary(r, a, perSeed.Where(x => x.Regime == r && x.Arm == a).ToList()))).ToList();
        var comparisons = AcrossSeeds(study, plan, reports, headline);
        var perSeedComparisons = plan.Where(p => p.Main).SelectMany(p => (reports[p.Name].Comparisons ?? [])
            .Select(c => new StudyComparison { Regime = p.Regime, TrainSize = p.TrainSize, Seed = p.Seed, Comparison = c })).ToList();
        var curve = DataEfficiency(study, plan, reports);
        var figures = WriteFigures(workPath, arms, curve, headline, first.Settings.ChanceAccuracy);
        return new StudyReport
        {
            Config = configJson,
            HeadlineAttack = headline,
            EvalAttacks = reports[plan.First(p => p.Main).Name].Settings.EvalAttacks,
            TestSize = first.Settings.TestSize,
            ChanceAccuracy = first.Settings.ChanceAccuracy,
            Runs = plan.Select(p => new StudyRunRecord
            {
                Name = p.Name, Regime = p.Regime, Seed = p.Seed, TrainSize = p.TrainSize, Main = p.Main, Models = p.Config.Models,
                Seconds = reports[p.Name].Environment.TotalSeconds,
            }).ToList(),
            PerSeed = perSeed,
            Arms = arms,
            Comparisons = comparisons,
            PerSeedComparisons = perSeedComparisons,
            DataEfficiency = curve,
            Verdict = Verdict(study, comparisons.Concat(perSeedComparisons).ToList(), arms, headline),
            Figures = figures,
            Environment = environment,
            ComputeSeconds = plan.Sum(p => reports[p.Name].Environment.TotalSeconds),
        };
    }

    /// <summary>The value of <paramref name="metric"/> for one model of a run (null when not measured).</summary>
    public static double? Metric(ModelResult m, string metric) => metric switch
    {
        "clean" => m.CleanAccuracy,
        "part_miou" => m.PartMiou,
        "corruptions" => m.CorruptionAccuracy,
        "cue_conflict" => m.CueConflictAccuracy,
        "shape_bias" => m.ShapeBias,
        "mixed_rand" => m.BackgroundAccuracy?.GetValueOrDefault("mixed_rand"),
        "bg_gap" => m.BgGap,
        _ => m.RobustAccuracy.TryGetValue(metric, out var r) ? r : null,
    };

    /// <summary>Mean and 95% t-interval over seeds (null interval with fewer than two values).</summary>
    public static (double Mean, double[]? Ci) MeanInterval(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        if (values.Count < 2) return (mean, null);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        double half = StudentT.InvCDF(0, 1, values.Count - 1, 0.975) * sd / Math.Sqrt(values.Count);
        return (mean, [mean - half, mean + half]);
    }

    static StudySeedRow SeedRow(StudyRunner.Planned p, ModelResult m, string headline)
    {
        var metrics = Metrics.Append(headline).Distinct().ToDictionary(k => k, k => Metric(m, k));
        Dictionary<string, double>? byStage = null, gain = null;
        var withMiou = m.History.Where(e => e.ValPartMiou is not null).ToList();
        if (withMiou.Count > 0)
        {
            byStage = new(); gain = new();
            foreach (var stage in withMiou.GroupBy(e => e.Stage))
            {
                var epochs = stage.OrderBy(e => e.Epoch).ToList();
                byStage[stage.Key] = epochs[^1].ValPartMiou!.Value;
                gain[stage.Key] = epochs.Count > 1 ? epochs[^1].ValPartMiou!.Value - epochs[^2].ValPartMiou!.Value : 0;
            }
        }
        return new StudySeedRow
        {
            Regime = p.Regime, Seed = p.Seed, Arm = m.Name, DisplayName = m.DisplayName, Metrics = metrics,
            ValPartMiouByStage = byStage, ValPartMiouLastEpochGain = gain,
        };
    }

    static StudyArmSummary Summary(string regime, string arm, List<StudySeedRow> rows)
    {
        var mean = new Dictionary<string, double>();
        var ci = new Dictionary<string, double[]>();
        foreach (var key in rows.SelectMany(r => r.Metrics.Keys).Distinct())
        {
            var values = rows.Select(r => r.Metrics.GetValueOrDefault(key)).OfType<double>().ToList();
            if (values.Count == 0) continue;
            var (m, interval) = MeanInterval(values);
            mean[key] = m;
            if (interval is not null) ci[key] = interval;
        }
        foreach (var stage in rows.Where(r => r.ValPartMiouByStage is not null).SelectMany(r => r.ValPartMiouByStage!.Keys).Distinct())
            mean[$"val_part_miou_{stage}"] = rows.Select(r => r.ValPartMiouByStage?.GetValueOrDefault(stage)).OfType<double>().Average();
        return new StudyArmSummary
        {
            Regime = regime, Arm = arm, DisplayName = rows.FirstOrDefault()?.DisplayName ?? arm, Seeds = rows.Count, Mean = mean, Ci = ci,
        };
    }

    static List<StudyComparison> AcrossSeeds(StudyConfig study, IReadOnlyList<StudyRunner.Planned> plan,
        IReadOnlyDictionary<string, RunReport> reports, string headline)
    {
        var list = new List<StudyComparison>();
        foreach (var group in plan.GroupBy(p => (p.Regime, p.TrainSize)))
        {
            var runs = group.OrderBy(p => p.Seed).ToList();
            bool main = runs[0].Main;
            var metrics = main ? ComparedMetrics.Prepend(headline).Distinct().OrderBy(m => m == "clean" ? 0 : m == headline ? 1 : 2).ToList() : ["clean", "pgd"];
            // The same pairs as each run's own comparisons (the arms are the same in every seed).
            foreach (var (a, b) in RunComparisons.Pairs(reports[runs[0].Name].Models).Select(p => (p.A.Name, p.B.Name)))
                foreach (var metric in metrics)
                {
                    var va = runs.Select(p => reports[p.Name].Models.First(m => m.Name == a)).Select(m => Metric(m, metric)).ToList();
                    var vb = runs.Select(p => reports[p.Name].Models.First(m => m.Name == b)).Select(m => Metric(m, metric)).ToList();
                    if (va.Any(v => v is null) || vb.Any(v => v is null)) continue;
                    list.Add(new StudyComparison
                    {
                        Regime = group.Key.Regime, TrainSize = group.Key.TrainSize,
                        Comparison = PairedStatistics.AcrossSeeds(a, b, metric, va.Select(v => v!.Value).ToList(), vb.Select(v => v!.Value).ToList()),
                    });
                }
        }
        return list;
    }

    static List<StudyCurvePoint> DataEfficiency(StudyConfig study, IReadOnlyList<StudyRunner.Planned> plan, IReadOnlyDictionary<string, RunReport> reports)
    {
        var points = new List<StudyCurvePoint>();
        foreach (var group in plan.GroupBy(p => (p.Regime, p.TrainSize)))
            foreach (var arm in study.CurveArms)
                foreach (var (metric, key) in new[] { (StudyPlots.CleanMetric, "clean"), (StudyPlots.RobustMetric, "pgd") })
                {
                    var values = group.Select(p => reports[p.Name].Models.FirstOrDefault(m => m.Name == arm)).OfType<ModelResult>()
                        .Select(m => Metric(m, key)).OfType<double>().ToList();
                    if (values.Count == 0) continue;
                    var (mean, ci) = MeanInterval(values);
                    points.Add(new StudyCurvePoint(arm, group.Key.Regime, group.Key.TrainSize, metric, mean, ci?[0] ?? mean, ci?[1] ?? mean));
                }
        return points.OrderBy(p => p.Regime).ThenBy(p => p.Arm).ThenBy(p => p.TrainSize).ToList();
    }

    static List<string> Verdict(StudyConfig study, List<StudyComparison> comparisons, List<StudyArmSummary> arms, string headline)
    {
        string Display(string key) => arms.FirstOrDefault(a => a.Arm == key)?.DisplayName ?? key;
        var sentences = new List<string>();
        foreach (var regime in study.Regimes)
        {
            // Across seeds when the regime has several; with one seed, the per-point comparison within it.
            bool oneSeed = study.SeedsOf(regime).Count() == 1;
            foreach (var c in comparisons.Where(c => c.Regime == regime && c.TrainSize == study.MainTrainSize && (c.Seed is null) != oneSeed
                                                    && c.Comparison.B == c.Comparison.A + ModelArm.NoPartLabelsSuffix
                                                    && (c.Comparison.Metric == headline || c.Comparison.Metric == "clean")))
            {
                var x = c.Comparison;
                string effect = !x.Significant ? "" : x.Difference > 0 ? " Part labels helped." : " Part labels hurt.";
                sentences.Add($"**{regime}**{(oneSeed ? $" (one seed, {c.Seed}: per-point CI, training noise not included)" : "")}, " +
                              $"{(x.Metric == "clean" ? "clean accuracy" : $"robust accuracy ({x.Metric})")}: " +
                              PairedStatistics.Describe(x, Display(x.A), Display(x.B)) + effect);
            }
        }
        return sentences;
    }

    static List<string> WriteFigures(string workPath, List<StudyArmSummary> arms, List<StudyCurvePoint> curve, string headline, double chance)
    {
        var figures = new List<string>();
        var points = arms.Where(a => a.Mean.ContainsKey("clean") && a.Mean.ContainsKey(headline)).Select(a =>
        {
            var (c, cci) = (a.Mean["clean"], a.Ci.GetValueOrDefault("clean"));
            var (r, rci) = (a.Mean[headline], a.Ci.GetValueOrDefault(headline));
            return new StudyPoint(a.DisplayName, a.Regime, c, cci?[0] ?? c, cci?[1] ?? c, r, rci?[0] ?? r, rci?[1] ?? r);
        }).ToList();
        string label = headline == ReportWriter.WorstCaseKey ? "worst case" : headline;
        if (points.Count > 0)
        {
            StudyPlots.TradeOff(points, label, chance, Path.Combine(workPath, TradeOffFigure));
            figures.Add(TradeOffFigure);
        }
        var display = arms.GroupBy(a => a.Arm).ToDictionary(g => g.Key, g => g.First().DisplayName);
        var named = curve.Select(p => p with { Arm = display.GetValueOrDefault(p.Arm, p.Arm) }).ToList();
        if (named.Select(p => p.TrainSize).Distinct().Count() > 1)
        {
            StudyPlots.DataEfficiency(named, "pgd", Path.Combine(workPath, DataEfficiencyFigure));
            figures.Add(DataEfficiencyFigure);
        }
        return figures;
    }
}
