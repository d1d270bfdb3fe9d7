using PartRobust.Evaluation.Robustness;
using Xunit;

namespace PartRobust.Tests.Evaluation.Robustness;

public sealed class CorruptionErrorsTests
{
    static GeneralRobustnessResult Result(double clean, params (string Name, double[] Accs)[] corruptions) => new()
    {
        CleanAccuracy = clean,
        Corruptions = corruptions.ToDictionary(c => c.Name, c => c.Accs.Select((a, i) => (a, i)).ToDictionary(p => p.i + 1, p => p.a)),
    };

    [Fact]
    public void Ce_is_summed_errors_over_the_baselines_and_mce_averages_the_benchmark_corruptions()
    {
        // fog: errors 0.1 + 0.3 = 0.4 vs baseline 0.4 + 0.4 = 0.8 → 0.5; contrast: 0.6 vs 0.4 → 1.5; saturate (extra): left out of mCE.
        var model = Result(0.95, ("fog", [0.9, 0.7]), ("contrast", [0.8, 0.6]), ("saturate", [0.0, 0.0]));
        var baseline = Result(0.9, ("fog", [0.6, 0.6]), ("contrast", [0.8, 0.8]), ("saturate", [0.5, 0.5]));
        var ce = CorruptionErrors.Compute(model, baseline);
        Assert.Equal(0.5, ce.PerCorruption["fog"]!.Value, 12);
        Assert.Equal(1.5, ce.PerCorruption["contrast"]!.Value, 12);
        Assert.Equal(2.0, ce.PerCorruption["saturate"]!.Value, 12);
        Assert.Equal(1.0, ce.Mce!.Value, 12);
        // Relative: fog (0.4 − 2·0.05) / (0.8 − 2·0.1) = 0.5; contrast (0.6 − 0.1) / (0.4 − 0.2) = 2.5 → mean 1.5.
        Assert.Equal(1.5, ce.RelativeMce!.Value, 12);
        // Relative to itself every CE is 1.
        var self = CorruptionErrors.Compute(baseline, baseline);
        Assert.All(self.PerCorruption.Values, v => Assert.Equal(1.0, v!.Value, 12));
    }

    [Fact]
    public void A_baseline_without_errors_leaves_ce_undefined_not_infinite()
    {
        var model = Result(1, ("fog", [0.5]));
        var perfect = Result(1, ("fog", [1.0]));
        var ce = CorruptionErrors.Compute(model, perfect);
        Assert.Null(ce.PerCorruption["fog"]);
        Assert.Null(ce.Mce);
        Assert.Null(ce.RelativeMce);
    }

    [Fact]
    public void Only_severities_both_models_measured_count()
    {
        var model = new GeneralRobustnessResult { CleanAccuracy = 1, Corruptions = new() { ["fog"] = new() { [1] = 0.5, [3] = 0.0 } } };
        var baseline = new GeneralRobustnessResult { CleanAccuracy = 1, Corruptions = new() { ["fog"] = new() { [1] = 0.75 } } };
        Assert.Equal(2.0, CorruptionErrors.Compute(model, baseline).PerCorruption["fog"]!.Value, 12);
    }
}
