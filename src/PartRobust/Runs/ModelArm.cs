using PartRobust.Models;
using PartRobust.Training;

namespace PartRobust.Runs;

/// <summary>
/// One model of a run as the config names it: a registered model, optionally as the control arm of the part-label
/// experiment, <c>NAME:no-part-labels</c> — the same architecture trained with c_seg = 0, so no gradient reaches it from
/// the part masks (the segmenter is then just the first layers of a classifier). Comparing a part model with its control
/// measures the effect of part supervision with the architecture held fixed.
/// </summary>
public sealed record ModelArm
{
    /// <summary>Suffix of the control arm.</summary>
    public const string NoPartLabelsSuffix = ModelRegistry.NoPartLabelsSuffix;

    /// <summary>The key as written in the config, e.g. <c>part-downsampled:no-part-labels</c>; unique within a run.</summary>
    public required string Key { get; init; }
    /// <summary>The registered model, e.g. <c>part-downsampled</c>.</summary>
    public required string Model { get; init; }
    /// <summary>Whether this is the control arm (trained with c_seg = 0).</summary>
    public required bool NoPartLabels { get; init; }

    /// <summary>Parses a config model key.</summary>
    /// <exception cref="ArgumentException">Unknown model, or the suffix on a model that has no part labels to drop.</exception>
    public static ModelArm Parse(string key)
    {
        bool control = key.EndsWith(NoPartLabelsSuffix, StringComparison.Ordinal);
        string model = control ? key[..^NoPartLabelsSuffix.Length] : key;
        ModelRegistry.DisplayName(model); // names an unknown model
        if (control && !ModelRegistry.IsPartModel(model))
            throw new ArgumentException($"--models {key}: {model} is not a part model, so it has no part labels to train without");
        return new ModelArm { Key = key, Model = model, NoPartLabels = control };
    }

    /// <summary>The control arm of part model <paramref name="model"/>.</summary>
    public static string ControlKey(string model) => model + NoPartLabelsSuffix;

    /// <summary>The c_seg this arm trains with: 0 for the control arm, else the run's.</summary>
    public double SegWeight(TrainOptions train) => NoPartLabels ? 0 : train.SegWeight;

    /// <summary>The run's training options with this arm's c_seg.</summary>
    public TrainOptions TrainOptions(TrainOptions train) => train with { SegWeight = SegWeight(train) };

    /// <summary>Whether the model is a part model (the control arm's architecture is one too).</summary>
    public bool IsPartModel => ModelRegistry.IsPartModel(Model);

    /// <summary>"Downsampled part model", or "Downsampled part model (no part labels)" for a part model trained with c_seg = 0.</summary>
    public string DisplayName(TrainOptions train) => Display(Model, IsPartModel ? SegWeight(train) : null);

    /// <summary>The display name of <paramref name="model"/> trained with <paramref name="segWeight"/> (null for a plain classifier).</summary>
    public static string Display(string model, double? segWeight) =>
        ModelRegistry.DisplayName(model) + (segWeight == 0 ? " (no part labels)" : "");

    /// <summary>The arm key of a saved model: <c>NAME:no-part-labels</c> for a part model trained with c_seg = 0, else NAME.</summary>
    public static string KeyOf(string model, double? segWeight) =>
        ModelRegistry.IsPartModel(model) && segWeight == 0 ? ControlKey(model) : model;

    /// <summary>File-name stem of the arm's checkpoint and figures (':' is not allowed in Windows file names).</summary>
    public string FileStem => Key.Replace(':', '.');
}
