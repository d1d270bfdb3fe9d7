using System.Text.Json;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using PartRobust.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// The models of a <c>train</c>/<c>demo</c> run, from construction to their results. Each model is built, trained,
/// checkpointed and attacked in turn (PGD and the rest on all cores); the AutoAttack subsets of all of them are then
/// attacked side by side (<see cref="ExperimentRunner.RunAutoAttackInParallel"/>), the results completed in model order
/// and, when configured, the general-robustness suite run. With a <see cref="RunTensorBoard"/>, each model's epochs and
/// adversarial-examples figure go to its TensorBoard log. The models are disposed at the end, whether the run got there
/// or not.
/// </summary>
internal sealed class ExperimentModels : IDisposable
{
    /// <summary>What the models came to: their results, the overlay figure's mask predictions and the robustness settings.</summary>
    internal sealed record Outcome(List<ModelResult> Results, List<(string, long[], int[])> OverlayPredictions, RobustnessSettings? Robustness);

    /// <summary>One model of the run; <see cref="Trained"/> and <see cref="Checkpoint"/> are set once it is trained.</summary>
    sealed class Entry(nn.Module<Tensor, Tensor> model, ModelArm arm, ModelSpec spec, ModelEvaluation evaluation, TensorBoardLog? log)
    {
        public nn.Module<Tensor, Tensor> Model { get; } = model;
        public ModelArm Arm { get; } = arm;
        public ModelSpec Spec { get; } = spec;
        public ModelEvaluation Evaluation { get; } = evaluation;
        public TensorBoardLog? Log { get; } = log;
        public TrainResult? Trained { get; set; }
        public string Checkpoint { get; set; } = "";
    }

    /// <summary>TensorBoard tag of a model's adversarial-examples figure, logged at the step of the epoch whose weights it shows.</summary>
    const string AdversarialExamplesTag = "adversarial_examples";

    readonly ExperimentConfig config;
    readonly ExperimentData data;
    readonly PartDataset attackSet;
    readonly RunDirectory run;
    readonly Device device;
    readonly IProgressSink progress;
    readonly RunTensorBoard? tensorBoard;
    readonly JsonElement configJson;
    readonly List<Entry> models = new();

    ExperimentModels(ExperimentConfig config, ExperimentData data, PartDataset attackSet, RunDirectory run, Device device, IProgressSink progress,
        RunTensorBoard? tensorBoard)
    {
        this.config = config;
        this.data = data;
        this.attackSet = attackSet;
        this.run = run;
        this.device = device;
        this.progress = progress;
        this.tensorBoard = tensorBoard;
        configJson = JsonSerializer.SerializeToElement(config, JsonFiles.Options);
    }

    /// <summary>
    /// Trains and evaluates every model of <paramref name="config"/>, writing checkpoints and per-model files into
    /// <paramref name="run"/> and, when given, TensorBoard logs into <paramref name="tensorBoard"/>.
    /// </summary>
    public static Outcome TrainAndEvaluate(ExperimentConfig config, ExperimentData data, PartDataset attackSet, RunDirectory run,
        Device device, IProgressSink progress, RunTensorBoard? tensorBoard)
    {
        Directory.CreateDirectory(run.PathOf("checkpoints"));
        using var models = new ExperimentModels(config, data, attackSet, run, device, progress, tensorBoard);
        foreach (var (key, index) in config.Models.Select((m, i) => (m, i)))
            models.TrainAndAttack(ModelArm.Parse(key), index);
        ExperimentRunner.RunAutoAttackInParallel(models.models.Select(m => m.Evaluation).ToList());
        var (results, overlay) = models.CompleteResults();
        RobustnessSettings? robustness = null;
        if (config.Robustness.Enabled) (results, robustness) = models.MeasureGeneralRobustness(results);
        return new Outcome(results, overlay, robustness);
    }

    /// <summary>Disposes the models.</summary>
    public void Dispose()
    {
        foreach (var m in models) m.Model.Dispose();
    }

