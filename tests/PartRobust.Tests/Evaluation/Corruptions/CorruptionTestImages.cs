namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>Small deterministic "natural-ish" images (gradients, a disc, stripes, mild texture) and PSNR.</summary>
internal static class CorruptionTestImages
{
    public static float[] Natural(int w, int h)
    {
        int px = w * h;
        var img = new float[3 * px];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double u = (double)x / w, v = (double)y / h;
                double disc = (u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4) < 0.06 ? 1 : 0;
                double stripes = (x / 3 + y / 5) % 2 == 0 ? 0.08 : -0.08;
                double tex = 0.05 * Math.Sin(x * 1.7 + y * 0.9) * Math.Cos(y * 2.3 - x * 0.4);
                int i = y * w + x;
                img[i] = (float)Math.Clamp(0.25 + 0.4 * u + 0.35 * disc + stripes * (1 - disc) + tex, 0, 1);
                img[px + i] = (float)Math.Clamp(0.55 - 0.3 * v + 0.1 * disc + tex, 0, 1);
                img[2 * px + i] = (float)Math.Clamp(0.3 + 0.3 * u * v - 0.2 * disc + stripes + tex, 0, 1);
            }
        return img;
    }

    public static double Psnr(float[] a, float[] b)
    {
        double mse = 0;
        for (int i = 0; i < a.Length; i++) mse += (a[i] - b[i]) * (double)(a[i] - b[i]);
        mse /= a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }
}
