using System.Diagnostics;
using System.Text.Json;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// Runs an experiment end to end: data → train each model → evaluate clean, PGD and part metrics →
/// checkpoints, figures, <c>report.md</c> and <c>report.json</c> in a run folder that appears only on success.
/// This is what <c>partrobust demo</c> and <c>partrobust train</c> call.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Runs <paramref name="config"/> and writes the run folder <paramref name="outDir"/>.</summary>
    public static RunReport Run(ExperimentConfig config, string outDir, IProgressSink progress, string commandLine)
    {
        config.Validate();
        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("o");
        if (config.Threads is { } threads) set_num_threads(threads);
        var device = ParseDevice(config.Device);
        using var run = new RunDirectory(outDir);
        AtomicFile.WriteAllText(run.PathOf("config.json"), config.ToJson());
        File.WriteAllText(run.PathOf("command.txt"), commandLine + Environment.NewLine);

        var (train, val, test) = LoadData(config, device, progress);
        using var _train = train;
        using var _val = val;
        using var _test = test;
        using var attackSet = test.Take(config.AttackPoints);
        var taxonomy = train.Taxonomy;
        progress.Log($"data: {train.Count} train, {val.Count} val, {test.Count} test images of {train.ImageSize}px, " +
                     $"{taxonomy.NumClasses} classes, {taxonomy.NumSegLabels - 1} parts (chance {100.0 / taxonomy.NumClasses:F1}%)");

        var results = new List<ModelResult>();
        var overlayPredictions = new List<(string, long[], int[])>();
        int overlayCount = Math.Min(config.Eval.OverlayImages, test.Count);
        Directory.CreateDirectory(run.PathOf("checkpoints"));
        var configJson = JsonSerializer.SerializeToElement(config);

        foreach (var name in config.Models)
        {
            manual_seed(config.Train.Seed);
            var spec = new ModelSpec(name, taxonomy.NumClasses, taxonomy.NumSegLabels, train.ImageSize, config.Width);
            using var model = ModelRegistry.Create(spec);
            model.to(device);
            string display = ModelRegistry.DisplayName(name);
            long parameters = model.ParameterCount();
            progress.Log($"{display} ({name}): {parameters:N0} parameters");

            var trained = Trainer.Train(model, train, val, config.Train, progress, name);
            string checkpointStem = Path.Combine("checkpoints", name);
            Checkpoint.Save(run.PathOf(checkpointStem), model,
                new CheckpointInfo { Model = spec, Taxonomy = taxonomy, Train = config.Train, Config = configJson });

            var result = Evaluate(model, name, display, parameters, test, attackSet, config.Eval, progress) with
            {
                TrainSeconds = trained.Seconds,
                AdvTrainImagesPerSecond = trained.AdvImagesPerSecond,
                Checkpoint = checkpointStem + ".safetensors",
                History = trained.History,
            };
            result = AdversarialExamplesFigure.WriteRunFiles(run.WorkPath, result, taxonomy);
            results.Add(result);
            if (model is IPartModel part && overlayCount > 0)
                overlayPredictions.Add((display, PredictMasks(part, test, overlayCount), Evaluator.Predictions(model, test.Take(overlayCount), overlayCount).Select(p => (int)p).ToArray()));
        }

        var figures = new List<string>();
        double chance = 1.0 / taxonomy.NumClasses;
        if (config.AttackPoints > 0)
        {
            Plots.AccuracyVsRobust(results, "pgd", chance, run.PathOf("accuracy_vs_robust.png"));
            figures.Add("accuracy_vs_robust.png");
        }
        Plots.TrainingCurves(results, run.PathOf("training_curves.png"));
        figures.Add("training_curves.png");
        if (overlayCount > 0)
        {
            WriteOverlay(run.PathOf("masks.png"), test, overlayCount, overlayPredictions);
            figures.Add("masks.png");
        }

        var report = new RunReport
        {
            Settings = new RunSettings
            {
                Dataset = config.Dataset == "folder" ? $"folder:{config.DataDir}" : "partshapes",
                ImageSize = train.ImageSize,
                NumClasses = taxonomy.NumClasses,
                ChanceAccuracy = chance,
                TrainSize = train.Count, ValSize = val.Count, TestSize = test.Count, AttackPoints = attackSet.Count,
                Epsilon = config.Eval.Epsilon,
                EpsilonText = FormatEpsilon(config.Eval.Epsilon),
                TrainAttackSteps = config.Train.AttackSteps,
                EvalAttacks = DescribeAttacks(config.Eval, results),
                HeadlineAttack = results.All(r => r.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey)) ? ReportWriter.WorstCaseKey : null,
                CleanEpochs = config.Train.CleanEpochs,
                AdvEpochs = config.Train.AdvEpochs,
                SegWeight = config.Train.SegWeight,
                Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = config.Train.Seed, ["attack"] = config.Eval.Seed },
            },
            Models = results,
            Environment = RunEnvironment.Capture(device.ToString(), started, clock.Elapsed.TotalSeconds),
        };
        ReportWriter.Write(run.WorkPath, report, figures, commandLine);
        run.Commit();
        return report;
    }

    /// <summary>
    /// Clean accuracy, robust accuracy and (for part models) part metrics of a trained model: the configured PGD (unless
    /// <paramref name="skipPgd"/>) and <paramref name="extraAttacks"/> on <paramref name="attackSet"/>; then, when
    /// <see cref="EvalOptions.AutoAttackPoints"/> &gt; 0, the gradient-masking checks, AutoAttack standard and (part models)
    /// the adaptive attacks on its first points; and <c>worst_case</c>, the per-point worst case over every attack run,
    /// on the points all of them attacked. The first <see cref="EvalOptions.AdversarialExamples"/> points of
    /// <paramref name="examplesFrom"/> (null = the configured PGD) are kept in <see cref="ModelResult.Examples"/>.
    /// </summary>
    public static ModelResult Evaluate(nn.Module<Tensor, Tensor> model, string name, string display, long parameters,
        PartDataset test, PartDataset attackSet, EvalOptions eval, IProgressSink progress,
        IReadOnlyList<Attacks.IAttack>? extraAttacks = null, bool skipPgd = false, Attacks.Norm norm = Attacks.Norm.Linf,
        Attacks.IAttack? examplesFrom = null)
    {
        double clean = Evaluator.Accuracy(model, test, eval.BatchSize);
        var robust = new Dictionary<string, double>();
        var robustMasks = new Dictionary<string, bool[]>();
        Dictionary<string, List<StageResult>>? stages = null, aaStages = null;
        var timing = new Dictionary<string, AttackTiming>();
        List<MaskingCheckRecord>? checks = null;
        double cleanSubset = clean;
        Attacks.IAttack? keepFrom = examplesFrom;
        AdversarialExamples? examples = null;

        void Run(Attacks.IAttack attack, PartDataset points)
        {
            // Examples come from this very run: an attack is never rerun just to draw it.
            var r = Evaluator.RobustAccuracy(model, points, attack, eval.BatchSize, progress, $"{name} {attack.Name}",
                ReferenceEquals(attack, keepFrom) ? eval.AdversarialExamples : 0);
            if (ReferenceEquals(attack, keepFrom)) examples = r.Examples;
            robust[attack.Name] = r.Accuracy;
            robustMasks[attack.Name] = r.RobustMask;
            if (points.Count == attackSet.Count) cleanSubset = r.CleanAccuracy;
            timing[attack.Name] = new AttackTiming
            {
                Points = r.Points, CleanAccuracy = r.CleanAccuracy, Seconds = r.Seconds, PointsPerSecond = r.Points / Math.Max(r.Seconds, 1e-9),
                BatchSize = eval.BatchSize, BatchSeconds = (r.BatchSeconds ?? Array.Empty<double>()).ToList(),
            };
            if (attack is Attacks.AttackSequence seq && r.RobustAfterStage is { } after)
            {
                var list = seq.Attacks.Select((a, i) => new StageResult { Attack = a.Name, RobustAccuracy = after[i] }).ToList();
                if (seq.Name.StartsWith("autoattack", StringComparison.Ordinal)) (aaStages ??= new())[seq.Name] = list;
                else (stages ??= new())[seq.Name] = list;
            }
            progress.Log($"{display}: {attack.Name} robust accuracy {100 * r.Accuracy:F1}% on {r.Points} points ({r.Seconds:F0}s)");
        }

        if (attackSet.Count > 0)
        {
            var attacks = new List<Attacks.IAttack>();
            if (!skipPgd) attacks.Add(eval.CreatePgd());
            if (extraAttacks is not null) attacks.AddRange(extraAttacks);
            if (keepFrom is null && !skipPgd) keepFrom = attacks[0];
            foreach (var attack in attacks) Run(attack, attackSet);

            if (eval.AutoAttackPoints > 0)
            {
                using var aaSet = attackSet.Take(Math.Min(eval.AutoAttackPoints, attackSet.Count));
                var threat = new Attacks.ThreatModel(norm, eval.Epsilon);
                if (eval.MaskingChecks)
                    checks = RunMaskingChecks(model, aaSet, threat, eval.Seed, progress, display);
                Run(Attacks.AttackRegistry.AutoAttackStandard(threat, aaSet.Taxonomy.NumClasses, eval.Seed), aaSet);
                if (model is IPartModel)
                    foreach (var adaptive in eval.AdaptiveAttacks ?? Array.Empty<string>())
                        Run(Attacks.AttackRegistry.Create(adaptive, threat, aaSet.Taxonomy.NumClasses, eval.Seed), aaSet);
            }

            if (robustMasks.Count > 1)
            {
                // A point is robust only if no attack broke it, over the points every attack ran on.
                int common = robustMasks.Values.Min(m => m.Length);
                var worst = Enumerable.Range(0, common).Select(i => robustMasks.Values.All(m => m[i])).ToArray();
                robust[ReportWriter.WorstCaseKey] = common == 0 ? 0 : (double)worst.Count(v => v) / common;
                progress.Log($"{display}: worst case over {string.Join(", ", robustMasks.Keys)}: {100 * robust[ReportWriter.WorstCaseKey]:F1}% on {common} points");
            }
        }
        PartMetrics? parts = model is IPartModel part ? Evaluator.PartSegmentation(part, test, eval.BatchSize) : null;
        progress.Log($"{display}: clean {100 * clean:F1}%" +
                     (robust.TryGetValue("pgd", out var pgdAcc) ? $", PGD {100 * pgdAcc:F1}% (clean on attacked subset {100 * cleanSubset:F1}%)" : "") +
                     (parts is null ? "" : $", part pixel acc {100 * parts.PixelAccuracy:F1}%, part mIoU {100 * parts.MeanIoU:F1}%"));
        return new ModelResult
        {
            Name = name, DisplayName = display, Parameters = parameters, TrainSeconds = 0, CleanAccuracy = clean,
            CleanAccuracyAttackSubset = cleanSubset, RobustAccuracy = robust, AttackStages = stages, AutoAttackStages = aaStages,
            AttackTiming = timing.Count == 0 ? null : timing, MaskingChecks = checks,
            PartPixelAccuracy = parts?.PixelAccuracy, PartMiou = parts?.MeanIoU, Checkpoint = "", History = new List<EpochRecord>(),
            Examples = examples,
        };
    }

    /// <summary>Descriptions of the attacks the demo/train evaluation ran, keyed as in the report.</summary>
    static Dictionary<string, string> DescribeAttacks(EvalOptions eval, IEnumerable<ModelResult> results)
    {
        var d = new Dictionary<string, string> { ["pgd"] = eval.CreatePgd().Describe() };
        var keys = results.SelectMany(r => r.RobustAccuracy.Keys).ToHashSet();
        foreach (var k in keys.Where(k => k.StartsWith("autoattack", StringComparison.Ordinal)))
            d[k] = $"on the first {eval.AutoAttackPoints} attacked points: " + Attacks.AttackRegistry.Describe("aa");
        foreach (var a in eval.AdaptiveAttacks ?? Array.Empty<string>())
            if (keys.Contains(a)) d[a] = $"part models, on the first {eval.AutoAttackPoints} attacked points: " + Attacks.AttackRegistry.Describe(a.Split(':')[0]);
        if (keys.Contains(ReportWriter.WorstCaseKey))
            d[ReportWriter.WorstCaseKey] = "per point, broken if any attack above broke it, on the points every attack ran on";
        return d;
    }

    /// <summary>The six gradient-masking checks on <paramref name="points"/>, logged, as report records.</summary>
    public static List<MaskingCheckRecord> RunMaskingChecks(nn.Module<Tensor, Tensor> model, PartDataset points, Attacks.ThreatModel threat,
        long seed, IProgressSink progress, string display)
    {
        var results = Evaluation.GradientMaskingChecks.Run(model, points, threat,
            new Evaluation.MaskingCheckOptions { Seed = seed, Points = points.Count }, progress);
        int warnings = results.Count(c => !c.Passed);
        progress.Log($"{display}: gradient-masking checks {results.Count - warnings}/{results.Count} passed" + (warnings > 0 ? " — see the warnings above" : ""));
        return results.Select(c => new MaskingCheckRecord { Name = c.Name, Status = c.Passed ? "pass" : "warn", Detail = c.Detail, Meaning = c.Meaning }).ToList();
    }

    /// <summary>The train/val/test splits the config asks for, on <paramref name="device"/>.</summary>
    public static (PartDataset Train, PartDataset Val, PartDataset Test) LoadData(ExperimentConfig config, Device device, IProgressSink progress)
    {
        var clock = Stopwatch.StartNew();
        PartDataset train, val, test;
        if (config.Dataset == "folder")
        {
            train = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "train"));
            val = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "val"));
            test = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "test"));
        }
        else
        {
            var generator = new PartShapesGenerator(new PartShapesOptions
            {
                ImageSize = config.ImageSize, Classes = config.Classes, Seed = (ulong)config.DataSeed,
            });
            train = generator.Generate(PartShapesSplit.Train, config.TrainSize);
            val = generator.Generate(PartShapesSplit.Val, config.ValSize);
            test = generator.Generate(PartShapesSplit.Test, config.TestSize);
            int total = config.TrainSize + config.ValSize + config.TestSize;
            progress.Log($"generated {total} PartShapes images in {clock.Elapsed.TotalSeconds:F1}s ({total / clock.Elapsed.TotalSeconds:F0} images/s)");
        }
        if (device.type == DeviceType.CPU) return (train, val, test);
        using (train) using (val) using (test) return (train.To(device), val.To(device), test.To(device));
    }

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>; a CUDA device needs a CUDA libtorch build.</summary>
    public static Device ParseDevice(string text)
    {
        Device device;
        try { device = new Device(text); }
        catch (Exception) { throw new ArgumentException($"--device {text}: expected cpu, cuda or cuda:N"); }
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new ArgumentException($"--device {text}: CUDA is not available in this libtorch build (build with -p:LibTorchPackage=<a libtorch-cuda package>)");
        return device;
    }

    /// <summary>ε as a fraction of 255 when it is one, e.g. "8/255".</summary>
    public static string FormatEpsilon(double eps)
    {
        double k = eps * 255;
        return Math.Abs(k - Math.Round(k)) < 1e-6 ? $"{Math.Round(k)}/255" : eps.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
    }

    static long[] PredictMasks(IPartModel model, PartDataset test, int n)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var mode = EvalMode.Enter((nn.Module)model);
        var (_, parts) = model.ForwardWithParts(test.Images[..n]);
        return parts.argmax(1).cpu().data<long>().ToArray();
    }

    static void WriteOverlay(string path, PartDataset test, int n, List<(string, long[], int[])> predictions)
    {
        using var scope = NewDisposeScope();
        var images = test.Images[..n].cpu().contiguous().data<float>().ToArray();
        var masks = test.Masks[..n].cpu().contiguous().data<long>().ToArray();
        var labels = test.Labels[..n].cpu().data<long>().ToArray().Select(l => (int)l).ToArray();
        MaskOverlay.WriteGrid(path, images, n, test.ImageSize, test.ImageSize, masks, predictions, labels, test.Taxonomy);
    }
}