    /// <summary>Builds, trains, checkpoints and attacks model <paramref name="index"/> of the run.</summary>
    void TrainAndAttack(ModelArm arm, int index)
    {
        manual_seed(config.Train.Seed);
        var spec = ModelSpec.For(arm.Model, data.Taxonomy, data.ImageSize, config.EffectiveWidth, config.Segmenter, config.Background);
        var model = ModelRegistry.Create(spec);
        var trainOptions = arm.TrainOptions(config.Train);
        string display = arm.DisplayName(config.Train);
        LoadInitialWeights(model, arm, display);
        long parameters = model.ParameterCount();
        var entry = new Entry(model, arm, spec,
            new ModelEvaluation(model, arm.Key, display, parameters, data.Test, attackSet, config.Eval, progress), tensorBoard?.ForModel(arm.FileStem));
        models.Add(entry); // listed before training, so that a failed training still disposes it
        model.to(device);
        progress.Log($"{display} ({arm.Key}): {parameters:N0} parameters" + (arm.IsPartModel ? $", c_seg = {trainOptions.SegWeight:G4}" : ""));

        entry.Trained = Trainer.Train(model, data.Train, data.Val, trainOptions, progress, arm.Key,
            new ResumeOptions(run.ResumeStatePath(index, arm.FileStem)), entry.Log);
        string checkpointStem = Path.Combine("checkpoints", arm.FileStem);
        Checkpoint.Save(run.PathOf(checkpointStem), model,
            new CheckpointInfo { Model = spec, Taxonomy = data.Taxonomy, Train = trainOptions, Config = configJson });
        entry.Evaluation.RunAttacks();
        entry.Checkpoint = checkpointStem + ".safetensors";
    }

    /// <summary>
    /// The weights a model starts from when the config names them (a torchvision backbone or saved weights); the model
    /// is disposed if they fail to load, as it is not listed yet.
    /// </summary>
    void LoadInitialWeights(nn.Module<Tensor, Tensor> model, ModelArm arm, string display)
    {
        try
        {
            if (config.PretrainedBackbone is { } backboneFile)
            {
                var loaded = TorchvisionResNetImport.ImportBackbone(model, backboneFile);
                progress.Log($"{display}: {loaded.Filled} backbone tensors loaded from {backboneFile}" +
                             (loaded.Unused.Count > 0 ? $" (not used: {WeightTransfer.ListNames(loaded.Unused)})" : ""));
            }
            if (config.InitFrom is { } init) progress.Log($"{display}: initial weights from {InitialWeights.Load(model, init, arm.FileStem)}");
        }
        catch (Exception) { model.Dispose(); throw; }
    }

    /// <summary>Each model's result, in model order, with the mask predictions of the part models for the overlay figure.</summary>
    (List<ModelResult> Results, List<(string, long[], int[])> Overlay) CompleteResults()
    {
        var results = new List<ModelResult>();
        var overlay = new List<(string, long[], int[])>();
        int overlayCount = ExperimentRunner.OverlayCount(config, data.Test);
        foreach (var m in models)
        {
            var result = m.Evaluation.Finish() with
            {
                TrainSeconds = m.Trained!.Seconds,
                AdvTrainImagesPerSecond = m.Trained.AdvImagesPerSecond,
                Checkpoint = m.Checkpoint,
                History = m.Trained.History,
                SegWeight = m.Arm.IsPartModel ? m.Arm.SegWeight(config.Train) : null,
            };
            result = AdversarialExamplesFigure.WriteRunFiles(run.WorkPath, result.WithArchitecture(m.Spec), data.Taxonomy);
            if (m.Log is not null && result.AdversarialExamplesFigure is { } figure)
                m.Log.AddFigure(AdversarialExamplesTag, run.PathOf(figure), m.Trained.SelectedEpoch);
            results.Add(result);
            if (m.Model is IPartModel part && overlayCount > 0)
                overlay.Add((result.DisplayName, PredictMasks(part, data.Test, overlayCount),
                    Evaluator.Predictions(m.Model, data.Test.Take(overlayCount), overlayCount).Select(p => (int)p).ToArray()));
        }
        return (results, overlay);
    }

    /// <summary>The general-robustness suite on the models; mCE relative to the configured (or default) baseline.</summary>
    (List<ModelResult>, RobustnessSettings) MeasureGeneralRobustness(List<ModelResult> results)
    {
        var options = config.Robustness.ToOptions();
        int? baseline = GeneralRobustnessReport.ResolveBaseline(config.Robustness.Baseline, config.Models);
        return RunFinisher.MeasureGeneralRobustness(run, models.Select(m => m.Model).ToList(), results, data.Test, options,
            data.Generator, baseline, config.Models, progress);
    }

    static long[] PredictMasks(IPartModel model, PartDataset test, int n)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var mode = EvalMode.Enter((nn.Module)model);
        var (_, parts) = model.ForwardWithParts(test.Images[..n]);
        return parts.argmax(1).cpu().data<long>().ToArray();
    }
}
