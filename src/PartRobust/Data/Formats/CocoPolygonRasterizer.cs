namespace PartRobust.Data.Formats;

/// <summary>
/// Rasterises one COCO polygon exactly as pycocotools does (<c>common/maskApi.c</c>, <c>rleFrPoly</c>): the vertices
/// are scaled by 5 and rounded, every edge is walked one unit step at a time along its major axis, and the points
/// where the walk crosses a pixel-centre column (x·5+2 in scaled units) become the column's on/off boundaries. Points
/// outside the h×w grid are clipped the same way (columns outside are dropped, rows clamped to 0..h). The integer and
/// double arithmetic below follows the C line for line, so masks agree pixel for pixel.
/// </summary>
public static class CocoPolygonRasterizer
{
    const double Scale = 5;

    /// <summary>
    /// The RLE of the polygon with vertices <c>(xy[0], xy[1]), (xy[2], xy[3]), …</c> in an h×w mask. As pycocotools'
    /// <c>frPoly</c>, the point count is <c>len/2</c> (a trailing odd number is ignored); fewer than 3 points enclose
    /// no area and give an empty mask.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate that is not finite or beyond ±1e5 (the C code's int conversions would overflow).</exception>
    public static CocoRle Rasterize(ReadOnlySpan<double> xy, int height, int width)
    {
        int k = xy.Length / 2;
        foreach (double c in xy[..(2 * k)])
            if (!double.IsFinite(c) || Math.Abs(c) > 1e5)
                throw new ArgumentOutOfRangeException(nameof(xy), $"polygon coordinate {c} is not a finite number within ±1e5");
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++) x[j] = (int)(Scale * xy[j * 2] + .5); // C (int): truncation toward zero
        for (int j = 0; j < k; j++) y[j] = (int)(Scale * xy[j * 2 + 1] + .5);
        if (k > 0) { x[k] = x[0]; y[k] = y[0]; }
        long m = 0;
        for (int j = 0; j < k; j++) m += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;

        // Dense boundary points of every edge, walked from its start to its end.
        var u = new int[m];
        var v = new int[m];
        m = 0;
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            if (dx >= dy)
            {
                // dx = dy = 0 (a repeated vertex): C computes 0/0 and truncates NaN; the point's row is never read
                // because its column equals its neighbours', so any value does.
                double s = dx == 0 ? 0 : (double)(ye - ys) / dx;
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs; v[m] = (int)(ys + s * t + .5); m++;
                }
            }
            else
            {
                double s = (double)(xe - xs) / dy;
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys; u[m] = (int)(xs + s * t + .5); m++;
                }
            }
        }

        // Where the walk changes column, record the boundary in the downsampled (pixel) grid.
        var a = new List<uint>();
        for (long j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / Scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / Scale - .5;
            if (yd < 0) yd = 0; else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            a.Add((uint)((int)xd * height + (int)yd));
        }

        // Sorted boundary positions become run lengths; a repeated position cancels (its run of 0 is folded in).
        a.Add((uint)(height * width));
        a.Sort();
        uint prev = 0;
        for (int j = 0; j < a.Count; j++) { uint t = a[j]; a[j] -= prev; prev = t; }
        var b = new List<uint>(a.Count) { a[0] };
        for (int j = 1; j < a.Count;)
        {
            if (a[j] > 0) b.Add(a[j++]);
            else
            {
                j++;
                if (j < a.Count) b[^1] += a[j++];
            }
        }
        return new CocoRle(height, width, b);
    }
}
