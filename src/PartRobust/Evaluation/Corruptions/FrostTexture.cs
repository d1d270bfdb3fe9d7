using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// A procedural, seeded stand-in for imagecorruptions' frost photographs (no image files are shipped), one
/// <see cref="FrostStyle"/> per photograph frost1–5 (the library's <c>randint(5)</c> file index). A structure field (a
/// diamond-square haze from <see cref="PlasmaFractal"/>, bright ice needles with side branches at ±60° and a fine uniform
/// grain) is mapped by rank onto the photograph's gray-level distribution and coloured by its channels' lines on gray.
/// Needle sizes are in pixels because the library crops its photographs at a fixed 1.1× scale whatever the image size.
/// Planar RGB [3,H,W] in [0,1].
/// </summary>
internal static class FrostTexture
{
    /// <summary>A frost texture of the given size in the style (0–4) of photograph frost(style + 1).</summary>
    public static double[] Generate(int w, int h, int style, PartShapesRandom rng)
    {
        var s = FrostStyle.All[style];
        var structure = Structure(w, h, s, rng);
        var gray = MapByRank(structure, s.GrayQuantiles);
        return Colour(gray, s);
    }

    /// <summary>Haze plus needles plus per-pixel grain: only its order matters, <see cref="MapByRank"/> sets the values.</summary>
    internal static double[] Structure(int w, int h, FrostStyle s, PartShapesRandom rng)
    {
        int n = PlasmaFractal.NextPowerOf2(Math.Max(w, h));
        var plasma = PlasmaFractal.Generate(n, s.HazeDecay, rng);
        int px = w * h;
        var ice = new double[px];
        int needles = Math.Max(1, (int)Math.Round(s.NeedlesPer1000Px * px / 1000.0));
        for (int k = 0; k < needles; k++)
        {
            double x0 = rng.Uniform(0, w), y0 = rng.Uniform(0, h), angle = rng.Uniform(0, Math.PI);
            double len = rng.Uniform(0.3, 1.0) * s.NeedleLength + 2, bright = rng.Uniform(0.35, 0.8);
            Streak(ice, w, h, x0, y0, angle, len, bright);
            int branches = rng.Next(4);
            for (int b = 0; b < branches; b++)
            {
                double t = rng.Uniform(0.2, 0.9) * len;
                double bx = x0 + t * Math.Cos(angle), by = y0 + t * Math.Sin(angle);
                Streak(ice, w, h, bx, by, angle + rng.Sign() * Math.PI / 3, len * rng.Uniform(0.15, 0.35), bright * 0.8);
            }
        }
        var o = new double[px];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) o[y * w + x] = s.HazeWeight * plasma[y * n + x] + ice[y * w + x] + s.Grain * rng.NextDouble();
        return o;
    }

    /// <summary>
    /// The value of rank r (of N) becomes the quantile function at (r + ½)/N, linear between the given quantiles at
    /// <see cref="FrostStyle.QuantileLevels"/>: the texture gets the photograph's gray-level distribution exactly.
    /// </summary>
    internal static double[] MapByRank(double[] structure, double[] quantiles)
    {
        var order = new int[structure.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort((double[])structure.Clone(), order);
        var levels = FrostStyle.QuantileLevels;
        var o = new double[structure.Length];
        int segment = 0;
        for (int r = 0; r < order.Length; r++)
        {
            double p = (r + 0.5) / order.Length;
            while (p > levels[segment + 1]) segment++;
            double t = (p - levels[segment]) / (levels[segment + 1] - levels[segment]);
            o[order[r]] = quantiles[segment] + t * (quantiles[segment + 1] - quantiles[segment]);
        }
        return o;
    }

    static double[] Colour(double[] gray, FrostStyle s)
    {
        int px = gray.Length;
        var o = new double[3 * px];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < px; i++) o[c * px + i] = Math.Clamp(s.ChannelOffset[c] + s.ChannelSlope[c] * gray[i], 0, 1);
        return o;
    }

    // A thin needle: brightness fading towards the tip, splatted bilinearly, max-combined.
    static void Streak(double[] ice, int w, int h, double x0, double y0, double angle, double len, double bright)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (double t = 0; t <= len; t += 0.5)
        {
            double x = x0 + t * cos, y = y0 + t * sin, v = bright * (1 - 0.6 * t / len);
            int xi = (int)Math.Floor(x), yi = (int)Math.Floor(y);
            double fx = x - xi, fy = y - yi;
            Splat(ice, w, h, xi, yi, v * (1 - fx) * (1 - fy));
            Splat(ice, w, h, xi + 1, yi, v * fx * (1 - fy));
            Splat(ice, w, h, xi, yi + 1, v * (1 - fx) * fy);
            Splat(ice, w, h, xi + 1, yi + 1, v * fx * fy);
        }
    }

    static void Splat(double[] ice, int w, int h, int x, int y, double v)
    {
        if (x < 0 || y < 0 || x >= w || y >= h) return;
        ref double p = ref ice[y * w + x];
        if (v > p) p = v;
    }
}
