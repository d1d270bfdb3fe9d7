namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// OpenCV <c>cv2.distanceTransform(src, cv2.DIST_L2, 5)</c> as in OpenCV's <c>distanceTransform_5x5</c>
/// (<c>modules/imgproc/src/distransform.cpp</c>): for every non-zero pixel the chamfer distance to the nearest zero pixel
/// with steps 1 (horizontal/vertical), 1.4 (diagonal) and 2.1969 (knight's move), in 16.16 fixed point (so 1.4 is
/// 91750/65536), one forward and one backward raster pass; pixels outside the image are infinitely far (not zeros).
/// An image without zeros gets the saturated fixed-point maximum (≈ 65534) everywhere.
/// </summary>
internal static class ChamferDistance
{
    const int Shift = 16;
    static readonly uint Hv = FixedPoint(1.0f), Diag = FixedPoint(1.4f), Long = FixedPoint(2.1969f);
    static readonly uint DistMax = uint.MaxValue - Long;

    // CV_FLT_TO_FIX: cvRound(metric · 2^16) on the float metric.
    static uint FixedPoint(float metric) => (uint)Math.Round((double)(metric * (1 << Shift)), MidpointRounding.ToEven);

    /// <summary>Distances (float, as OpenCV's CV_32F output) of a W×H 8-bit image to its zero pixels.</summary>
    public static float[] L2Mask5(ReadOnlySpan<byte> src, int width, int height)
    {
        const int B = 2;
        int step = width + 2 * B;
        var t = new uint[(height + 2 * B) * step];
        Array.Fill(t, DistMax); // borders stay at DistMax
        for (int y = 0; y < height; y++)
        {
            int row = (y + B) * step + B;
            for (int x = 0; x < width; x++)
            {
                int j = row + x;
                if (src[y * width + x] == 0) { t[j] = 0; continue; }
                uint t0 = t[j - 2 * step - 1] + Long;
                t0 = Math.Min(t0, t[j - 2 * step + 1] + Long);
                t0 = Math.Min(t0, t[j - step - 2] + Long);
                t0 = Math.Min(t0, t[j - step - 1] + Diag);
                t0 = Math.Min(t0, t[j - step] + Hv);
                t0 = Math.Min(t0, t[j - step + 1] + Diag);
                t0 = Math.Min(t0, t[j - step + 2] + Long);
                t0 = Math.Min(t0, t[j - 1] + Hv);
                t[j] = Math.Min(t0, DistMax);
            }
        }
        var d = new float[width * height];
        const float scale = 1f / (1 << Shift);
        for (int y = height - 1; y >= 0; y--)
        {
            int row = (y + B) * step + B;
            for (int x = width - 1; x >= 0; x--)
            {
                int j = row + x;
                uint t0 = t[j];
                if (t0 > Hv)
                {
                    t0 = Math.Min(t0, t[j + 2 * step + 1] + Long);
                    t0 = Math.Min(t0, t[j + 2 * step - 1] + Long);
                    t0 = Math.Min(t0, t[j + step + 2] + Long);
                    t0 = Math.Min(t0, t[j + step + 1] + Diag);
                    t0 = Math.Min(t0, t[j + step] + Hv);
                    t0 = Math.Min(t0, t[j + step - 1] + Diag);
                    t0 = Math.Min(t0, t[j + step - 2] + Long);
                    t0 = Math.Min(t0, t[j + 1] + Hv);
                    t[j] = t0;
                }
                d[y * width + x] = t0 * scale;
            }
        }
        return d;
    }
}
