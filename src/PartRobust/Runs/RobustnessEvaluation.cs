using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// The general-robustness suite on saved checkpoints (what <c>partrobust robustness</c> calls): every checkpoint is
/// measured on the same test images, corrupted and re-backgrounded once, and a run folder with report.md, report.json
/// and the figures is written.
/// </summary>
public static class RobustnessEvaluation
{
    /// <summary>The checkpoint stems <paramref name="paths"/> name, run folders expanded.</summary>
    /// <exception cref="FileNotFoundException">A path that is neither a checkpoint nor a run folder with checkpoints.</exception>
    public static List<string> ExpandCheckpoints(IEnumerable<string> paths)
    {
        var stems = new List<string>();
        foreach (var path in paths)
        {
            if (!Directory.Exists(path)) { stems.Add(path); continue; }
            string dir = Directory.Exists(Path.Combine(path, "checkpoints")) ? Path.Combine(path, "checkpoints") : path;
            var found = Directory.GetFiles(dir, "*.json").Where(f => File.Exists(Path.ChangeExtension(f, ".safetensors")))
                .Select(f => Path.ChangeExtension(f, null)!).OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (found.Count == 0) throw new FileNotFoundException($"--checkpoint {path}: a folder without checkpoints (expected NAME.safetensors + NAME.json, or a run folder with checkpoints/)");
            string configFile = Path.Combine(path, "config.json");
            if (File.Exists(configFile))
            {
                var order = ExperimentConfig.Load(configFile).Models.Select(m => ModelArm.Parse(m).FileStem).ToList();
                found = found.OrderBy(f => order.IndexOf(Path.GetFileName(f)) is var i && i >= 0 ? i : int.MaxValue).ThenBy(f => f, StringComparer.Ordinal).ToList();
            }
            stems.AddRange(found);
        }
        if (stems.Count == 0) throw new ArgumentException("--checkpoint: at least one checkpoint is needed");
        return stems;
    }

    /// <summary>Runs the suite and writes the run folder <paramref name="outDir"/> (it appears only on success).</summary>
    public static RunReport Run(RobustnessEvaluationRequest request, string outDir, IProgressSink progress, string commandLine)
    {
        var clock = new RunClock();
        if (!request.Robustness.Enabled) throw new ArgumentException("--suite none: nothing to run");
        var options = request.Robustness.ToOptions();
        var device = ExperimentRunner.ParseDevice(request.Device);
        var stems = ExpandCheckpoints(request.Checkpoints);
        var loaded = new List<(nn.Module<Tensor, Tensor> Model, CheckpointInfo Info, string Stem)>();
        try
        {
            foreach (var stem in stems)
            {
                var (model, info) = Checkpoint.Load(stem);
                loaded.Add((model, info, stem));
                model.to(device);
                var first = loaded[0].Info;
                if (!info.Taxonomy.ClassNames.SequenceEqual(first.Taxonomy.ClassNames) || !info.Taxonomy.PartNames.SequenceEqual(first.Taxonomy.PartNames) || info.Model.ImageSize != first.Model.ImageSize)
                    throw new InvalidDataException($"--checkpoint {stem}: its classes, parts or image size differ from {loaded[0].Stem}'s; compare checkpoints trained on the same data");
            }
            var names = loaded.Select(l => ModelArm.KeyOf(l.Info.Model.Name, l.Info.Train?.SegWeight)).ToList();
            int? baseline = GeneralRobustnessReport.ResolveBaseline(request.Robustness.Baseline, names);
            var firstInfo = loaded[0].Info;
            var config = firstInfo.Config is { } json ? ExperimentConfig.FromJson(json) : new ExperimentConfig();

            using var run = new RunDirectory(outDir);
            run.WriteCommandLine(commandLine);
            using var test = CheckpointEvaluation.LoadTest(request.DataDir, request.TestSize, config, firstInfo, device, out var generator);
            progress.Log($"{loaded.Count} model{(loaded.Count == 1 ? "" : "s")}: {string.Join(", ", names)}; {test.Count} test images of {test.ImageSize}px");
            var clean = loaded.Select(l => CleanResult(l.Model, l.Info, l.Stem, test, config.Eval.BatchSize)).ToList();
            var (results, robustness) = RunFinisher.MeasureGeneralRobustness(run, loaded.Select(l => l.Model).ToList(), clean, test, options,
                generator, baseline, names, progress);
            var report = new RunReport
            {
                Settings = CheckpointEvaluation.SettingsOf(firstInfo, config, request.DataDir, test, firstInfo.Train?.Epsilon ?? 0) with
                {
                    Seeds = new Dictionary<string, long> { ["data"] = config.DataSeed, ["train"] = firstInfo.Train?.Seed ?? 0, ["robustness"] = request.Robustness.Seed },
                    GeneralRobustness = robustness,
                },
                Models = results,
                Environment = clock.Environment(device),
            };
            return RunFinisher.Finish(run, report, [], commandLine);
        }
        finally
        {
            foreach (var l in loaded) l.Model.Dispose();
        }
    }

    /// <summary>
    /// The result of a checkpoint before the suite: clean accuracy and part metrics as <c>eval</c> computes them (the
    /// checkpoint's eval batch size), so they equal the run's.
    /// </summary>
    static ModelResult CleanResult(nn.Module<Tensor, Tensor> model, CheckpointInfo info, string stem, PartDataset test, int batchSize)
    {
        double clean = Evaluator.Accuracy(model, test, batchSize);
        PartMetrics? parts = model is IPartModel part ? Evaluator.PartSegmentation(part, test, batchSize) : null;
        return new ModelResult
        {
            Name = ModelArm.KeyOf(info.Model.Name, info.Train?.SegWeight),
            DisplayName = ModelArm.Display(info.Model.Name, ModelRegistry.IsPartModel(info.Model.Name) ? info.Train?.SegWeight : null),
            Parameters = model.ParameterCount(),
            TrainSeconds = 0, CleanAccuracy = clean, CleanAccuracyAttackSubset = clean, RobustAccuracy = new(),
            PartPixelAccuracy = parts?.PixelAccuracy, PartMiou = parts?.MeanIoU,
            Checkpoint = Path.GetFullPath(stem) + ".safetensors", History = new(),
        }.WithArchitecture(info.Model);
    }
}
