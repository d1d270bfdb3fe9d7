using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// A procedural, seeded stand-in for imagecorruptions' frost photographs (frost1–5; no image files are shipped):
/// a dim diamond-square "haze" (<see cref="PlasmaFractal"/>) plus sharp bright ice needles — straight streaks with short
/// side branches at ±60° — tinted blue-white. The style (0–4, the library's <c>randint(5)</c> file index)
/// varies haze level, needle density and length. Planar RGB [3,H,W] in [0,1].
/// </summary>
internal static class FrostTexture
{
    /// <summary>A frost texture of the given size.</summary>
    public static double[] Generate(int w, int h, int style, PartShapesRandom rng)
    {
        double haze = 0.3 + 0.04 * style, density = 1.0 + 0.25 * style, lengthScale = 0.12 + 0.03 * (4 - style);
        int n = PlasmaFractal.NextPowerOf2(Math.Max(w, h));
        var plasma = PlasmaFractal.Generate(n, 2.0, rng);
        int px = w * h;
        var ice = new double[px];
        int side = Math.Max(w, h);
        int needles = Math.Max(3, (int)(density * px / 120.0));
        for (int k = 0; k < needles; k++)
        {
            double x0 = rng.Uniform(0, w), y0 = rng.Uniform(0, h), angle = rng.Uniform(0, Math.PI);
            double len = rng.Uniform(0.3, 1.0) * lengthScale * side + 2, bright = rng.Uniform(0.35, 0.8);
            Streak(ice, w, h, x0, y0, angle, len, bright);
            int branches = rng.Next(4);
            for (int b = 0; b < branches; b++)
            {
                double t = rng.Uniform(0.2, 0.9) * len;
                double bx = x0 + t * Math.Cos(angle), by = y0 + t * Math.Sin(angle);
                Streak(ice, w, h, bx, by, angle + rng.Sign() * Math.PI / 3, len * rng.Uniform(0.15, 0.35), bright * 0.8);
            }
        }
        var o = new double[3 * px];
        double[] tint = { 0.86, 0.94, 1.0 };
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                double v = Math.Min(1, haze * (0.5 + plasma[y * n + x]) + ice[i]);
                for (int c = 0; c < 3; c++) o[c * px + i] = v * tint[c];
            }
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
