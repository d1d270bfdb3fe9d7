namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// Pillow's <c>Image.resize</c> on 8-bit images for the BOX and NEAREST filters, reproduced from Pillow's
/// <c>Resample.c</c>: BOX is separable (horizontal pass into an 8-bit intermediate, then vertical), with Pillow's 22-bit
/// fixed-point coefficients and round-half-up; NEAREST samples source pixel floor((i+0.5)·in/out).
/// </summary>
internal static class BoxResize
{
    const int PrecisionBits = 32 - 8 - 2;

    /// <summary>BOX resize of a planar [C,H,W] byte image.</summary>
    public static byte[] Box(ReadOnlySpan<byte> src, int channels, int w, int h, int outW, int outH)
    {
        var (xb, xk) = Coefficients(w, outW);
        var (yb, yk) = Coefficients(h, outH);
        // Horizontal pass (Pillow skips a pass whose size does not change; the coefficients are then the identity anyway).
        var tmp = new byte[channels * h * outW];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < outW; x++)
                {
                    long ss = 1L << (PrecisionBits - 1);
                    var k = xk[x];
                    for (int i = 0; i < k.Length; i++) ss += src[(c * h + y) * w + xb[x] + i] * (long)k[i];
                    tmp[(c * h + y) * outW + x] = Clip8(ss);
                }
        var o = new byte[channels * outH * outW];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outH; y++)
                for (int x = 0; x < outW; x++)
                {
                    long ss = 1L << (PrecisionBits - 1);
                    var k = yk[y];
                    for (int i = 0; i < k.Length; i++) ss += tmp[(c * h + yb[y] + i) * outW + x] * (long)k[i];
                    o[(c * outH + y) * outW + x] = Clip8(ss);
                }
        return o;
    }

    /// <summary>NEAREST resize of a planar [C,H,W] byte image.</summary>
    public static byte[] Nearest(ReadOnlySpan<byte> src, int channels, int w, int h, int outW, int outH)
    {
        var o = new byte[channels * outH * outW];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < outH; y++)
            {
                int sy = Math.Min(h - 1, (int)((y + 0.5) * h / outH));
                for (int x = 0; x < outW; x++)
                {
                    int sx = Math.Min(w - 1, (int)((x + 0.5) * w / outW));
                    o[(c * outH + y) * outW + x] = src[(c * h + sy) * w + sx];
                }
            }
        return o;
    }

    static byte Clip8(long ss)
    {
        long v = ss >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    // Pillow precompute_coeffs + normalize_coeffs_8bpc for the box filter (support 0.5).
    static (int[] Start, int[][] Kernels) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterscale = Math.Max(scale, 1.0);
        double support = 0.5 * filterscale;
        var start = new int[outSize];
        var kernels = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = Math.Max(0, (int)(center - support + 0.5));
            int xmax = Math.Min(inSize, (int)(center + support + 0.5)) - xmin;
            var k = new double[Math.Max(xmax, 0)];
            double ww = 0;
            for (int x = 0; x < k.Length; x++)
            {
                double t = (x + xmin - center + 0.5) * ss;
                k[x] = t > -0.5 && t <= 0.5 ? 1.0 : 0.0;
                ww += k[x];
            }
            var kk = new int[k.Length];
            for (int x = 0; x < k.Length; x++)
            {
                double p = ww != 0 ? k[x] / ww : k[x];
                kk[x] = (int)(p < 0 ? -0.5 + p * (1 << PrecisionBits) : 0.5 + p * (1 << PrecisionBits));
            }
            start[xx] = xmin;
            kernels[xx] = kk;
        }
        return (start, kernels);
    }
}
