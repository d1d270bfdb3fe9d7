using PartRobust.Distributed;
using PartRobust.Data;
using PartRobust.Reporting;
using TorchSharp;
using PartRobust.Training;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// Runs an experiment end to end: data → train each model → evaluate clean, PGD and part metrics →
/// checkpoints, figures, <c>report.md</c>, <c>report.html</c>, <c>report.json</c> and TensorBoard logs in a run folder
/// that appears only on success.
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
    /// <param name="tensorBoard">Where TensorBoard event files go; null = <see cref="TensorBoardOptions.InRunFolder"/>.</param>
    public static RunReport Run(ExperimentConfig config, string outDir, IProgressSink progress, string commandLine, bool resume = false,
        TensorBoardOptions? tensorBoard = null)
    {
        config.Validate();
        tensorBoard?.Validate(outDir);
        var clock = new RunClock();
        if (config.Threads is { } threads) set_num_threads(threads);
        var device = ParseDevice(config.Device);
        using var run = resume ? RunDirectory.Resume(outDir) : new RunDirectory(outDir);
        commandLine = resume ? ReopenRun(run, commandLine, progress) : StartRun(run, config, commandLine);
        if (new Attacks.ThreatModel(Attacks.Norm.Linf, config.Eval.Epsilon).Warning is { } warning) progress.Log($"WARNING {warning}");
        using var data = ExperimentData.Load(config, device, progress);
        using var attackSet = data.Test.Take(config.AttackPoints);
        LogData(data, progress);
        var logs = RunTensorBoard.Open(tensorBoard ?? TensorBoardOptions.InRunFolder, run);
        var outcome = ExperimentModels.TrainAndEvaluate(config, data, attackSet, run, device, progress, logs);
        var figures = WriteFigures(run, config, data, outcome);
        if (logs is not null) LogMaskOverlay(logs, run, figures, outcome.Results);
        var report = Report(config, data, attackSet, outcome, clock.Environment(device));
        return RunFinisher.Finish(run, report, figures, commandLine);
    }

    /// <summary>Writes config.json and command.txt into a new run's folder first, so that an interrupted run can be resumed.</summary>
    static string StartRun(RunDirectory run, ExperimentConfig config, string commandLine)
    {
        AtomicFile.WriteAllText(run.PathOf("config.json"), config.ToJson());
        run.WriteCommandLine(commandLine);
        return commandLine;
    }

    /// <summary>The command line of a resumed run: the interrupted run's own, so its report names the original command.</summary>
    static string ReopenRun(RunDirectory run, string commandLine, IProgressSink progress)
    {
        progress.Log($"resuming the interrupted run in {run.WorkPath}");
        return run.ReadCommandLine() ?? commandLine;
    }

    static void LogData(ExperimentData data, IProgressSink progress)
    {
        var taxonomy = data.Taxonomy;
        progress.Log($"data: {data.Train.Count} train, {data.Val.Count} val, {data.Test.Count} test images of {data.ImageSize}px, " +
                     $"{taxonomy.NumClasses} classes, {taxonomy.NumSegLabels - 1} parts (chance {100.0 / taxonomy.NumClasses:F1}%)");
    }

    /// <summary>The run's figures (accuracy vs robust, training curves, mask overlay), as file names in the run folder.</summary>
    static List<string> WriteFigures(RunDirectory run, ExperimentConfig config, ExperimentData data, ExperimentModels.Outcome outcome)
    {
        var figures = new List<string>();
        if (config.AttackPoints > 0)
            figures.Add(RunFinisher.WriteAccuracyVsRobust(run, outcome.Results, "pgd", 1.0 / data.Taxonomy.NumClasses));
        Plots.TrainingCurves(outcome.Results, run.PathOf("training_curves.png"));
        figures.Add("training_curves.png");
        int overlayCount = OverlayCount(config, data.Test);
        if (overlayCount > 0)
        {
            WriteOverlay(run.PathOf(MaskOverlayFile), data.Test, overlayCount, outcome.OverlayPredictions);
            figures.Add(MaskOverlayFile);
        }
        return figures;
    }

    /// <summary>File name of the mask overlay figure (test images, true and predicted part masks of every part model).</summary>
    const string MaskOverlayFile = "masks.png";

    /// <summary>The mask overlay, when the run drew one, into the TensorBoard logs at the last epoch any model trained.</summary>
    static void LogMaskOverlay(RunTensorBoard logs, RunDirectory run, List<string> figures, List<ModelResult> results)
    {
        if (!figures.Contains(MaskOverlayFile)) return;
        int lastEpoch = results.SelectMany(r => r.History).Select(e => e.Epoch).DefaultIfEmpty(0).Max();
        logs.AddRunFigure("masks", run.PathOf(MaskOverlayFile), lastEpoch);
    }

    /// <summary>The report: the models' results, their paired comparisons and verdict, and the settings that reproduce the run.</summary>
    static RunReport Report(ExperimentConfig config, ExperimentData data, PartDataset attackSet, ExperimentModels.Outcome outcome, RunEnvironment environment)
    {
        var results = outcome.Results;
        string? headline = results.All(r => r.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey)) ? ReportWriter.WorstCaseKey
            : config.AttackPoints > 0 ? "pgd" : null;
        var comparisons = RunComparisons.Compute(results, headline, (ulong)config.Eval.Seed);
        string verdict = RunComparisons.Verdict(comparisons, results, headline);
        return new RunReport
        {
            Comparisons = comparisons,
            Verdict = verdict.Length == 0 ? null : verdict,
            Settings = new RunSettings
            {
                Dataset = config.Dataset == "partshapes" ? "partshapes" : $"{config.Dataset}:{config.DataDir}",
                ImageSize = data.ImageSize,
                NumClasses = data.Taxonomy.NumClasses,
                ChanceAccuracy = 1.0 / data.Taxonomy.NumClasses,
                TrainSize = data.Train.Count, ValSize = data.Val.Count, TestSize = data.Test.Count, AttackPoints = attackSet.Count,
                Epsilon = config.Eval.Epsilon,
                EpsilonText = FormatEpsilon(config.Eval.Epsilon),
                TrainAttackSteps = config.Train.AttackSteps,
                AdvTrain = config.Train.AdvTrain,
                TradesBeta = config.Train.AdvTrain == AdversarialRecipe.Trades ? config.Train.TradesBeta : null,
                EvalAttacks = DescribeAttacks(config.Eval, config.AttackPoints, results),
                HeadlineAttack = headline,
                CleanEpochs = config.Train.CleanEpochs,
                AdvEpochs = config.Train.AdvEpochs,
                SegWeight = config.Train.SegWeight,
                Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = config.Train.Seed, ["attack"] = config.Eval.Seed },
                GeneralRobustness = outcome.Robustness,
            },
            Models = results,
            Environment = environment,
        };
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
    /// thread. Each evaluation is deterministic (own seeded generators, one thread).
    /// </summary>
    public static void RunAutoAttackInParallel(IReadOnlyList<ModelEvaluation> evaluations)
    {
        // AutoAttack on a few points runs batches of 1–8 images, too small for one model to use two cores: side by
        // side, the models keep every core busy.
        var work = evaluations.Where(e => e.HasAutoAttack).ToList();
        if (work.Count == 0) return;
        // Under MPI collectives must come from the main thread, one model after the other.
        if (work.Count == 1 || get_num_threads() < 2 || World.IsDistributed) { foreach (var e in work) e.RunAutoAttack(); return; }
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

    /// <summary>
    /// The gradient-masking checks on <paramref name="points"/>, their attacks in batches of the run's
    /// <paramref name="attackBatchSize"/> (at most the checks' default), logged, as report records.
    /// </summary>
    public static List<MaskingCheckRecord> RunMaskingChecks(nn.Module<Tensor, Tensor> model, PartDataset points, Attacks.ThreatModel threat,
        long seed, int attackBatchSize, IProgressSink progress, string display)
    {
        var options = new Evaluation.MaskingCheckOptions { Seed = seed, Points = points.Count };
        options = options with { AttackBatchSize = Math.Min(options.AttackBatchSize, attackBatchSize) };
        var results = Evaluation.GradientMaskingChecks.Run(model, points, threat, options, progress);
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

    /// <summary>Test images shown in the mask overlay figure.</summary>
    internal static int OverlayCount(ExperimentConfig config, PartDataset test) => Math.Min(config.Eval.OverlayImages, test.Count);

    static void WriteOverlay(string path, PartDataset test, int n, List<(string, long[], int[])> predictions)
    {
        using var scope = NewDisposeScope();
        var images = test.Images[..n].cpu().contiguous().data<float>().ToArray();
        var masks = test.Masks[..n].cpu().contiguous().data<long>().ToArray();
        var labels = test.Labels[..n].cpu().data<long>().ToArray().Select(l => (int)l).ToArray();
        MaskOverlay.WriteGrid(path, images, n, test.ImageSize, test.ImageSize, masks, predictions, labels, test.Taxonomy);
    }
}
