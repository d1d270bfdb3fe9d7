using System.Text.Json;
using PartRobust.Cli;
using Xunit;

namespace PartRobust.Tests.Cli;

/// <summary>The CLI writes to the process console, so these tests never run in parallel with each other.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public class ConsoleCollection { }

[Collection("console")]
public class CliTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => TestSupport.CliRunner.Run(args);

    static string TempDir() => Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    static void AssertOneLineError((int Code, string Out, string Err) r, string mustContain)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Unknown_model_is_a_one_line_error_and_leaves_no_run_folder()
    {
        string dir = TempDir();
        AssertOneLineError(Run("demo", "--models", "resnet18,wat", "--out", dir), "wat");
        Assert.False(Directory.Exists(dir));
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(dir)!, "." + Path.GetFileName(dir) + ".partial")));
    }

    [Fact]
    public void Models_lists_the_registries_with_parameter_counts_for_the_demos_setting()
    {
        var r = Run("models");
        Assert.Equal(0, r.Code);
        foreach (var name in new[] { "resnet50", "part-downsampled", "part-2heads-e", "part-mask", "deeplabv3plus-resnet50", "deeplabv3-resnet50", "compact" })
            Assert.Contains(name, r.Out);
        var demo = new PartRobust.Runs.ExperimentConfig();
        Assert.Contains($"C = 11, {demo.ImageSize} px, width {demo.EffectiveWidth}, part models on '{demo.Segmenter}'; the demo's setting", r.Out);
        var counts = PartRobust.Models.ModelCatalog.Models(count: true, 11, demo.ImageSize, demo.EffectiveWidth, demo.Segmenter);
        var lines = r.Out.Split('\n');
        foreach (var m in counts)
            Assert.Contains(lines, l => l.TrimStart().StartsWith(m.Name + " ") && l.TrimEnd().EndsWith($" {m.Parameters:N0}"));
    }

    [Fact]
    public void Models_counts_for_another_setting_on_request()
    {
        var r = Run("models", "--num-classes", "2", "--width", "8");
        Assert.Equal(0, r.Code);
        Assert.Contains("C = 2, 32 px, width 8, part models on 'compact'):", r.Out);
        long resnet18 = PartRobust.Models.ModelCatalog.Models(count: true, 2, 32, 8).Single(m => m.Name == "resnet18").Parameters!.Value;
        Assert.Contains($" {resnet18:N0}\n", r.Out.Replace("\r", ""));
    }

    [Fact]
    public void Negative_epsilon_is_rejected() => AssertOneLineError(Run("demo", "--eps", "-1/255", "--out", TempDir()), "--eps");

    [Fact]
    public void Unknown_flag_is_rejected() => AssertOneLineError(Run("demo", "--no-such-flag"), "--no-such-flag");

    [Fact]
    public void Unreadable_config_is_rejected()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "{ not json");
        AssertOneLineError(Run("demo", "--config", file, "--out", TempDir()), file);
        AssertOneLineError(Run("demo", "--config", file + ".missing", "--out", TempDir()), ".missing");
    }

    [Fact]
    public void Unknown_dataset_and_missing_folders_are_rejected()
    {
        string cfg = Path.GetTempFileName();
        File.WriteAllText(cfg, "{\"dataset\": \"imagenet-x\"}");
        AssertOneLineError(Run("demo", "--config", cfg, "--out", TempDir()), "imagenet-x");
        AssertOneLineError(Run("train", "--data", "/no/such/folder", "--out", TempDir()), "/no/such/folder");
        AssertOneLineError(Run("eval", "--checkpoint", "/no/such/model"), "/no/such/model");
    }

    [Fact]
    public void Existing_non_empty_out_folder_is_rejected()
    {
        string dir = TempDir();
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "x");
        AssertOneLineError(Run("demo", "--out", dir, "--train-size", "10"), dir);
        Assert.True(File.Exists(Path.Combine(dir, "keep.txt")));
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("demo")]
    public void Robustness_images_help_gives_the_configs_default(string command)
    {
        var r = Run(command, "--help");
        Assert.Equal(0, r.Code);
        int start = r.Out.IndexOf("--robustness-images", StringComparison.Ordinal);
        Assert.True(start >= 0, r.Out);
        int end = r.Out.IndexOf("\n  -", start, StringComparison.Ordinal);
        var entry = string.Join(" ", r.Out[start..(end < 0 ? r.Out.Length : end)].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"(default {new PartRobust.Runs.RobustnessConfig().Images})", entry);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var r = Run("--help");
        Assert.Equal(0, r.Code);
        foreach (var c in new[] { "demo", "train", "eval", "data" }) Assert.Contains(c, r.Out);
    }

    [Fact]
    public void Init_from_a_clean_run_gives_the_papers_separate_adversarial_stage()
    {
        string root = TempDir();
        string[] common = { "--models", "part-downsampled", "--image-size", "32", "--classes", "Car,Fish", "--train-size", "4", "--val-size", "2",
            "--test-size", "2", "--attack-points", "0", "--width", "4", "--batch-size", "4", "--autoattack-points", "0" };
        var clean = Run(new[] { "train", "--out", Path.Combine(root, "clean"), "--clean-epochs", "1", "--adv-epochs", "0" }.Concat(common).ToArray());
        Assert.True(clean.Code == 0, clean.Err);
        var adv = Run(new[] { "train", "--out", Path.Combine(root, "adv"), "--clean-epochs", "0", "--adv-epochs", "1", "--init-from", Path.Combine(root, "clean") }.Concat(common).ToArray());
        Assert.True(adv.Code == 0, adv.Err);
        Assert.Contains("initial weights from", adv.Out);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "adv", "config.json"))))
            Assert.Equal(Path.Combine(root, "clean"), config.RootElement.GetProperty("init_from").GetString());
        AssertOneLineError(Run(new[] { "train", "--out", Path.Combine(root, "bad"), "--clean-epochs", "0", "--adv-epochs", "1", "--init-from", Path.Combine(root, "nothing") }.Concat(common).ToArray()),
            "--init-from");
        Assert.False(Directory.Exists(Path.Combine(root, "bad")));
    }

    [Fact]
    public void No_background_flag_reaches_the_checkpoint_and_mask_attacks_refuse_a_two_headed_checkpoint()
    {
        string root = TempDir();
        string run = Path.Combine(root, "run");
        var r = Run("train", "--out", run, "--models", "part-downsampled,part-2heads-e", "--no-background", "--image-size", "32", "--classes", "Car,Fish",
            "--train-size", "4", "--val-size", "2", "--test-size", "2", "--attack-points", "0", "--width", "4", "--clean-epochs", "1",
            "--adv-epochs", "0", "--batch-size", "4", "--autoattack-points", "0");
        Assert.True(r.Code == 0, r.Err);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.False(config.RootElement.GetProperty("background").GetBoolean());
        using (var checkpoint = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "checkpoints", "part-downsampled.json"))))
            Assert.False(checkpoint.RootElement.GetProperty("model").GetProperty("background").GetBoolean());
        // The checkpoint rebuilds the K−1-channel head: Car and Fish have 4 + 4 parts, so K' = 8 and Conv2d(8, 40, 4×4).
        var (model, info) = PartRobust.Training.Checkpoint.Load(Path.Combine(run, "checkpoints", "part-downsampled"));
        using var _ = model;
        Assert.False(info.Model.Background);
        var head = Assert.IsType<PartRobust.Models.DownsampledPartClassifier>(((PartRobust.Models.PartModel)model).Head);
        Assert.Equal(info.Model.NumSegLabels - 1, head.Conv.weight!.shape[1]);

        // A two-headed checkpoint: an attack through the mask is refused in one line.
        AssertOneLineError(Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "part-2heads-e"), "--attack", "seg-guided", "--out", Path.Combine(root, "eval")),
            "--attack seg-guided: works through the part mask");
    }

    [Fact]
    public void Small_end_to_end_run_writes_a_complete_report_then_eval_and_data_commands_work()
    {
        string root = TempDir();
        string run = Path.Combine(root, "run");
        var tiny = new[]
        {
            "--image-size", "32", "--classes", "Car,Fish,Snake", "--train-size", "48", "--val-size", "16", "--test-size", "24",
            "--attack-points", "12", "--width", "4", "--clean-epochs", "1", "--adv-epochs", "1", "--batch-size", "16",
            "--train-attack-steps", "1", "--pgd-steps", "2", "--pgd-restarts", "1", "--autoattack-points", "4",
            "--models", "resnet18,part-downsampled,part-downsampled:no-part-labels",
        };
        // The demo's own default is the part model and its control arm; the ResNet-18 is added to test every comparison.
        Assert.Equal(new[] { "part-downsampled", "part-downsampled:no-part-labels" }, new PartRobust.Runs.ExperimentConfig().Models);
        var r = Run(new[] { "demo", "--out", run }.Concat(tiny).ToArray());
        Assert.True(r.Code == 0, r.Err);
        foreach (var f in new[] { "config.json", "report.md", "report.html", "report.json", "training_curves.png", "accuracy_vs_robust.png", "masks.png",
                     "checkpoints/resnet18.safetensors", "checkpoints/part-downsampled.no-part-labels.json", "adversarial_resnet18.png",
                     "adversarial_part-downsampled.no-part-labels.png",
                     "adversarial_part-downsampled.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        foreach (var stem in new[] { "resnet18", "part-downsampled", "part-downsampled.no-part-labels" }) // one TensorBoard run per model
            Assert.Single(Directory.GetFiles(Path.Combine(run, "tensorboard", stem), "events.out.tfevents.*"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        var settings = doc.RootElement.GetProperty("settings");
        Assert.Equal(32, settings.GetProperty("image_size").GetInt32());
        Assert.Equal(1, settings.GetProperty("seeds").GetProperty("data").GetInt64());
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(new[] { "resnet18", "part-downsampled", "part-downsampled:no-part-labels" }, models.Select(m => m.GetProperty("name").GetString()));
        // The control arm: the same part model trained with c_seg = 0, named as such.
        Assert.Equal(JsonValueKind.Null, models[0].GetProperty("seg_weight").ValueKind);
        Assert.Equal(0.5, models[1].GetProperty("seg_weight").GetDouble());
        Assert.Equal(0, models[2].GetProperty("seg_weight").GetDouble());
        Assert.Equal("Downsampled part model (no part labels)", models[2].GetProperty("display_name").GetString());
        // Paired comparisons: part labels vs none and part model vs ResNet, on clean, PGD and the headline, each with a CI.
        var comparisons = doc.RootElement.GetProperty("comparisons").EnumerateArray().ToList();
        foreach (var metric in new[] { "clean", "pgd", "worst_case" })
        {
            var c = Assert.Single(comparisons, c => c.GetProperty("a").GetString() == "part-downsampled"
                && c.GetProperty("b").GetString() == "part-downsampled:no-part-labels" && c.GetProperty("metric").GetString() == metric);
            Assert.True(c.GetProperty("ci_low").GetDouble() <= c.GetProperty("difference").GetDouble());
            Assert.True(c.GetProperty("ci_high").GetDouble() >= c.GetProperty("difference").GetDouble());
            Assert.InRange(c.GetProperty("p_value").GetDouble(), 0, 1);
            Assert.Equal(metric == "clean" ? 24 : metric == "pgd" ? 12 : 4, c.GetProperty("n").GetInt32());
        }
        Assert.Contains(comparisons, c => c.GetProperty("b").GetString() == "resnet18");
        Assert.Contains("part-downsampled", doc.RootElement.GetProperty("verdict").GetString() is { } v ? v.Replace("Downsampled part model", "part-downsampled") : "");
        foreach (var m in models)
        {
            Assert.True(m.GetProperty("parameters").GetInt64() > 0);
            Assert.InRange(m.GetProperty("clean_accuracy").GetDouble(), 0, 1);
            Assert.InRange(m.GetProperty("robust_accuracy").GetProperty("pgd").GetDouble(), 0, 1);
            Assert.True(m.GetProperty("train_seconds").GetDouble() > 0);
            bool isPart = m.GetProperty("name").GetString()!.StartsWith("part-");
            Assert.Equal(isPart, m.TryGetProperty("part_miou", out var miou) && miou.ValueKind == JsonValueKind.Number);
            // AutoAttack (3 classes: APGD-CE, APGD-DLR, FAB, Square), the adaptive attacks on part models, and the
            // per-point worst case, which no attack can undercut.
            var robust = m.GetProperty("robust_accuracy").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            string aa = Assert.Single(robust.Keys, k => k.StartsWith("autoattack"));
            Assert.Equal(isPart, robust.ContainsKey("seg-sum") && robust.ContainsKey("seg-guided") && robust.ContainsKey("seg-inverse"));
            Assert.All(robust.Where(kv => kv.Key != "pgd" && kv.Key != "worst_case"), kv => Assert.True(robust["worst_case"] <= kv.Value, kv.Key));
            var aaStages = m.GetProperty("autoattack_stages").GetProperty(aa).EnumerateArray().Select(st => st.GetProperty("attack").GetString()).ToList();
            Assert.Equal("autoattack-c<4", aa);
            Assert.Equal(new[] { "apgd-ce", "apgd-dlr", "fab", "square" }, aaStages);
            // The 7 checks before AutoAttack, then AutoAttack's own: Square after the white-box stages and, when APGD-DLR
            // attacked any point (APGD-CE may have broken them all), zero DLR gradients.
            var checkNames = m.GetProperty("masking_checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
            bool dlrRan = m.GetProperty("autoattack_stages").GetProperty(aa)[0].GetProperty("robust_accuracy").GetDouble() > 0;
            Assert.Equal(new[] { "randomness", "dynamic", "probability-outputs", "zero-gradients", "black-box", "epsilon-sweep", "more-steps",
                "square-after-white-box" }.Concat(dlrRan ? ["zero-dlr-gradients"] : Array.Empty<string>()), checkNames);
            // The demo draws its PGD run's first points for every model.
            Assert.Equal($"adversarial_{m.GetProperty("name").GetString()!.Replace(':', '.')}.png", m.GetProperty("adversarial_examples_figure").GetString());
            Assert.Equal("pgd", m.GetProperty("adversarial_examples_attack").GetString());
        }
        Assert.Equal("worst_case", settings.GetProperty("headline_attack").GetString());

        // eval the saved checkpoint: same PGD settings, same data → the same robust accuracy as in the run.
        string evalDir = Path.Combine(root, "eval");
        var e = Run("eval", "--checkpoint", Path.Combine(run, "checkpoints", "part-downsampled.no-part-labels"), "--out", evalDir);
        Assert.True(e.Code == 0, e.Err);
        using var evalDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "report.json")));
        var evalModel = evalDoc.RootElement.GetProperty("models")[0];
        var runModel = models[2];
        Assert.Equal("Downsampled part model (no part labels)", evalModel.GetProperty("display_name").GetString());
        Assert.Equal(runModel.GetProperty("clean_accuracy").GetDouble(), evalModel.GetProperty("clean_accuracy").GetDouble());
        Assert.Equal(runModel.GetProperty("robust_accuracy").GetProperty("pgd").GetDouble(),
            evalModel.GetProperty("robust_accuracy").GetProperty("pgd").GetDouble());

        // attack: named attacks and a sequence; the sequence can only lower robust accuracy and reports its stages.
        string attackDir = Path.Combine(root, "attack");
        var a = Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "resnet18.json"), "--attack", "pgd-10,pgd-10+pgd",
            "--n", "8", "--out", attackDir, "--masking-checks");
        Assert.True(a.Code == 0, a.Err);
        using var attackDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(attackDir, "report.json")));
        var am = attackDoc.RootElement.GetProperty("models")[0];
        double pgd10 = am.GetProperty("robust_accuracy").GetProperty("pgd-10").GetDouble();
        double both = am.GetProperty("robust_accuracy").GetProperty("pgd-10+pgd").GetDouble();
        Assert.True(both <= pgd10);
        var stages = am.GetProperty("attack_stages").GetProperty("pgd-10+pgd").EnumerateArray().Select(st => st.GetProperty("robust_accuracy").GetDouble()).ToList();
        Assert.Equal(2, stages.Count);
        Assert.True(stages[1] <= stages[0]);
        Assert.Equal(both, stages[1], 12);
        var checks = am.GetProperty("masking_checks").EnumerateArray().ToList();
        Assert.Equal(7, checks.Count); // the checks before the attacks; pgd-10+pgd has no Square or DLR stage to check
        Assert.All(checks, c => Assert.Contains(c.GetProperty("status").GetString(), new[] { "pass", "warn" }));
        AssertOneLineError(Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "resnet18"), "--attack", "fgsm", "--out", Path.Combine(root, "bad")), "fgsm");
        AssertOneLineError(Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "resnet18"), "--attack", "seg-sum", "--out", Path.Combine(root, "bad")), "seg-sum");

        // AutoAttack on a part model: masking checks first and the adaptive attacks added by default; the worst case
        // covers them all.
        string partDir = Path.Combine(root, "attack-part");
        var pa = Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "part-downsampled"), "--attack", "pgd-10,aa", "--n", "6", "--out", partDir);
        Assert.True(pa.Code == 0, pa.Err);
        using var partDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(partDir, "report.json")));
        var pm = partDoc.RootElement.GetProperty("models")[0];
        var keys = pm.GetProperty("robust_accuracy").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var k in new[] { "pgd-10", "seg-sum", "seg-guided", "seg-inverse", "worst_case" }) Assert.Contains(k, keys);
        var partChecks = pm.GetProperty("masking_checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(7, partChecks.Count(c => c != "square-after-white-box" && c != "zero-dlr-gradients"));
        Assert.Contains("dynamic", partChecks);
        Assert.Contains("square-after-white-box", partChecks); // AutoAttack's own check on its stages
        var noAdaptive = Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "part-downsampled"), "--attack", "aa", "--n", "4",
            "--no-adaptive", "--no-masking-checks", "--out", Path.Combine(root, "attack-part2"));
        Assert.True(noAdaptive.Code == 0, noAdaptive.Err);
        using var doc2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "attack-part2", "report.json")));
        var m2 = doc2.RootElement.GetProperty("models")[0];
        Assert.DoesNotContain("seg-sum", m2.GetProperty("robust_accuracy").EnumerateObject().Select(p => p.Name));
        // No checks before the attacks; AutoAttack's own checks on its stages cost nothing and still run.
        Assert.All(m2.GetProperty("masking_checks").EnumerateArray(),
            c => Assert.Contains(c.GetProperty("name").GetString(), new[] { "square-after-white-box", "zero-dlr-gradients" }));
        AssertOneLineError(Run("attack", "--checkpoint", Path.Combine(run, "checkpoints", "resnet18"), "--norm", "l1", "--out", Path.Combine(root, "bad")), "--norm");

        // data generate then train from the folder.
        string data = Path.Combine(root, "data");
        var g = Run("data", "generate", "--out", data, "--image-size", "32", "--classes", "Car,Fish,Snake",
            "--train-size", "32", "--val-size", "8", "--test-size", "8");
        Assert.True(g.Code == 0, g.Err);
        Assert.True(File.Exists(Path.Combine(data, "train", "index.csv")));
        var t = Run(new[] { "train", "--model", "part-downsampled", "--data", data, "--out", Path.Combine(root, "train") }
            .Concat(tiny.Skip(8).SkipLast(2)).ToArray()); // without the --models of the demo above
        Assert.True(t.Code == 0, t.Err);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void Attack_save_examples_draws_the_last_attack_and_rejects_a_negative_count()
    {
        // An untrained tiny part model is enough: the figure only needs the attack's points.
        string root = TempDir();
        string[] classes = ["Car", "Fish", "Snake"];
        var taxonomy = PartRobust.Data.PartImageNetTaxonomy.Select(classes);
        var spec = new PartRobust.Models.ModelSpec("part-downsampled", taxonomy.NumClasses, taxonomy.NumSegLabels, 32, 4);
        string stem = Path.Combine(root, "ckpt", "part-downsampled");
        TorchSharp.torch.manual_seed(3);
        using (var model = PartRobust.Models.ModelRegistry.Create(spec))
            PartRobust.Training.Checkpoint.Save(stem, model, new PartRobust.Training.CheckpointInfo
            {
                Model = spec, Taxonomy = taxonomy,
                Config = JsonSerializer.SerializeToElement(new PartRobust.Runs.ExperimentConfig { Classes = classes, TestSize = 6, AttackPoints = 4 }, PartRobust.JsonFiles.Options),
            });

        string dir = Path.Combine(root, "attack");
        var r = Run("attack", "--checkpoint", stem, "--attack", "pgd-10+pgd-10,pgd-10", "--n", "4", "--save-examples", "2", "--out", dir);
        Assert.True(r.Code == 0, r.Err);
        using (var bmp = PartRobust.Tests.Reporting.PlotTests.Decode(Path.Combine(dir, "adversarial_part-downsampled.png")))
        {
            var (w, _) = PartRobust.Reporting.AdversarialExamplesFigure.FigureSize(2, 32, 32, parts: true, 4, 0);
            Assert.Equal(w, bmp.Width);
            // Two rows of 32·4 px images plus title, header and captions; a legend only adds to it.
            Assert.True(bmp.Height >= PartRobust.Reporting.AdversarialExamplesFigure.FigureSize(2, 32, 32, true, 4, 0).Height);
        }
        Assert.True(File.Exists(Path.Combine(dir, "adversarial_part-downsampled.safetensors")));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))))
        {
            var m = doc.RootElement.GetProperty("models")[0];
            Assert.Equal("adversarial_part-downsampled.png", m.GetProperty("adversarial_examples_figure").GetString());
            Assert.Equal("pgd-10", m.GetProperty("adversarial_examples_attack").GetString());
        }
        Assert.Contains("](adversarial_part-downsampled.png)", File.ReadAllText(Path.Combine(dir, "report.md")));

        var off = Run("attack", "--checkpoint", stem, "--attack", "pgd-10", "--n", "2", "--save-examples", "0", "--out", Path.Combine(root, "off"));
        Assert.True(off.Code == 0, off.Err);
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "off"), "adversarial_*"));

        string bad = Path.Combine(root, "bad");
        AssertOneLineError(Run("attack", "--checkpoint", stem, "--save-examples", "-1", "--out", bad), "--save-examples");
        Assert.False(Directory.Exists(bad));
        AssertOneLineError(Run("attack", "--checkpoint", stem, "--threads", "0", "--out", bad), "--threads 0");
        Assert.False(Directory.Exists(bad));
        var negative = Run("attack", "--checkpoint", stem, "--n", "-5", "--out", bad);
        AssertOneLineError(negative, "--n -5");
        Assert.DoesNotContain("--attack-points", negative.Err);
        Assert.False(Directory.Exists(bad));

        // An L∞ radius ≥ 1 runs (it is a valid budget) but says that every image is reachable.
        var huge = Run("attack", "--checkpoint", stem, "--attack", "pgd-10", "--eps", "2", "--n", "2", "--save-examples", "0", "--out", Path.Combine(root, "huge"));
        Assert.True(huge.Code == 0, huge.Err);
        Assert.Contains("WARNING L∞ ε = 2 ≥ 1 on images in [0,1]: every image is reachable", huge.Out + huge.Err);
        Directory.Delete(root, recursive: true);
    }
}
