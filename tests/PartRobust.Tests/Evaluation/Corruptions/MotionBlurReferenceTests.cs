using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>
/// Motion blur at a given angle is deterministic: on <see cref="FidelityImage"/> it equals imagecorruptions'
/// <c>_motion_blur</c> (values from bench/corruption-fidelity/reference_mean_change.py --motion-blur-angles, 0–255 scale).
/// </summary>
public class MotionBlurReferenceTests
{
    [Theory]
    [InlineData(1, -45, 10.9797, 191.6742, 174.8865, 130.3387, 54.7928, 82.9760, 145.1773)]
    [InlineData(1, -7.5, 11.5955, 167.0910, 178.1137, 136.4806, 63.1067, 75.7733, 144.4638)]
    [InlineData(1, 20, 13.6916, 172.3064, 176.3467, 137.3330, 71.5857, 74.0063, 145.2654)]
    [InlineData(1, 44, 13.3863, 164.1174, 177.1410, 133.2563, 76.6018, 76.2919, 148.0011)]
    [InlineData(3, -45, 18.2739, 178.7039, 176.3203, 134.3478, 77.8987, 88.5949, 140.8955)]
    [InlineData(3, -7.5, 18.7541, 171.4216, 163.4086, 141.9352, 83.1781, 63.8349, 144.7672)]
    [InlineData(3, 20, 19.1586, 176.2387, 158.7286, 143.2462, 79.8119, 57.9800, 145.9782)]
    [InlineData(3, 44, 18.7500, 171.9373, 171.0447, 142.7215, 75.1214, 60.7145, 148.4692)]
    [InlineData(5, -45, 21.6141, 171.9522, 184.7992, 138.8085, 87.3932, 96.1607, 139.3722)]
    [InlineData(5, -7.5, 21.9862, 178.5518, 162.5635, 148.3817, 94.2138, 64.1322, 148.6919)]
    [InlineData(5, 20, 22.6945, 181.9304, 154.8652, 152.2735, 91.5913, 55.5539, 150.8942)]
    [InlineData(5, 44, 22.6107, 177.1828, 158.1780, 153.1069, 85.5760, 56.3773, 151.3893)]
    public void Equals_the_reference_at_a_fixed_angle(int severity, double angleDegrees, double meanChange,
        double r1, double g1, double b1, double r2, double g2, double b2)
    {
        const int n = 64, px = n * n;
        var img = FidelityImage.Make(n);
        var (radius, sigma) = MotionBlur.ImageNetParams[severity - 1];
        var o = MotionBlur.Blur(img, n, n, radius, sigma, angleDegrees);
        Assert.Equal(meanChange, FidelityImage.MeanChange(o, img), 0.002);
        double[] expected = { r1, g1, b1, r2, g2, b2 };
        int[] pixels = { 10 * n + 50, 10 * n + 50, 10 * n + 50, 60 * n + 3, 60 * n + 3, 60 * n + 3 };
        for (int k = 0; k < 6; k++) Assert.Equal(expected[k], 255.0 * o[k % 3 * px + pixels[k]], 0.002);
    }
}
