using CorruptionRegistry = PartRobust.Evaluation.Corruptions.CorruptionRegistry;

namespace PartRobust.Evaluation.Robustness;

/// <summary>One model's general-robustness measurements; accuracies are fractions in [0,1].</summary>
public sealed record GeneralRobustnessResult
{
    /// <summary>Clean accuracy on the same images.</summary>
    public required double CleanAccuracy { get; init; }

    /// <summary>Accuracy per corruption name and severity; empty when the corruption suite did not run.</summary>
    public Dictionary<string, Dictionary<int, double>> Corruptions { get; init; } = new();

    /// <summary>Shape-bias counts on the cue-conflict images; null when the texture suite did not run.</summary>
    public ShapeBiasResult? CueConflict { get; init; }

    /// <summary>Accuracy per background variant (report names, e.g. <c>mixed_rand</c>); empty when the background suite did not run.</summary>
    public Dictionary<string, double> Background { get; init; } = new();

    /// <summary>Seconds this model spent in forward passes.</summary>
    public double Seconds { get; init; }

    /// <summary>
    /// Mean over the ImageNet-C benchmark corruptions and severities measured (the extras are left out, as in
    /// ImageNet-C); when only extras were measured, the mean over them. Null without corruptions.
    /// </summary>
    public double? CorruptionAccuracy => MeanCorruptionAccuracy(Corruptions);

    /// <summary>acc(<c>mixed_same</c>) − acc(<c>mixed_rand</c>); null when either is missing.</summary>
    public double? BgGap => Background.TryGetValue("mixed_same", out var same) && Background.TryGetValue("mixed_rand", out var rand)
        ? Robustness.BgGap.Compute(same, rand) : null;

    /// <summary>See <see cref="CorruptionAccuracy"/>.</summary>
    public static double? MeanCorruptionAccuracy(IReadOnlyDictionary<string, Dictionary<int, double>> corruptions)
    {
        if (corruptions.Count == 0) return null;
        var benchmark = corruptions.Where(kv => CorruptionRegistry.Benchmark.Contains(kv.Key)).ToList();
        var used = benchmark.Count > 0 ? benchmark : corruptions.ToList();
        return used.SelectMany(kv => kv.Value.Values).Average();
    }
}
