namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions' <c>disk(radius, alias_blur)</c> defocus kernel: the indicator of x²+y² ≤ r² on a grid
/// −8…8 (r ≤ 8) or −r…r (r &gt; 8, integer part), normalised to sum 1, then anti-aliased with
/// <c>cv2.GaussianBlur(ksize 3×3 for r ≤ 8 else 5×5, sigmaX = alias_blur)</c> (border reflect-101).
/// </summary>
internal static class DiskKernel
{
    /// <summary>The square kernel, row-major, and its side length.</summary>
    public static (double[] Kernel, int Size) Make(double radius, double aliasBlur)
    {
        int half = radius <= 8 ? 8 : (int)radius; // np.arange(-radius, radius + 1) on an integer radius
        int n = 2 * half + 1, ksize = radius <= 8 ? 3 : 5;
        var disk = new double[n * n];
        double sum = 0;
        for (int y = -half; y <= half; y++)
            for (int x = -half; x <= half; x++)
                if (x * x + y * y <= radius * radius) { disk[(y + half) * n + x + half] = 1; sum++; }
        for (int i = 0; i < disk.Length; i++) disk[i] /= sum;
        var g = OpenCvGaussianKernel(ksize, aliasBlur);
        return (ReflectBorderFilter.Correlate(ReflectBorderFilter.Correlate(disk, n, n, g, 1), n, n, g, 0), n);
    }

    /// <summary><c>cv2.getGaussianKernel(ksize, sigma)</c> for σ &gt; 0: exp(−(i−(k−1)/2)²/2σ²), normalised.</summary>
    public static double[] OpenCvGaussianKernel(int ksize, double sigma)
    {
        var k = new double[ksize];
        double sum = 0, c = (ksize - 1) / 2.0;
        for (int i = 0; i < ksize; i++) { k[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma)); sum += k[i]; }
        for (int i = 0; i < ksize; i++) k[i] /= sum;
        return k;
    }
}
