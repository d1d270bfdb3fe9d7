namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// Correlation with OpenCV's default border (<c>BORDER_REFLECT_101</c>: …c b | a b c … | … , edge not repeated),
/// as <c>cv2.filter2D</c> and <c>cv2.GaussianBlur</c> use; kernels are anchored at their centre.
/// </summary>
internal static class ReflectBorderFilter
{
    /// <summary>OpenCV <c>borderInterpolate</c> for reflect-101: maps any index into 0…n−1.</summary>
    public static int Reflect101(int p, int n)
    {
        if (n == 1) return 0;
        while (p < 0 || p >= n)
        {
            if (p < 0) p = -p;
            if (p >= n) p = 2 * (n - 1) - p;
        }
        return p;
    }

    /// <summary>1-D correlation of a W×H plane along x (axis 1) or y (axis 0) with an odd kernel.</summary>
    public static double[] Correlate(double[] plane, int width, int height, double[] k, int axis)
    {
        int r = k.Length / 2;
        var o = new double[plane.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double s = 0;
                for (int i = -r; i <= r; i++)
                    s += k[i + r] * (axis == 1
                        ? plane[y * width + Reflect101(x + i, width)]
                        : plane[Reflect101(y + i, height) * width + x]);
                o[y * width + x] = s;
            }
        return o;
    }

    /// <summary><c>cv2.filter2D(plane, -1, kernel)</c>: 2-D correlation with a square odd kernel of side n.</summary>
    public static double[] Filter2D(ReadOnlySpan<double> plane, int width, int height, double[] kernel, int n)
    {
        int r = n / 2;
        var o = new double[width * height];
        var xs = new int[n];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int j = 0; j < n; j++) xs[j] = Reflect101(x + j - r, width);
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    int row = Reflect101(y + i - r, height) * width, krow = i * n;
                    for (int j = 0; j < n; j++) s += kernel[krow + j] * plane[row + xs[j]];
                }
                o[y * width + x] = s;
            }
        }
        return o;
    }
}
