using System.Diagnostics;
using System.Text.Json;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Evaluation.Robustness;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using TorchSharp;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// Runs an experiment end to end: data → train each model → evaluate clean, PGD and part metrics →
/// checkpoints, figures, <c>report.md</c> and <c>report.json</c> in a run folder that appears only on success.
/// This is what <c>partrobust demo</c> and <c>partrobust train</c> call. Training saves resume states in the partial
/// folder (<see cref="RunDirectory"/>); a killed run continues with <c>resume: true</c>.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Runs <paramref name="config"/> and writes the run folder <paramref name="outDir"/>.</summary>
    /// <param name="config">The experiment; when resuming, the interrupted run's config.json.</param>
    /// <param name="outDir">The run folder.</param>
    /// <param name="progress">Progress bars and log lines.</param>
    /// <param name="commandLine">The command, written to command.txt and the report (when resuming, the original one is kept).</param>
    /// <param name="resume">
    /// Continue the interrupted run at <paramref name="outDir"/>: models whose training finished are restored from their
    /// resume states without retraining, the interrupted one continues from its last state, then evaluation runs as usual,
    /// so the run folder equals an uninterrupted run's apart from timings.
    /// </param>
    public static RunReport Run(ExperimentConfig config, string outDir, IProgressSink progress, string commandLine, bool resume = false)
    {
        config.Validate();
        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("o");
        if (config.Threads is { } threads) set_num_threads(threads);
        var device = ParseDevice(config.Device);
        using var run = resume ? RunDirectory.Resume(outDir) : new RunDirectory(outDir);
        if (!resume)
        {
            AtomicFile.WriteAllText(run.PathOf("config.json"), config.ToJson());
            AtomicFile.WriteAllText(run.PathOf("command.txt"), commandLine + Environment.NewLine);
        }
        else
        {
            progress.Log($"resuming the interrupted run in {run.WorkPath}");
            if (File.Exists(run.PathOf("command.txt"))) commandLine = File.ReadAllText(run.PathOf("command.txt")).TrimEnd('\r', '\n');
        }

        if (new Attacks.ThreatModel(Attacks.Norm.Linf, config.Eval.Epsilon).Warning is { } warning) progress.Log($"WARNING {warning}");
        using var data = ExperimentData.Load(config, device, progress);
        var (train, val, test) = (data.Train, data.Val, data.Test);
        using var attackSet = test.Take(config.AttackPoints);
        var taxonomy = data.Taxonomy;
        progress.Log($"data: {train.Count} train, {val.Count} val, {test.Count} test images of {data.ImageSize}px, " +
                     $"{taxonomy.NumClasses} classes, {taxonomy.NumSegLabels - 1} parts (chance {100.0 / taxonomy.NumClasses:F1}%)");

        var results = new List<ModelResult>();
        RobustnessSettings? robustnessSettings = null;
        var overlayPredictions = new List<(string, long[], int[])>();
        int overlayCount = Math.Min(config.Eval.OverlayImages, test.Count);
        Directory.CreateDirectory(run.PathOf("checkpoints"));
        var configJson = JsonSerializer.SerializeToElement(config);

        // Train and evaluate each model in turn (PGD and the rest on all cores); the AutoAttack subsets of all models
        // are then attacked side by side (RunAutoAttackInParallel), and the results completed in model order.
        var trainedModels = new List<(nn.Module<Tensor, Tensor> Model, ModelSpec Spec, ModelEvaluation Evaluation, TrainResult Trained, string Checkpoint)>();
        try
        {
            foreach (var (arm, modelIndex) in config.Models.Select((m, i) => (ModelArm.Parse(m), i)))
            {
                manual_seed(config.Train.Seed);
                var spec = ModelSpec.For(arm.Model, taxonomy, data.ImageSize, config.EffectiveWidth, config.Segmenter, config.Background);
                var model = ModelRegistry.Create(spec);
                var trainOptions = arm.TrainOptions(config.Train);
                string name = arm.Key, display = arm.DisplayName(config.Train);
                if (config.PretrainedBackbone is { } backboneFile) LoadPretrainedBackbone(model, backboneFile, display, progress);
                if (config.InitFrom is { } init)
                {
                    try { progress.Log($"{display}: initial weights from {InitialWeights.Load(model, init, arm.FileStem)}"); }
                    catch (Exception) { model.Dispose(); throw; }
                }
                long parameters = model.ParameterCount();
                var evaluation = new ModelEvaluation(model, name, display, parameters, test, attackSet, config.Eval, progress);
                trainedModels.Add((model, spec, evaluation, null!, "")); // listed at once so that a failed training still disposes it
                model.to(device);
                progress.Log($"{display} ({name}): {parameters:N0} parameters" + (arm.IsPartModel ? $", c_seg = {trainOptions.SegWeight:G4}" : ""));

                var trained = Trainer.Train(model, train, val, trainOptions, progress, name,
                    new ResumeOptions(run.ResumeStatePath(modelIndex, arm.FileStem)));
                string checkpointStem = Path.Combine("checkpoints", arm.FileStem);
                Checkpoint.Save(run.PathOf(checkpointStem), model,
                    new CheckpointInfo { Model = spec, Taxonomy = taxonomy, Train = trainOptions, Config = configJson });
                evaluation.RunAttacks();
                trainedModels[^1] = (model, spec, evaluation, trained, checkpointStem + ".safetensors");
            }

            RunAutoAttackInParallel(trainedModels.Select(t => t.Evaluation).ToList());

            foreach (var (model, spec, evaluation, trained, checkpoint) in trainedModels)
            {
                var result = evaluation.Finish() with
                {
                    TrainSeconds = trained.Seconds,
                    AdvTrainImagesPerSecond = trained.AdvImagesPerSecond,
                    Checkpoint = checkpoint,
                    History = trained.History,
                    SegWeight = ModelRegistry.IsPartModel(spec.Name) ? ModelArm.Parse(evaluation.Name).SegWeight(config.Train) : null,
                };
                result = result.WithArchitecture(spec);
                result = AdversarialExamplesFigure.WriteRunFiles(run.WorkPath, result, taxonomy);
                results.Add(result);
                if (model is IPartModel part && overlayCount > 0)
                    overlayPredictions.Add((result.DisplayName, PredictMasks(part, test, overlayCount), Evaluator.Predictions(model, test.Take(overlayCount), overlayCount).Select(p => (int)p).ToArray()));
            }

            if (config.Robustness.Enabled)
            {
                var options = config.Robustness.ToOptions();
                var measured = GeneralRobustnessEvaluator.Run(trainedModels.Select(t => t.Model).ToList(), test, options, progress,
                    results.Select(r => r.DisplayName).ToList(), data.Generator);
                int? baseline = GeneralRobustnessReport.ResolveBaseline(config.Robustness.Baseline, config.Models);
                results = GeneralRobustnessReport.Apply(results, measured, baseline);
                var robustnessFigures = GeneralRobustnessFigures.Write(run.WorkPath, results, test, measured, options);
                robustnessSettings = GeneralRobustnessReport.Settings(measured, options, baseline is { } b ? config.Models[b] : null, robustnessFigures);
            }
        }
        finally
        {
            foreach (var t in trainedModels) t.Model.Dispose();
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

        string? headline = results.All(r => r.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey)) ? ReportWriter.WorstCaseKey
            : config.AttackPoints > 0 ? "pgd" : null;
        var comparisons = RunComparisons.Compute(results, headline, (ulong)config.Eval.Seed);
        string verdict = RunComparisons.Verdict(comparisons, results, headline);
        var report = new RunReport
        {
            Comparisons = comparisons,
            Verdict = verdict.Length == 0 ? null : verdict,
            Settings = new RunSettings
            {
                Dataset = config.Dataset == "partshapes" ? "partshapes" : $"{config.Dataset}:{config.DataDir}",
                ImageSize = data.ImageSize,
                NumClasses = taxonomy.NumClasses,
                ChanceAccuracy = chance,
                TrainSize = train.Count, ValSize = val.Count, TestSize = test.Count, AttackPoints = attackSet.Count,
                Epsilon = config.Eval.Epsilon,
                EpsilonText = FormatEpsilon(config.Eval.Epsilon),
                TrainAttackSteps = config.Train.AttackSteps,
                AdvTrain = config.Train.AdvTrain,
                TradesBeta = config.Train.AdvTrain == "trades" ? config.Train.TradesBeta : null,
                EvalAttacks = DescribeAttacks(config.Eval, config.AttackPoints, results),
                HeadlineAttack = headline,
                CleanEpochs = config.Train.CleanEpochs,
                AdvEpochs = config.Train.AdvEpochs,
                SegWeight = config.Train.SegWeight,
                Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = config.Train.Seed, ["attack"] = config.Eval.Seed },
                GeneralRobustness = robustnessSettings,
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
        var evaluation = new ModelEvaluation(model, name, display, parameters, test, attackSet, eval, progress, norm);
        evaluation.RunAttacks(extraAttacks, skipPgd, examplesFrom);
        evaluation.RunAutoAttack();
        return evaluation.Finish();
    }

    /// <summary>
    /// Runs <see cref="ModelEvaluation.RunAutoAttack"/> of several models at once, one thread each with one torch
    /// thread. AutoAttack on a few points runs batches of 1–8 images whose operations are too small to use two cores (a
    /// forward pass on 8 images is as fast on one thread as on two), so models attacked side by side finish in about
    /// half the time of one after another. Each evaluation is deterministic (own seeded generators, one thread).
    /// </summary>
    public static void RunAutoAttackInParallel(IReadOnlyList<ModelEvaluation> evaluations)
    {
        var work = evaluations.Where(e => e.HasAutoAttack).ToList();
        if (work.Count == 0) return;
        if (work.Count == 1 || get_num_threads() < 2) { foreach (var e in work) e.RunAutoAttack(); return; }
        int threads = get_num_threads();
        var errors = new Exception?[work.Count];
        // Every worker sets its thread count before any of them computes: the OpenMP count is per native thread, and
        // set_num_threads also clears oneDNN's primitive cache, which must not happen under a running operation.
        using var ready = new Barrier(work.Count);
        var workers = work.Select((e, i) => new Thread(() =>
        {
            try
            {
                try { set_num_threads(1); }
                finally { ready.SignalAndWait(); }
                e.RunAutoAttack();
            }
            catch (Exception ex) { errors[i] = ex; }
        }, 64 * 1024 * 1024) { IsBackground = true, Name = $"autoattack {e.Name}" }).ToList();
        try
        {
            foreach (var t in workers) t.Start();
            foreach (var t in workers) t.Join();
        }
        finally
        {
            set_num_threads(threads);
        }
        if (errors.FirstOrDefault(x => x is not null) is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>Fills the model's ResNet trunk from a torchvision state_dict file (config <c>pretrained_backbone</c>).</summary>
    static void LoadPretrainedBackbone(nn.Module<Tensor, Tensor> model, string file, string display, IProgressSink progress)
    {
        WeightTransferResult loaded;
        try { loaded = TorchvisionResNetImport.ImportBackbone(model, file); }
        catch (Exception) { model.Dispose(); throw; }
        progress.Log($"{display}: {loaded.Filled} backbone tensors loaded from {file}" +
                     (loaded.Unused.Count > 0 ? $" (not used: {Weights.WeightTransfer.ListNames(loaded.Unused)})" : ""));
    }

    /// <summary>Descriptions of the attacks the demo/train evaluation ran, keyed as in the report.</summary>
    static Dictionary<string, string> DescribeAttacks(EvalOptions eval, int attackPoints, IEnumerable<ModelResult> results)
    {
        int aaPoints = Math.Min(eval.AutoAttackPoints, attackPoints);
        var d = new Dictionary<string, string> { ["pgd"] = eval.CreatePgd().Describe() };
        var keys = results.SelectMany(r => r.RobustAccuracy.Keys).ToHashSet();
        foreach (var k in keys.Where(k => k.StartsWith("autoattack", StringComparison.Ordinal)))
            d[k] = $"on the first {aaPoints} attacked points: " + Attacks.AttackRegistry.Describe("aa");
        foreach (var a in eval.AdaptiveAttacks ?? Array.Empty<string>())
            if (keys.Contains(a)) d[a] = $"on the first {aaPoints} attacked points, " + Attacks.AttackRegistry.Describe(a.Split(':')[0]);
        if (keys.Contains(ReportWriter.WorstCaseKey))
            d[ReportWriter.WorstCaseKey] = "per point, broken if any attack above broke it, on the points every attack ran on" +
                (aaPoints > 0 ? $" (the first {aaPoints} attacked points)" : "");
        return d;
    }

    /// <summary>The gradient-masking checks on <paramref name="points"/>, logged, as report records.</summary>
    public static List<MaskingCheckRecord> RunMaskingChecks(nn.Module<Tensor, Tensor> model, PartDataset points, Attacks.ThreatModel threat,
        long seed, IProgressSink progress, string display)
    {
        var results = Evaluation.GradientMaskingChecks.Run(model, points, threat,
            new Evaluation.MaskingCheckOptions { Seed = seed, Points = points.Count }, progress);
        int warnings = results.Count(c => !c.Passed);
        progress.Log($"{display}: gradient-masking checks {results.Count - warnings}/{results.Count} passed" + (warnings > 0 ? " — see the warnings above" : ""));
        return results.Select(MaskingCheckRecord.From).ToList();
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
