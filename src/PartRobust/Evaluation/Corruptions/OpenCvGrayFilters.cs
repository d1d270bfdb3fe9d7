namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// The single-channel OpenCV routines of imagecorruptions' <c>spatter</c>, on row-major W×H planes with OpenCV's default
/// border (<c>BORDER_REFLECT_101</c>): <c>cv2.blur(·, (3, 3))</c> for float and 8-bit images, <c>cv2.equalizeHist</c>
/// and <c>cv2.filter2D(·, cv2.CV_8U, kernel)</c>.
/// </summary>
internal static class OpenCvGrayFilters
{
    static readonly double[] Ones3 = { 1, 1, 1 };

    // The 3×3 window sums (exact for 8-bit values and for 16.16 fixed-point distances, so summation order does not matter).
    static double[] BoxSum3(double[] plane, int width, int height) =>
        ReflectBorderFilter.Correlate(ReflectBorderFilter.Correlate(plane, width, height, Ones3, 1), width, height, Ones3, 0);

    /// <summary>
    /// <c>cv2.blur</c> 3×3 of a float32 image: OpenCV sums in double and stores <c>(float)(sum · (1/9.0))</c>.
    /// </summary>
    public static float[] Blur3(ReadOnlySpan<float> plane, int width, int height)
    {
        var d = new double[plane.Length];
        for (int i = 0; i < d.Length; i++) d[i] = plane[i];
        var s = BoxSum3(d, width, height);
        var o = new float[s.Length];
        for (int i = 0; i < o.Length; i++) o[i] = (float)(s[i] * (1.0 / 9));
        return o;
    }

    /// <summary><c>cv2.blur</c> 3×3 of an 8-bit image: the rounded mean (sum/9 never ties).</summary>
    public static byte[] Blur3(ReadOnlySpan<byte> plane, int width, int height)
    {
        var d = new double[plane.Length];
        for (int i = 0; i < d.Length; i++) d[i] = plane[i];
        var s = BoxSum3(d, width, height);
        var o = new byte[s.Length];
        for (int i = 0; i < o.Length; i++) o[i] = (byte)(((int)s[i] + 4) / 9);
        return o;
    }

    /// <summary>
    /// <c>cv2.equalizeHist</c>: with i0 the lowest occupied level, level v maps to
    /// round_half_even((cumulative count of levels i0+1…v) · 255f/(N − count(i0))) in float, i0 to 0; a constant image is
    /// returned unchanged.
    /// </summary>
    public static byte[] EqualizeHist(ReadOnlySpan<byte> plane)
    {
        var hist = new int[256];
        foreach (byte v in plane) hist[v]++;
        int i = 0;
        while (hist[i] == 0) i++;
        int total = plane.Length;
        var o = new byte[total];
        if (hist[i] == total) { o.AsSpan().Fill((byte)i); return o; }
        float scale = 255f / (total - hist[i]);
        var lut = new byte[256];
        int sum = 0;
        for (lut[i++] = 0; i < 256; i++)
        {
            sum += hist[i];
            lut[i] = (byte)Math.Clamp(MathF.Round(sum * scale, MidpointRounding.ToEven), 0, 255);
        }
        for (int k = 0; k < total; k++) o[k] = lut[plane[k]];
        return o;
    }

    /// <summary><c>cv2.filter2D(plane, cv2.CV_8U, kernel)</c> with an integer n×n kernel: correlation, saturated to 0…255.</summary>
    public static byte[] Filter2D(ReadOnlySpan<byte> plane, int width, int height, double[] kernel, int n)
    {
        var d = new double[plane.Length];
        for (int i = 0; i < d.Length; i++) d[i] = plane[i];
        var f = ReflectBorderFilter.Filter2D(d, width, height, kernel, n);
        var o = new byte[f.Length];
        for (int i = 0; i < o.Length; i++) o[i] = (byte)Math.Clamp(Math.Round(f[i], MidpointRounding.ToEven), 0, 255);
        return o;
    }
}
