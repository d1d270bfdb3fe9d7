namespace PartRobust.Data.Transforms;

/// <summary>
/// Pillow's separable resampling weights for one axis (libImaging/Resample.c, <c>precompute_coeffs</c> followed by
/// <c>normalize_coeffs_8bpc</c>), reproduced operation by operation so that 8-bit results are bit-identical:
/// output pixel <c>o</c> has centre <c>(o + 0.5)·scale</c> in input coordinates (scale = in/out); when downscaling
/// the filter is stretched by <c>scale</c> (antialiasing: support = 1·max(scale, 1)); the taps are the input pixels
/// <c>(int)(centre ± support + 0.5)</c> clamped to the image; weights are the filter at
/// <c>(i - centre + 0.5)/max(scale, 1)</c>, normalised to sum 1, then rounded to 22-bit fixed point.
/// </summary>
internal sealed class ResampleCoefficients
{
    /// <summary>Pillow's <c>PRECISION_BITS</c> (32 - 8 - 2) for 8-bit images.</summary>
    public const int PrecisionBits = 22;

    /// <summary>Added before the final shift so that the sum is rounded to nearest (Pillow: <c>1 &lt;&lt; (PRECISION_BITS - 1)</c>).</summary>
    public const int Half = 1 << (PrecisionBits - 1);

    /// <summary>Number of output pixels.</summary>
    public int OutSize { get; }

    /// <summary>Stride of <see cref="Weights"/> per output pixel (Pillow's <c>ksize</c> = 2·ceil(support) + 1).</summary>
    public int KernelSize { get; }

    /// <summary>First input pixel used by each output pixel.</summary>
    public int[] Start { get; }

    /// <summary>Number of input pixels used by each output pixel.</summary>
    public int[] Count { get; }

    /// <summary>Fixed-point weights, <see cref="KernelSize"/> per output pixel (the first <see cref="Count"/> are used).</summary>
    public int[] Weights { get; }

    ResampleCoefficients(int outSize, int kernelSize)
    {
        OutSize = outSize; KernelSize = kernelSize;
        Start = new int[outSize]; Count = new int[outSize]; Weights = new int[outSize * kernelSize];
    }

    /// <summary>Pillow's BILINEAR (triangle filter, support 1) coefficients for resizing <paramref name="inSize"/> pixels to <paramref name="outSize"/>.</summary>
    public static ResampleCoefficients Bilinear(int inSize, int outSize)
    {
        if (inSize <= 0 || outSize <= 0) throw new ArgumentOutOfRangeException(nameof(outSize), $"resample sizes must be positive (in {inSize}, out {outSize}).");
        const double filterSupport = 1.0;
        double scale = (double)inSize / outSize;
        double filterScale = scale < 1.0 ? 1.0 : scale;
        double support = filterSupport * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var c = new ResampleCoefficients(outSize, kernelSize);
        var k = new double[kernelSize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            // C's (int) truncates toward zero, as does the C# cast; negatives are clamped to 0 just after.
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double kx = ww != 0.0 ? k[x] / ww : k[x];
                c.Weights[xx * kernelSize + x] = kx < 0
                    ? (int)(-0.5 + kx * (1 << PrecisionBits))
                    : (int)(0.5 + kx * (1 << PrecisionBits));
            }
            c.Start[xx] = xmin;
            c.Count[xx] = xmax;
        }
        return c;
    }

    /// <summary>Pillow's <c>bilinear_filter</c>: 1 - |x| inside (-1, 1), else 0.</summary>
    static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>Pillow's <c>clip8</c>: the fixed-point sum shifted back to 8 bits and clamped to [0,255].</summary>
    public static byte Clip8(int sum)
    {
        int v = sum >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }
}
