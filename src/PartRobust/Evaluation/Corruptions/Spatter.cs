using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C extra <c>spatter</c> as imagecorruptions (<c>imagecorruptions/corruptions.py</c>, <c>spatter</c>): a liquid
/// layer N(c0, c1) per pixel is smoothed by skimage <c>gaussian</c> (σ c2, mode 'nearest') and zeroed below c3.
/// <para>Water (c5 = 0): the layer as uint8 (⌊255·v⌋) → Canny(50, 150) → distance of every pixel to the nearest edge
/// (<c>distanceTransform</c> DIST_L2, mask 5) → truncated at 20 → 3×3 box blur → uint8 → <c>equalizeHist</c> → emboss
/// <c>filter2D</c> with [[−2,−1,0],[−1,1,1],[0,1,2]] → 3×3 box blur; m = layer·dist / max(layer·dist) · c4 and the output is
/// clip(x + m·(175, 238, 238)/255) per (R, G, B): a pale-turquoise, brightening film inside the liquid; pixels where the layer
/// is 0 are unchanged. (The library's colour array is built in the order 175, 238, 238 and its <c>BGR2BGRA</c>/<c>BGRA2BGR</c>
/// conversions only add/drop alpha without reordering, so on the RGB array PIL gives it, 175 lands on red: pale turquoise
/// #AFEEEE, as its comment says.)</para>
/// <para>Mud (c5 = 1): m = gaussian(1[layer &gt; c3], σ c4), zeroed below 0.8; output clip(x·(1 − m) + m·(63, 42, 20)/255),
/// dark brown on R, G, B.</para>
/// Tables (c0…c5): ImageNet as imagecorruptions (= make_imagenet_c.py) (.65,.3,4,.69,.6,0), (.65,.3,3,.68,.6,0),
/// (.65,.3,2,.68,.5,0), (.65,.3,1,.65,1.5,1), (.67,.4,1,.65,1.5,1); CIFAR-10-C from make_cifar_c.py (.62,.1,.7,.7,.5,0),
/// (.65,.1,.8,.7,.5,0), (.65,.3,1,.69,.5,0), (.65,.1,.7,.69,.6,1), (.65,.1,.5,.68,.6,1).
/// Remaining differences from the library: (1) the normal draws come from our xoshiro stream, not numpy's; (2) OpenCV's
/// routines are managed re-implementations of OpenCV's own C++ code (<see cref="CannyEdges"/>, <see cref="ChamferDistance"/>
/// in 16.16 fixed point, <see cref="OpenCvGrayFilters"/>); opencv-python wheels built with IPP may run IPP's
/// Canny/distanceTransform/box filter instead, whose float rounding can move a truncated distance by one level; (3) when the water
/// layer has no positive pixel (possible on tiny images) the library divides 0 by 0 and returns garbage (NaN cast to uint8),
/// here the image is returned unchanged; (4) the mud mask is filtered in double where recent skimage keeps float32, and the
/// blend is in double (the water blend is in float32 as the library's); (5) no final uint8 quantisation (the
/// <c>np.uint8</c> of <c>corrupt</c>), like the other corruptions here; (6) any image size is accepted (the library requires
/// at least 32×32). A layer value above 1 wraps modulo 256 when cast to uint8, as numpy's cast does on x86 (only the CIFAR
/// severity-3 water layer, σ 1 and scale .3, can reach it).
/// </summary>
public sealed class Spatter : ICorruption
{
    internal readonly record struct Params(double Loc, double Scale, double Sigma, double Threshold, double Strength, int Mode);

    internal static readonly Params[] ImageNetC =
    {
        new(0.65, 0.3, 4, 0.69, 0.6, 0), new(0.65, 0.3, 3, 0.68, 0.6, 0), new(0.65, 0.3, 2, 0.68, 0.5, 0),
        new(0.65, 0.3, 1, 0.65, 1.5, 1), new(0.67, 0.4, 1, 0.65, 1.5, 1),
    };

    internal static readonly Params[] CifarC =
    {
        new(0.62, 0.1, 0.7, 0.7, 0.5, 0), new(0.65, 0.1, 0.8, 0.7, 0.5, 0), new(0.65, 0.3, 1, 0.69, 0.5, 0),
        new(0.65, 0.1, 0.7, 0.69, 0.6, 1), new(0.65, 0.1, 0.5, 0.68, 0.6, 1),
    };

