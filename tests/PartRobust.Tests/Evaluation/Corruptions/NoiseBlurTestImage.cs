namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>A fixed "natural-ish" planar RGB test image: smooth gradients, a disc edge, a stripe texture.</summary>
static class NoiseBlurTestImage
{
    public static float[] Make(int w, int h)
    {
        var img = new float[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double u = (x + 0.5) / w, v = (y + 0.5) / h;
                bool disc = (u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4) < 0.06;
                double stripes = 0.5 + 0.5 * Math.Sin(2 * Math.PI * (3 * u + 2 * v));
                double r = 0.2 + 0.5 * u + (disc ? 0.25 : 0);
                double g = 0.15 + 0.6 * v * stripes;
                double b = disc ? 0.85 : 0.3 + 0.3 * (1 - u) * v;
                img[0 * w * h + y * w + x] = (float)Math.Clamp(r, 0, 1);
                img[1 * w * h + y * w + x] = (float)Math.Clamp(g, 0, 1);
                img[2 * w * h + y * w + x] = (float)Math.Clamp(b, 0, 1);
            }
        return img;
    }

    public static double Psnr(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double mse = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; mse += d * d; }
        mse /= a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }
}
