using System.Text.Json;
using System.Text.Json.Nodes;
using PartRobust.Reporting;
using Xunit;

namespace PartRobust.Tests.Reporting;

/// <summary>report.md and report.json for the trustworthy evaluation: attack columns, AutoAttack stages, masking checks, timing, headline attack.</summary>
public class TrustworthyReportTests
{
    private static RunReport TwoModels(string? headline = null)
    {
        var report = ReportSamples.Report(200, ReportSamples.PartWithEverything(), ReportSamples.PlainWithoutSeg());
        return report with { Settings = report.Settings with { HeadlineAttack = headline } };
    }

    private static string Markdown(RunReport report) => ReportWriter.ToMarkdown(ReportSamples.TempDir(), report, [], ReportWriter.DefaultCommand);

    /// <summary>The cells of a Markdown table row, trimmed.</summary>
    private static string[] Cells(string row) => row.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();

    /// <summary>The text of a section from its heading line to the next heading of the same or a higher level.</summary>
    private static string Section(string md, string heading)
    {
        int start = md.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"missing heading {heading}");
        string level = heading[..(heading.IndexOf(' ') + 1)];
        int next = md.IndexOf("\n" + level, start + heading.Length, StringComparison.Ordinal);
        int nextHigher = level.Length > 3 ? md.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal) : -1;
        int end = new[] { next, nextHigher, md.Length }.Where(i => i >= 0).Min();
        return md[start..end];
    }

    [Fact]
    public void Intro_says_trained_for_training_runs_and_evaluated_checkpoints_for_eval_runs()
    {
        string trained = Markdown(TwoModels());
        Assert.Contains("This run trained and evaluated 2 models", trained);
        Assert.Contains("Each model was trained for 2 clean epochs", trained);

        var plain = ReportSamples.PlainWithoutSeg() with { TrainSeconds = 0 };
        string evaluated = Markdown(ReportSamples.Report(200, plain));
        Assert.DoesNotContain("trained and evaluated", evaluated);
        Assert.Contains("This run evaluated 1 saved checkpoint —", evaluated);
        Assert.Contains("The checkpoint was trained for 2 clean epochs", evaluated);
    }

    [Fact]
    public void Results_table_has_one_column_per_attack_in_fixed_order_with_dashes_and_bold_worst_case()
    {
        string md = Markdown(TwoModels());
        var lines = md.Split('\n');
        string header = lines.Single(l => l.StartsWith("| model | params |", StringComparison.Ordinal));
        string[] expectedAttacks =
        [
            "pgd-10", "pgd", "apgd-ce", "square", "apgd-ce+square", "autoattack", "autoattack-plus",
            "seg-sum", "seg-guided", "seg-inverse", "worst_case",
        ];
        var expectedHeader = new[] { "model", "params", "train time", "clean acc", "clean acc (attacked subset)" }
            // autoattack-plus ran on 100 of the 200 attacked points, so it and the worst case (over the points every
            // attack ran on) carry their n in the header.
            .Concat(expectedAttacks.Select(a => a switch
            {
                "worst_case" => "**robust acc (worst_case, n = 100)**",
                "autoattack-plus" => "robust acc (autoattack-plus, n = 100)",
                _ => $"robust acc ({a})",
            }))
            .Concat(["part pixel acc", "part mIoU"]).ToArray();
        Assert.Equal(expectedHeader, Cells(header));

        string[] part = Cells(lines.Single(l => l.StartsWith("| part model", StringComparison.Ordinal) && l.Contains("| 123,456 |", StringComparison.Ordinal)));
        Assert.Equal(["62.0%", "60.0%", "55.0%", "58.0%", "53.0%", "50.5%", "49.0%", "52.0%", "47.0%", "51.0%", "**44.0%**", "80.0%", "55.0%"],
            part[5..]);
        string[] plain = Cells(lines.Single(l => l.StartsWith("| plain model", StringComparison.Ordinal) && l.Contains("| 123,456 |", StringComparison.Ordinal)));
        Assert.Equal(["50.0%", "45.0%", "42.0%", "44.0%", "—", "40.0%", "—", "—", "—", "—", "—", "—", "—"], plain[5..]);

        Assert.Equal(expectedAttacks, ReportWriter.OrderAttacks(TwoModels().Models.SelectMany(m => m.RobustAccuracy.Keys)));
    }

    [Fact]
    public void OrderAttacks_puts_unknown_attacks_before_AutoAttack_and_variants_in_their_groups()
    {
        string[] shuffled = ["worst_case", "seg-new", "autoattack-rand", "foo", "seg-sum", "autoattack-plus", "fab-t", "autoattack", "pgd", "pgd-10", "autoattack-c<4"];
        Assert.Equal(
            ["pgd-10", "pgd", "fab-t", "foo", "autoattack", "autoattack-c<4", "autoattack-plus", "autoattack-rand", "seg-sum", "seg-new", "worst_case"],
            ReportWriter.OrderAttacks(shuffled));
    }

    [Fact]
    public void Stage_table_shows_accuracy_after_each_stage_and_points_broken()
    {
        string md = Markdown(TwoModels());
        string section = Section(md, "## AutoAttack stages");
        Assert.Contains("runs only on the points still robust", section);

        // 200 points, clean 80% → 55% → 51% → 51% → 50.5%: 50, 8, 0, 1 points broken.
        string aa = Section(md, "### part model (`part`) — autoattack");
        Assert.Contains("n = 200 attacked points (sampling error ±1/√n = ±7.1 points).", aa);
        Assert.Contains("| stage | robust acc after stage | points broken |", aa);
        Assert.Contains("| clean (no attack) | 80.0% | — |\n| apgd-ce | 55.0% | 50 |\n| apgd-t | 51.0% | 8 |\n| fab-t | 51.0% | 0 |\n| square | 50.5% | 1 |\n", aa);

        // AutoAttack-plus ran on 100 of the 200 points: the clean accuracy on them is unknown, so its first count is not shown.
        string plus = Section(md, "### part model (`part`) — autoattack-plus");
        Assert.Contains("n = 100 attacked points", plus);
        Assert.DoesNotContain("clean (no attack)", plus);
        Assert.Contains("| apgd-ce | 53.0% | — |\n| apgd-dlr | 50.0% | 3 |\n| square | 49.0% | 1 |\n", plus);

        // The legacy sequence goes to its own section, not to the AutoAttack one; the plain model has no stages.
        Assert.DoesNotContain("apgd-ce+square", section);
        Assert.Contains("| clean (no attack) | 80.0% | — |\n| apgd-ce | 55.0% | 50 |\n| square | 53.0% | 4 |\n",
            Section(md, "### part model (`part`) — apgd-ce+square"));
        Assert.DoesNotContain("plain model", section);
        Assert.True(md.IndexOf("## AutoAttack stages", StringComparison.Ordinal) < md.IndexOf("## Attack-sequence stages", StringComparison.Ordinal));
    }

    [Fact]
    public void AutoAttack_stages_kept_in_attack_stages_by_older_reports_are_shown_as_AutoAttack_stages()
    {
        var m = ReportSamples.Model("old", 0.9, 0.6, aa: 0.5) with
        {
            CleanAccuracyAttackSubset = 0.9,
            AttackStages = new Dictionary<string, List<StageResult>> { ["autoattack"] = [ReportSamples.Stage("apgd-ce", 0.6), ReportSamples.Stage("apgd-t", 0.5)] },
        };
        string md = Markdown(ReportSamples.Report(100, m));
        string aa = Section(md, "### old model (`old`) — autoattack");
        Assert.Contains("| clean (no attack) | 90.0% | — |\n| apgd-ce | 60.0% | 30 |\n| apgd-t | 50.0% | 10 |\n", aa);
        Assert.DoesNotContain("## Attack-sequence stages", md);
    }

    [Fact]
    public void Masking_checks_show_pass_and_warn_and_the_meaning_of_warnings_only()
    {
        string md = Markdown(TwoModels());
        string section = Section(md, "## Gradient-masking checks");
        Assert.Contains("### part model (`part`)", section);
        Assert.Contains("1 of 2 checks passed.", section);
        Assert.Contains("| zero-gradients | ✓ pass | 0 of 64 points have a zero gradient | — |", section);
        Assert.Contains("| black-box | ⚠ warn | Square 41% < PGD 47% | A black-box attack beating PGD suggests masked gradients; trust the black-box number. |", section);
        Assert.DoesNotContain("ZERO-GRADIENT MEANING", md);
        Assert.Contains("The checks were not run on plain model.", section);
        // The warning is also flagged next to the results.
        Assert.Contains("⚠ The gradient-masking checks warned for part model", Section(md, "## Results"));

        // Without checks there is no section and no flag.
        string none = Markdown(ReportSamples.Report(200, ReportSamples.PlainWithoutSeg()));
        Assert.DoesNotContain("Gradient-masking checks", none);
    }

    [Fact]
    public void Timing_section_lists_points_seconds_and_rate_per_model_and_attack()
    {
        string section = Section(Markdown(TwoModels()), "## Attack timing");
        Assert.Contains("| model | attack | points | seconds | points/s | batch size |", section);
        Assert.Contains("| part model (`part`) | autoattack-plus | 100 | 40.0 | 2.50 | 50 |", section);
        Assert.Contains("| plain model (`plain`) | pgd | 200 | 25.0 | 8.00 | 50 |", section);
        // In column order within a model.
        Assert.True(section.IndexOf("| part model (`part`) | pgd-10 |", StringComparison.Ordinal)
            < section.IndexOf("| part model (`part`) | seg-inverse |", StringComparison.Ordinal));
    }

    [Fact]
    public void Attacks_on_fewer_points_than_the_test_set_show_n_and_the_sampling_error()
    {
        string results = Section(Markdown(TwoModels()), "## Results");
        Assert.Contains("fewer points than the 500 test images", results);
        Assert.Contains("autoattack-plus and worst_case on n = 100 points (±10.0 points)", results);
        Assert.Contains("seg-inverse on n = 200 points (±7.1 points)", results);

        // Attacking the whole test set: no sampling note.
        var full = ReportSamples.Report(500, ReportSamples.Model("a", 0.9, 0.6), ReportSamples.Model("b", 0.9, 0.3));
        Assert.DoesNotContain("fewer points", Markdown(full));
    }

    [Fact]
    public void Headline_attack_drives_the_winner_sentence()
    {
        // part: pgd 60%, autoattack 50%, worst case 44%; plain: pgd 75%, autoattack 35%, worst case 30%. n = 200 (7.1 points).
        ModelResult Part() => ReportSamples.Model("part", 0.9, 0.60) with
        {
            RobustAccuracy = new() { ["pgd"] = 0.60, ["autoattack"] = 0.50, ["seg-sum"] = 0.48, ["seg-guided"] = 0.46, ["worst_case"] = 0.44 },
        };
        ModelResult Plain() => ReportSamples.Model("plain", 0.9, 0.75, part: false) with
        {
            RobustAccuracy = new() { ["pgd"] = 0.75, ["autoattack"] = 0.35, ["worst_case"] = 0.30 },
        };
        RunReport With(string? headline)
        {
            var r = ReportSamples.Report(200, Part(), Plain());
            return r with { Settings = r.Settings with { HeadlineAttack = headline } };
        }

        // pgd as the headline: plain wins although the other attacks favour part.
        string pgd = HeadlineRanking.WinnerSentence(With("pgd"));
        Assert.StartsWith("Winner: plain model, with the highest robust accuracy under pgd (the headline attack of this run), 75.0% vs 60.0%", pgd);
        Assert.Equal("pgd", HeadlineRanking.Attack(With("pgd")));

        // autoattack as the headline: part wins.
        Assert.StartsWith("Winner: part model, with the highest robust accuracy under autoattack (the headline attack of this run), 50.0% vs 35.0%",
            HeadlineRanking.WinnerSentence(With("autoattack")));

        // worst_case: says what the number is and what it covers.
        string wc = HeadlineRanking.WinnerSentence(With("worst_case"));
        Assert.StartsWith("Winner: part model, with the highest robust accuracy under worst_case (the per-point worst case over all attacks run: "
            + "a point counts as robust only if no attack broke it), 44.0% vs 30.0%", wc);
        Assert.Contains("The worst case covers pgd and autoattack for every model, plus the adaptive attacks seg-sum and seg-guided for part model.", wc);

        // Without a headline the strongest attack (lowest mean, here worst_case) is used, as before.
        Assert.Equal("worst_case", HeadlineRanking.Attack(With(null)));
        Assert.Contains("under worst_case (the per-point worst case", HeadlineRanking.WinnerSentence(With(null)));

        // The report shows the headline in the settings and the tie threshold under it.
        string md = Markdown(With("pgd"));
        Assert.Contains("| headline attack | `pgd` |", md);
        Assert.Contains("Models are ranked by robust accuracy under pgd, measured on 200 attacked points", md);
        Assert.Contains("Winner: plain model", md);
    }

    [Fact]
    public void Headline_attack_missing_for_a_model_falls_back_to_the_strongest_common_attack_and_says_so()
    {
        var report = TwoModels(headline: "worst_case");   // the plain model has no worst case
        Assert.Equal("autoattack", HeadlineRanking.Attack(report));
        string s = HeadlineRanking.WinnerSentence(report);
        Assert.StartsWith("Winner: part model, with the highest robust accuracy under autoattack (the strongest attack run), 50.5% vs 40.0%", s);
        Assert.Contains("The headline attack worst_case set for this run has no result for plain model, so the models are compared under autoattack", s);
    }

    [Fact]
    public void Tie_threshold_uses_the_points_the_headline_attack_ran_on()
    {
        // 400 attacked points (5-point threshold), but autoattack ran on 100 (10 points): a 7-point gap is a tie.
        ModelResult M(string name, double aa) => ReportSamples.Model(name, 0.9, 0.8, aa: aa) with
        {
            AttackTiming = new() { ["pgd"] = ReportSamples.Timing(400, 10), ["autoattack"] = ReportSamples.Timing(100, 100) },
        };
        var report = ReportSamples.Report(400, M("a", 0.50), M("b", 0.43));
        string s = HeadlineRanking.WinnerSentence(report with { Settings = report.Settings with { HeadlineAttack = "autoattack" } });
        Assert.StartsWith("No clear winner", s);
        Assert.Contains("(n = 100 attacked points)", s);
    }

    [Fact]
    public void Known_strength_breaks_ties_with_worst_case_strongest_and_plus_above_standard()
    {
        ModelResult M(Dictionary<string, double> robust) => ReportSamples.Model("m", 0.9, 0.5) with { RobustAccuracy = robust };
        Assert.Equal("worst_case", ReportWriter.StrongestAttack([M(new() { ["worst_case"] = 0.4, ["autoattack-plus"] = 0.4, ["seg-guided"] = 0.4 })]));
        Assert.Equal("autoattack-plus", ReportWriter.StrongestAttack([M(new() { ["autoattack"] = 0.4, ["autoattack-plus"] = 0.4, ["pgd"] = 0.4 })]));
        Assert.Equal("autoattack", ReportWriter.StrongestAttack([M(new() { ["autoattack"] = 0.4, ["seg-inverse"] = 0.4, ["pgd-10"] = 0.4 })]));
    }

    [Fact]
    public void Json_round_trips_headline_attack_and_autoattack_stages()
    {
        string dir = ReportSamples.TempDir();
        var report = TwoModels(headline: "worst_case");
        ReportWriter.Write(dir, report, []);
        string path = Path.Combine(dir, ReportWriter.JsonFileName);

        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal("worst_case", root.GetProperty("settings").GetProperty("headline_attack").GetString());
            JsonElement part = root.GetProperty("models")[0];
            JsonElement aa = part.GetProperty("autoattack_stages").GetProperty("autoattack");
            Assert.Equal(4, aa.GetArrayLength());
            Assert.Equal("square", aa[3].GetProperty("attack").GetString());
            Assert.Equal(0.505, aa[3].GetProperty("robust_accuracy").GetDouble());
            Assert.Equal(3, part.GetProperty("autoattack_stages").GetProperty("autoattack-plus").GetArrayLength());
            Assert.Equal(2, part.GetProperty("attack_stages").GetProperty("apgd-ce+square").GetArrayLength());
            Assert.Equal(0.44, part.GetProperty("robust_accuracy").GetProperty("worst_case").GetDouble());
            Assert.Equal("warn", part.GetProperty("masking_checks")[1].GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("models")[1].GetProperty("autoattack_stages").ValueKind);
        }

        RunReport back = ReportWriter.ReadJson(path);
        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(back));
        Assert.Equal("worst_case", back.Settings.HeadlineAttack);
        Assert.Equal([0.53, 0.50, 0.49], back.Models[0].AutoAttackStages!["autoattack-plus"].Select(st => st.RobustAccuracy));
        Assert.Equal(100, back.Models[0].AttackTiming!["autoattack-plus"].Points);
        Assert.Null(back.Models[1].AutoAttackStages);
        Assert.Equal(Markdown(report), Markdown(back));
    }

    [Fact]
    public void Json_without_the_new_fields_still_reads()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, ReportWriter.JsonFileName);
        JsonNode node = JsonNode.Parse(ReportJson.Serialize(TwoModels(headline: "autoattack")))!;
        node["settings"]!.AsObject().Remove("headline_attack");
        foreach (JsonNode? m in node["models"]!.AsArray()) m!.AsObject().Remove("autoattack_stages");
        File.WriteAllText(path, node.ToJsonString());

        RunReport back = ReportWriter.ReadJson(path);
        Assert.Null(back.Settings.HeadlineAttack);
        Assert.All(back.Models, m => Assert.Null(m.AutoAttackStages));
    }

    [Fact]
    public void NaN_in_stages_or_timing_is_rejected()
    {
        var part = ReportSamples.PartWithEverything();
        var badStage = part with
        {
            AutoAttackStages = new() { ["autoattack"] = [ReportSamples.Stage("apgd-ce", double.NaN)] },
        };
        var ex = Assert.Throws<ArgumentException>(() => ReportJson.Serialize(ReportSamples.Report(200, badStage)));
        Assert.Contains("autoattack_stages.autoattack", ex.Message);

        var badTiming = part with { AttackTiming = new() { ["pgd"] = ReportSamples.Timing(200, 10) with { Seconds = double.PositiveInfinity } } };
        ex = Assert.Throws<ArgumentException>(() => ReportJson.Serialize(ReportSamples.Report(200, badTiming)));
        Assert.Contains("attack_timing.pgd.seconds", ex.Message);
    }
}