    /// <summary>Pale turquoise (175, 238, 238)/255 as float32, added to R, G, B.</summary>
    internal static readonly float[] WaterColor = { (float)(175 / 255.0), (float)(238 / 255.0), (float)(238 / 255.0) };

    /// <summary>Mud brown (63, 42, 20)/255 for R, G, B.</summary>
    internal static readonly double[] MudColor = { 63 / 255.0, 42 / 255.0, 20 / 255.0 };

    static readonly double[] Emboss = { -2, -1, 0, -1, 1, 1, 0, 1, 2 };

    /// <inheritdoc />
    public string Name => "spatter";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        var liquid = LiquidLayer(width, height, c, seed);
        int px = width * height;
        var o = new float[3 * px];
        if (c.Mode == 0)
        {
            var m = WaterLayer(liquid, width, height, c.Strength);
            for (int ch = 0; ch < 3; ch++)
                for (int i = 0; i < px; i++)
                    o[ch * px + i] = WeatherDigitalArgs.Clip01(image[ch * px + i] + m[i] * WaterColor[ch]);
        }
        else
        {
            var m = MudMask(liquid, width, height, c.Threshold, c.Strength);
            for (int ch = 0; ch < 3; ch++)
                for (int i = 0; i < px; i++)
                    o[ch * px + i] = WeatherDigitalArgs.Clip01(image[ch * px + i] * (1 - m[i]) + m[i] * MudColor[ch]);
        }
        return o;
    }

    /// <summary>The liquid layer: N(loc, scale) per pixel, skimage gaussian (σ, 'nearest'), values below the threshold set to 0.</summary>
    internal static double[] LiquidLayer(int width, int height, Params c, ulong seed)
    {
        var rng = new PartShapesRandom(seed);
        var layer = new double[width * height];
        for (int i = 0; i < layer.Length; i++) layer[i] = c.Loc + c.Scale * rng.Normal();
        layer = GaussianFilter.ApplyNearest(layer, 1, width, height, c.Sigma);
        for (int i = 0; i < layer.Length; i++) if (layer[i] < c.Threshold) layer[i] = 0;
        return layer;
    }

    /// <summary>The water amount m per pixel (before the colour), in [0, strength]; 0 wherever the layer is 0.</summary>
    internal static float[] WaterLayer(double[] liquid, int width, int height, double strength)
    {
        int px = width * height;
        var layer = new byte[px];
        for (int i = 0; i < px; i++) layer[i] = unchecked((byte)(int)(liquid[i] * 255)); // numpy astype(uint8): truncate (wraps)
        var edges = CannyEdges.Detect(layer, width, height, 50, 150);
        var notEdge = new byte[px];
        for (int i = 0; i < px; i++) notEdge[i] = (byte)(255 - edges[i]);
        var dist = ChamferDistance.L2Mask5(notEdge, width, height);
        for (int i = 0; i < px; i++) if (dist[i] > 20f) dist[i] = 20f; // THRESH_TRUNC at 20
        var blurred = OpenCvGrayFilters.Blur3(dist, width, height);
        var level = new byte[px];
        for (int i = 0; i < px; i++) level[i] = (byte)(int)blurred[i]; // astype(uint8) of 0…20
        var embossed = OpenCvGrayFilters.Filter2D(OpenCvGrayFilters.EqualizeHist(level), width, height, Emboss, 3);
        var shade = OpenCvGrayFilters.Blur3(embossed, width, height);
        var m = new float[px];
        float max = 0;
        for (int i = 0; i < px; i++) { m[i] = layer[i] * (float)shade[i]; max = Math.Max(max, m[i]); }
        if (max == 0) return new float[px]; // the library divides 0 by 0 here
        float s = (float)strength;
        for (int i = 0; i < px; i++) m[i] = m[i] / max * s;
        return m;
    }

    /// <summary>The mud mask: gaussian(1[layer &gt; threshold], σ) with values below 0.8 set to 0.</summary>
    internal static double[] MudMask(double[] liquid, int width, int height, double threshold, double sigma)
    {
        var mask = new double[liquid.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = liquid[i] > threshold ? 1 : 0;
        mask = GaussianFilter.ApplyNearest(mask, 1, width, height, sigma);
        for (int i = 0; i < mask.Length; i++) if (mask[i] < 0.8) mask[i] = 0;
        return mask;
    }
}
