using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>fog</c> as imagecorruptions: x + c0·plasma, where plasma is a diamond-square map of side
/// next_power_of_2(max(H, W, 3)) cropped to the top-left H×W (the same map for all channels), then scaled by
/// max(x)/(max(x)+c0) and clipped. (c0, wibble decay) = (1.5,2),(2,2),(2.5,1.7),(2.5,1.5),(3,1.4) (ImageNet) or
/// (.2,3),(.5,3),(.75,2.5),(1,2),(1.5,1.75) (CIFAR-10-C, which hendrycks' script draws at mapsize 32; here the map size
/// follows the image as imagecorruptions does). The random stream is ours (xoshiro), not numpy's.
/// </summary>
public sealed class Fog : ICorruption
{
    static readonly (double Strength, double Decay)[] ImageNetC = { (1.5, 2), (2, 2), (2.5, 1.7), (2.5, 1.5), (3, 1.4) };
    static readonly (double Strength, double Decay)[] CifarC = { (.2, 3), (.5, 3), (.75, 2.5), (1, 2), (1.5, 1.75) };

    /// <inheritdoc />
    public string Name => "fog";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        // np.max of the (H, W, 3) shape: the channel count takes part.
        int n = PlasmaFractal.NextPowerOf2(Math.Max(3, Math.Max(width, height)));
        var plasma = PlasmaFractal.Generate(n, c.Decay, new PartShapesRandom(seed));
        double maxVal = 0;
        foreach (float v in image) maxVal = Math.Max(maxVal, v);
        double scale = maxVal / (maxVal + c.Strength);
        int px = width * height;
        var o = new float[3 * px];
        for (int ch = 0; ch < 3; ch++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    o[ch * px + i] = WeatherDigitalArgs.Clip01((image[ch * px + i] + c.Strength * plasma[y * n + x]) * scale);
                }
        return o;
    }
}
