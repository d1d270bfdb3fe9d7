namespace PartRobust.Data.Transforms;

/// <summary>
/// Resizes 8-bit label masks [H,W] exactly as Pillow's <c>Image.resize(size, NEAREST)</c>: every output pixel copies
/// one input pixel, so labels (and 255 = ignore) are never blended. Pillow (libImaging/Geometry.c,
/// <c>ImagingScaleAffine</c>) starts at <c>scale/2</c> and adds <c>scale = in/out</c> once per output pixel in double
/// precision, taking the integer part; this accumulated sum is reproduced rather than the closed form
/// floor((o + 0.5)·scale), which differs where the exact value is an integer (e.g. 2 → 7 pixels, output 3 reads input 0).
/// Checked against Pillow 9.4.0 on 400 random crops and sizes.
/// </summary>
public static class NearestResampler
{
    /// <summary>
    /// Resizes the <paramref name="crop"/> window of <paramref name="source"/> ([<paramref name="sourceHeight"/>,
    /// <paramref name="sourceWidth"/>]) to <paramref name="outWidth"/>×<paramref name="outHeight"/> and writes the
    /// <paramref name="outWindow"/> part of that result to <paramref name="destination"/> ([window height, window width]).
    /// </summary>
    public static void ResizeMask(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, PixelRect crop,
        int outWidth, int outHeight, PixelRect outWindow, Span<byte> destination)
    {
        if (source.Length != sourceWidth * sourceHeight)
            throw new ArgumentException($"Expected {sourceWidth * sourceHeight} bytes for a {sourceWidth}x{sourceHeight} mask, got {source.Length}.");
        crop.CheckInside(sourceWidth, sourceHeight, "crop");
        outWindow.CheckInside(outWidth, outHeight, "output window");
        int ow = outWindow.Width, oh = outWindow.Height;
        if (destination.Length != ow * oh)
            throw new ArgumentException($"Expected a {ow * oh}-byte destination for a {ow}x{oh} mask, got {destination.Length}.");

        var xs = SourceIndices(crop.Width, outWidth);
        var ys = SourceIndices(crop.Height, outHeight);
        for (int oy = 0; oy < oh; oy++)
        {
            var srcRow = source.Slice((crop.Y + ys[outWindow.Y + oy]) * sourceWidth + crop.X, crop.Width);
            var dstRow = destination.Slice(oy * ow, ow);
            for (int ox = 0; ox < ow; ox++) dstRow[ox] = srcRow[xs[outWindow.X + ox]];
        }
    }

    /// <summary>The input index Pillow's NEAREST resize reads for each of <paramref name="outSize"/> output pixels.</summary>
    public static int[] SourceIndices(int inSize, int outSize)
    {
        if (inSize <= 0 || outSize <= 0) throw new ArgumentOutOfRangeException(nameof(outSize), $"resample sizes must be positive (in {inSize}, out {outSize}).");
        double a = (double)inSize / outSize;
        double pos = a * 0.5;
        var idx = new int[outSize];
        for (int o = 0; o < outSize; o++)
        {
            // pos >= 0 here, so Pillow's COORD is a plain truncation; Pillow would leave 0 for an index past the
            // end, which the accumulated sum cannot reach for these sizes, so clamping never changes a value.
            idx[o] = Math.Min((int)pos, inSize - 1);
            pos += a;
        }
        return idx;
    }
}
