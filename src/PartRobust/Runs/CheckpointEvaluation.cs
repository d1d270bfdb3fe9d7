using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>Evaluates a saved checkpoint and writes a run folder with its report (what <c>partrobust eval</c> calls).</summary>
public static class CheckpointEvaluation
{
    /// <summary>Runs the evaluation.</summary>
    public static RunReport Run(CheckpointEvaluationRequest request, string outDir, IProgressSink progress, string commandLine)
    {
        if (request.SaveExamples is < 0) throw new ArgumentException($"--save-examples {request.SaveExamples}: must be ≥ 0 (0 = no adversarial examples)");
        if (request.Threads is { } threads) SetThreads(threads);
        var clock = new RunClock();
        var device = ExperimentRunner.ParseDevice(request.Device);
        var (model, info) = Checkpoint.Load(request.Checkpoint);
        using var _model = model;
        model.to(device);
        var config = ConfigOf(request, info);
        var eval = EvalOptionsOf(request, config, info);
        int attackPoints = request.AttackPoints ?? config.AttackPoints;
        if (attackPoints < 0) throw new ArgumentException("--attack-points must be ≥ 0");

        using var run = new RunDirectory(outDir);
        run.WriteCommandLine(commandLine);
        var robustnessOptions = request.Robustness is { Enabled: true } rc ? rc.ToOptions() : null;
        using var test = LoadTest(request.DataDir, request.TestSize, config, info, device, out var generator);
        using var attackSet = test.Take(attackPoints);
        string display = ModelArm.Display(info.Model.Name, ModelRegistry.IsPartModel(info.Model.Name) ? info.Train?.SegWeight : null);
        var threat = new Attacks.ThreatModel(request.Norm, eval.Epsilon);
        if (threat.Warning is { } warning) progress.Log($"WARNING {warning}");
        var (names, notApplicable) = AttackNames(request, model, display, progress);
        if (names is not null) eval = eval with { AutoAttackPoints = 0 }; // named attacks replace the checkpoint's evaluation plan, AutoAttack included
        var (result, named) = Evaluate(request, model, info, display, test, attackSet, eval, threat, names, progress, run);
        if (notApplicable is not null) result = result with { AttacksNotApplicable = notApplicable };

        var figures = new List<string>();
        if (attackSet.Count > 0)
            figures.Add(RunFinisher.WriteAccuracyVsRobust(run, [result], HeadlineKey(result, named), 1.0 / info.Taxonomy.NumClasses));
        RobustnessSettings? robustness = null;
        if (robustnessOptions is not null)
            (result, robustness) = MeasureGeneralRobustness(run, model, result, test, robustnessOptions, generator, progress);
        var report = new RunReport
        {
            Settings = SettingsOf(info, config, request.DataDir, test, eval.Epsilon) with
            {
                AttackPoints = attackSet.Count,
                EvalAttacks = DescribeAttacks(eval, request.Norm, names, named),
                HeadlineAttack = result.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey) ? ReportWriter.WorstCaseKey : null,
                Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = info.Train?.Seed ?? 0, ["attack"] = eval.Seed },
                GeneralRobustness = robustness,
            },
            Models = new List<ModelResult> { result },
            Environment = clock.Environment(device),
        };
        return RunFinisher.Finish(run, report, figures, commandLine);
    }

    static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentException($"--threads {threads}: must be ≥ 1");
        torch.set_num_threads(threads);
    }

    /// <summary>The checkpoint's training configuration, with <see cref="CheckpointEvaluationRequest.Settings"/>' eval section, attack points and test size.</summary>
    static ExperimentConfig ConfigOf(CheckpointEvaluationRequest request, CheckpointInfo info)
    {
        var config = info.Config is { } json ? ExperimentConfig.FromJson(json) : new ExperimentConfig();
        return request.Settings is { } settings
            ? config with { Eval = settings.Eval, AttackPoints = settings.AttackPoints, TestSize = settings.TestSize }
            : config;
    }

    /// <summary>The config's eval options with the request's flags (ε defaults to the checkpoint's training ε).</summary>
    static EvalOptions EvalOptionsOf(CheckpointEvaluationRequest request, ExperimentConfig config, CheckpointInfo info)
    {
        var eval = config.Eval with
        {
            Epsilon = request.Epsilon ?? info.Train?.Epsilon ?? config.Eval.Epsilon,
            PgdSteps = request.PgdSteps ?? config.Eval.PgdSteps,
            PgdRestarts = request.PgdRestarts ?? config.Eval.PgdRestarts,
            PaperPgd = request.PaperPgd || config.Eval.PaperPgd,
            BatchSize = request.BatchSize ?? config.Eval.BatchSize,
            AutoAttackPoints = request.AutoAttackPoints ?? config.Eval.AutoAttackPoints,
            MaskingChecks = request.MaskingChecks ?? config.Eval.MaskingChecks,
            AdversarialExamples = request.SaveExamples ?? config.Eval.AdversarialExamples,
        };
        eval.Validate();
        return eval;
    }

    /// <summary>
    /// The attacks to run by registry name, null = the configured PGD: the requested ones (each checked to apply to the
    /// model), then, for a part model, the adaptive attacks when an AutoAttack version is requested and none is named,
    /// with those that do not apply to the model and why.
    /// </summary>
    static (List<string>? Names, Dictionary<string, string>? NotApplicable) AttackNames(CheckpointEvaluationRequest request, nn.Module<Tensor, Tensor> model,
        string display, IProgressSink progress)
    {
        if (request.Attacks?.ToList() is not { } names) return (null, null);
        foreach (var a in names)
            if (Attacks.AttackRegistry.NotApplicableReason(a, model) is { } why)
                throw new ArgumentException($"--attack {a}: {why}; {request.Checkpoint} is a {display}");
        if (model is not IPartModel || !request.Adaptive || !names.Any(IsAutoAttack) || names.Any(Attacks.AttackRegistry.NeedsPartModel))
            return (names, null);
        var adaptive = Attacks.AttackRegistry.PartAttackNames.Where(a => Attacks.AttackRegistry.NotApplicableReason(a, model) is null).ToList();
        var notApplicable = Attacks.AttackRegistry.PartAttackNames.Except(adaptive)
            .ToDictionary(a => a, a => Attacks.AttackRegistry.NotApplicableReason(a, model)!);
        names.AddRange(adaptive);
        progress.Log($"{display} is a part model: adding the adaptive attacks {string.Join(", ", adaptive)} (--no-adaptive to skip)" +
                     (notApplicable.Count > 0 ? $"; not {string.Join(", ", notApplicable.Keys)}: {notApplicable.Values.First()}" : ""));
        return (names, notApplicable.Count > 0 ? notApplicable : null);
    }

    /// <summary>
    /// The model's result and the attacks <paramref name="names"/> made (null = the configured PGD): the gradient-masking
    /// checks when asked (by default when an AutoAttack version is named), then the attacks, with the adversarial examples
    /// written into the run folder.
    /// </summary>
    static (ModelResult Result, List<Attacks.IAttack>? Named) Evaluate(CheckpointEvaluationRequest request, nn.Module<Tensor, Tensor> model, CheckpointInfo info,
        string display, PartDataset test, PartDataset attackSet, EvalOptions eval, Attacks.ThreatModel threat, List<string>? names,
        IProgressSink progress, RunDirectory run)
    {
        List<MaskingCheckRecord>? checks = null;
        bool runChecks = request.MaskingChecks ?? (names?.Any(IsAutoAttack) ?? false);
        if (runChecks && attackSet.Count > 0)
            checks = ExperimentRunner.RunMaskingChecks(model, attackSet.Count > 64 ? attackSet.Take(64) : attackSet, threat, eval.Seed, eval.BatchSize, progress, display);
        var named = names?.Select(a => Attacks.AttackRegistry.Create(a, threat, info.Taxonomy.NumClasses, eval.Seed)).ToList();
        // Examples come from the last attack the user named (for `aa` that is AutoAttack), not from an adaptive attack added after it.
        var examplesFrom = named is not null && request.Attacks is { Length: > 0 } user ? named[user.Length - 1] : null;
        var result = ExperimentRunner.Evaluate(model, ModelArm.KeyOf(info.Model.Name, info.Train?.SegWeight), display, model.ParameterCount(), test, attackSet, eval, progress,
                named, skipPgd: named is not null, norm: request.Norm, examplesFrom: examplesFrom) with { Checkpoint = Path.GetFullPath(request.Checkpoint) };
        result = AdversarialExamplesFigure.WriteRunFiles(run.WorkPath, result.WithArchitecture(info.Model), info.Taxonomy);
        return (checks is null ? result : result with { MaskingChecks = [.. checks, .. result.MaskingChecks ?? []] }, named);
    }

    /// <summary>
    /// The attack the figure plots: the per-point worst case when several attacks ran, else the one attack (not simply
    /// the last one listed, which for <c>aa</c> on a part model is the adaptive seg-inverse).
    /// </summary>
    static string HeadlineKey(ModelResult result, List<Attacks.IAttack>? named) =>
        result.RobustAccuracy.ContainsKey(ReportWriter.WorstCaseKey) ? ReportWriter.WorstCaseKey : named is null ? "pgd" : named[^1].Name;

    /// <summary>The general-robustness suite on the one model (no mCE baseline: a model relative to itself says nothing).</summary>
    static (ModelResult, RobustnessSettings) MeasureGeneralRobustness(RunDirectory run, nn.Module<Tensor, Tensor> model, ModelResult result,
        PartDataset test, GeneralRobustnessOptions options, PartShapesGenerator? generator, IProgressSink progress)
    {
        var (results, settings) = RunFinisher.MeasureGeneralRobustness(run, [model], [result], test, options, generator, null, [], progress);
        return (results[0], settings);
    }

    /// <summary>The report's descriptions of the attacks run, keyed as in the report.</summary>
    static Dictionary<string, string> DescribeAttacks(EvalOptions eval, Attacks.Norm norm, List<string>? names, List<Attacks.IAttack>? named) =>
        named is null
            ? new Dictionary<string, string> { ["pgd"] = eval.CreatePgd().Describe() }
            : names!.Zip(named).ToDictionary(p => p.Second.Name,
                p => $"{norm} ε={eval.Epsilon:G4}: " + string.Join(" then ", p.First.Split('+').Select(n => Attacks.AttackRegistry.Describe(n.Split(':')[0]))));

    /// <summary>
    /// The settings of a report on saved checkpoints: data and classes from <paramref name="test"/> and
    /// <paramref name="info"/>, the training recipe from the checkpoint, no attacks (callers add theirs with <c>with</c>).
    /// </summary>
    internal static RunSettings SettingsOf(CheckpointInfo info, ExperimentConfig config, string? dataDir, PartDataset test, double epsilon) => new()
    {
        Dataset = dataDir is null ? "partshapes" : $"folder:{dataDir}",
        ImageSize = test.ImageSize,
        NumClasses = info.Taxonomy.NumClasses,
        ChanceAccuracy = 1.0 / info.Taxonomy.NumClasses,
        TrainSize = 0, ValSize = 0, TestSize = test.Count, AttackPoints = 0,
        Epsilon = epsilon,
        EpsilonText = ExperimentRunner.FormatEpsilon(epsilon),
        TrainAttackSteps = info.Train?.AttackSteps ?? 0,
        AdvTrain = info.Train?.AdvTrain,
        TradesBeta = info.Train is { AdvTrain: AdversarialRecipe.Trades } t ? t.TradesBeta : null,
        EvalAttacks = new(),
        CleanEpochs = info.Train?.CleanEpochs ?? 0,
        AdvEpochs = info.Train?.AdvEpochs ?? 0,
        SegWeight = info.Train?.SegWeight ?? 0,
        Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = info.Train?.Seed ?? 0 },
    };

    static bool IsAutoAttack(string name) => name.Trim() is "aa" or "aa-plus" or "aa-rand";

    /// <summary>
    /// The test set a checkpoint is evaluated on: the test split of <paramref name="dataDir"/> (checked against the
    /// checkpoint's classes, parts and image size), or the PartShapes test split it was trained with, regenerated
    /// (then <paramref name="generator"/> is the generator that made it).
    /// </summary>
    internal static PartDataset LoadTest(string? dataDir, int? testSize, ExperimentConfig config, CheckpointInfo info, Device device, out PartShapesGenerator? generator)
    {
        PartDataset test;
        generator = null;
        if (dataDir is { } dir)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data {dir}: folder not found");
            test = ExperimentData.LoadEvalSplit(dir, info.Model.ImageSize, testSize ?? 0, null, NullProgress.Instance);
            if (!test.Taxonomy.ClassNames.SequenceEqual(info.Taxonomy.ClassNames) || !test.Taxonomy.PartNames.SequenceEqual(info.Taxonomy.PartNames))
            {
                test.Dispose();
                throw new InvalidDataException($"--data {dir}: its classes/parts differ from those the checkpoint was trained on " +
                                               $"({string.Join(",", info.Taxonomy.ClassNames)})");
            }
            if (test.ImageSize != info.Model.ImageSize)
            {
                int size = test.ImageSize;
                test.Dispose();
                throw new InvalidDataException($"--data {dir}: images are {size}px, the checkpoint expects {info.Model.ImageSize}px");
            }
        }
        else
        {
            generator = new PartShapesGenerator(config.PartShapes.ToOptions(info.Model.ImageSize, config.Classes, config.DataSeed));
            test = generator.Generate(PartShapesSplit.Test, testSize ?? config.TestSize);
        }
        if (device.type == DeviceType.CPU) return test;
        using (test) return test.To(device);
    }
}
