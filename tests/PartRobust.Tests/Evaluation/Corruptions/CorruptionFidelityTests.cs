using PartRobust.Evaluation.Corruptions;
using Xunit;
using Xunit.Abstractions;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>
/// Every random corruption is as strong as bethgelab/imagecorruptions' on average: on <see cref="FidelityImage"/> (64 px),
/// the mean absolute change (0–255) averaged over seeds is within ±10% of the library's at each severity (ImageNet table).
/// </summary>
public class CorruptionFidelityTests(ITestOutputHelper output)
{
    const int Size = 64;
    const double Tolerance = 0.10;

    // Enough seeds for a standard error of the mean near 2%: spatter's and frost's change varies most from seed to seed
    // (coefficient of variation up to 0.44 and 0.38 in the reference), the others' at most 0.14.
    static int Seeds(string name) => name is "spatter" or "frost" ? 300 : 60;

    // The library's values: docs/corruption-fidelity.md, reference_mean_change.py --seeds 300 (numpy seeds 0–299).
    static readonly Dictionary<string, double[]> Reference = new()
    {
        ["gaussian_noise"] = [16.252, 24.189, 35.488, 48.888, 64.763],
        ["shot_noise"] = [18.564, 28.232, 39.611, 57.873, 71.836],
        ["impulse_noise"] = [3.832, 7.656, 11.503, 21.706, 34.436],
        ["speckle_noise"] = [15.890, 20.942, 35.216, 43.859, 55.058],
        ["glass_blur"] = [13.467, 13.936, 18.129, 17.753, 18.805],
        ["motion_blur"] = [12.066, 15.657, 18.390, 20.623, 22.152],
        ["snow"] = [43.155, 69.818, 69.413, 81.790, 97.104],
        ["frost"] = [61.685, 67.791, 71.198, 66.892, 68.908],
        ["fog"] = [33.756, 37.211, 40.251, 40.551, 42.342],
        ["elastic_transform"] = [10.456, 13.032, 15.841, 17.438, 19.039],
        ["spatter"] = [1.957, 5.867, 8.488, 10.354, 16.519],
    };

    public static TheoryData<string> RandomCorruptions() => new(Reference.Keys);

    [Theory]
    [MemberData(nameof(RandomCorruptions))]
    public void Mean_change_per_severity_is_within_ten_percent_of_the_reference(string name)
    {
        var img = FidelityImage.Make(Size);
        var corruption = CorruptionRegistry.Get(name);
        var ratios = new double[5];
        for (int s = 1; s <= 5; s++)
        {
            int seeds = Seeds(name);
            double mean = 0;
            for (ulong seed = 0; seed < (ulong)seeds; seed++) mean += FidelityImage.MeanChange(corruption.Apply(img, Size, Size, s, seed), img) / seeds;
            ratios[s - 1] = mean / Reference[name][s - 1];
            output.WriteLine($"{name} severity {s}: {mean:F3} vs reference {Reference[name][s - 1]:F3}, ratio {ratios[s - 1]:F3}");
        }
        Assert.All(ratios, r => Assert.InRange(r, 1 - Tolerance, 1 + Tolerance));
    }
}
