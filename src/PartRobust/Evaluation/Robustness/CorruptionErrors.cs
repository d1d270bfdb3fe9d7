using PartRobust.Evaluation.Corruptions;

namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// ImageNet-C's corruption error (Hendrycks and Dietterich 2019) relative to a baseline model measured on the same
/// images: CE_c = Σ_s E_s,c / Σ_s E^base_s,c, mCE = the mean of CE_c over the benchmark corruptions (1 = as robust as
/// the baseline, lower is better); relative CE_c = Σ_s (E_s,c − E_clean) / Σ_s (E^base_s,c − E^base_clean). The paper
/// normalises by AlexNet; a run has no AlexNet, so the baseline is one of its own models (the ResNet by default).
/// </summary>
public static class CorruptionErrors
{
    /// <summary>The result of <see cref="Compute"/>.</summary>
    /// <param name="PerCorruption">CE_c per corruption measured by both (null where the baseline has no error there).</param>
    /// <param name="Mce">Mean CE over the benchmark corruptions (over all measured if none is a benchmark one); null when any of them is undefined.</param>
    /// <param name="RelativeMce">Relative mCE; null when the baseline's summed error increase is not positive for some corruption.</param>
    public sealed record Result(Dictionary<string, double?> PerCorruption, double? Mce, double? RelativeMce);

    /// <summary>Corruption errors of <paramref name="model"/> relative to <paramref name="baseline"/>, over the severities both measured.</summary>
    public static Result Compute(GeneralRobustnessResult model, GeneralRobustnessResult baseline)
    {
        var ce = new Dictionary<string, double?>();
        var relative = new Dictionary<string, double?>();
        double cleanErr = 1 - model.CleanAccuracy, baseCleanErr = 1 - baseline.CleanAccuracy;
        foreach (var (name, accs) in model.Corruptions)
        {
            if (!baseline.Corruptions.TryGetValue(name, out var baseAccs)) continue;
            var severities = accs.Keys.Intersect(baseAccs.Keys).ToList();
            if (severities.Count == 0) continue;
            double err = severities.Sum(s => 1 - accs[s]), baseErr = severities.Sum(s => 1 - baseAccs[s]);
            ce[name] = baseErr > 0 ? err / baseErr : null;
            double relBase = baseErr - severities.Count * baseCleanErr;
            relative[name] = relBase > 0 ? (err - severities.Count * cleanErr) / relBase : null;
        }
        var keys = ce.Keys.Where(k => CorruptionRegistry.Benchmark.Contains(k)).ToList();
        if (keys.Count == 0) keys = ce.Keys.ToList();
        double? Mean(Dictionary<string, double?> d) => keys.Count > 0 && keys.All(k => d[k] is not null) ? keys.Average(k => d[k]!.Value) : null;
        return new Result(ce, Mean(ce), Mean(relative));
    }
}
