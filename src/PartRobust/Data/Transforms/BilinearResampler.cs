using System.Buffers;

namespace PartRobust.Data.Transforms;

/// <summary>
/// Resizes planar 8-bit RGB buffers [3,H,W] exactly as Pillow's <c>Image.resize(size, BILINEAR)</c> does for an RGB
/// image (the path torchvision takes for PIL images): separable triangle filter widened by the downscale factor
/// (antialiasing), horizontal pass first into an 8-bit intermediate, then the vertical pass, both in 22-bit fixed
/// point with round-to-nearest (see <see cref="ResampleCoefficients"/>). Output bytes are bit-identical to Pillow's.
/// </summary>
/// <remarks>
/// The source can be a crop window of a larger buffer (read in place, no copy): the result equals Pillow's
/// <c>img.crop(window).resize(...)</c>. Only part of the resized image can be produced (e.g. the centre crop that
/// follows a resize): every output pixel depends only on its own coefficients, so this equals resizing fully and
/// cropping. Thread-safe; scratch memory comes from <see cref="ArrayPool{T}.Shared"/>.
/// </remarks>
public static class BilinearResampler
{
    /// <summary>
    /// Resizes the <paramref name="crop"/> window of <paramref name="source"/> ([3,<paramref name="sourceHeight"/>,
    /// <paramref name="sourceWidth"/>]) to <paramref name="outWidth"/>×<paramref name="outHeight"/> and writes the
    /// <paramref name="outWindow"/> part of that result to <paramref name="destination"/> ([3,window height,window width]).
    /// </summary>
    public static void ResizeRgb(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, PixelRect crop,
        int outWidth, int outHeight, PixelRect outWindow, Span<byte> destination)
    {
        if (source.Length != 3 * sourceWidth * sourceHeight)
            throw new ArgumentException($"Expected {3 * sourceWidth * sourceHeight} bytes for a {sourceWidth}x{sourceHeight} planar RGB image, got {source.Length}.");
        crop.CheckInside(sourceWidth, sourceHeight, "crop");
        outWindow.CheckInside(outWidth, outHeight, "output window");
        int ow = outWindow.Width, oh = outWindow.Height;
        if (destination.Length != 3 * ow * oh)
            throw new ArgumentException($"Expected a {3 * ow * oh}-byte destination for {ow}x{oh} RGB, got {destination.Length}.");

        var hc = ResampleCoefficients.Bilinear(crop.Width, outWidth);
        var vc = ResampleCoefficients.Bilinear(crop.Height, outHeight);

        // Input rows (relative to the crop) that the produced output rows need.
        int rowFirst = int.MaxValue, rowEnd = 0;
        for (int yy = outWindow.Y; yy < outWindow.Y + oh; yy++)
        {
            rowFirst = Math.Min(rowFirst, vc.Start[yy]);
            rowEnd = Math.Max(rowEnd, vc.Start[yy] + vc.Count[yy]);
        }
        int rows = rowEnd - rowFirst;
        int plane = sourceWidth * sourceHeight;

        byte[] temp = ArrayPool<byte>.Shared.Rent(rows * ow);
        int[] acc = ArrayPool<int>.Shared.Rent(ow);
        try
        {
            for (int ch = 0; ch < 3; ch++)
            {
                var srcPlane = source.Slice(ch * plane, plane);
                // Horizontal pass: 8-bit intermediate, as Pillow's imTemp.
                for (int r = 0; r < rows; r++)
                {
                    var srcRow = srcPlane.Slice((crop.Y + rowFirst + r) * sourceWidth + crop.X, crop.Width);
                    var tmpRow = temp.AsSpan(r * ow, ow);
                    HorizontalRow(srcRow, hc, outWindow.X, tmpRow);
                }
                // Vertical pass: integer sums are exact, so accumulating row by row gives Pillow's result.
                var dstPlane = destination.Slice(ch * ow * oh, ow * oh);
                var sums = acc.AsSpan(0, ow);
                for (int oy = 0; oy < oh; oy++)
                {
                    int yy = outWindow.Y + oy;
                    int start = vc.Start[yy] - rowFirst, n = vc.Count[yy];
                    var k = vc.Weights.AsSpan(yy * vc.KernelSize, n);
                    sums.Fill(ResampleCoefficients.Half);
                    for (int t = 0; t < n; t++)
                    {
                        int w = k[t];
                        if (w == 0) continue;
                        var tmpRow = temp.AsSpan((start + t) * ow, ow);
                        for (int x = 0; x < sums.Length; x++) sums[x] += tmpRow[x] * w;
                    }
                    var dstRow = dstPlane.Slice(oy * ow, ow);
                    for (int x = 0; x < dstRow.Length; x++) dstRow[x] = ResampleCoefficients.Clip8(sums[x]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
            ArrayPool<int>.Shared.Return(acc);
        }
    }

    static void HorizontalRow(ReadOnlySpan<byte> srcRow, ResampleCoefficients hc, int firstOut, Span<byte> dst)
    {
        int ks = hc.KernelSize;
        int[] weights = hc.Weights, starts = hc.Start, counts = hc.Count;
        for (int ox = 0; ox < dst.Length; ox++)
        {
            int xx = firstOut + ox;
            int n = counts[xx];
            var src = srcRow.Slice(starts[xx], n);
            var k = weights.AsSpan(xx * ks, n);
            int sum = ResampleCoefficients.Half;
            for (int t = 0; t < src.Length; t++) sum += src[t] * k[t];
            dst[ox] = ResampleCoefficients.Clip8(sum);
        }
    }
}
