namespace PartRobust.Data.Formats;

/// <summary>
/// The <c>segmentation</c> of a COCO annotation, in one of its three forms: a list of polygons
/// (<c>[[x0,y0,x1,y1,…], …]</c>), an uncompressed RLE (<c>{"counts":[…], "size":[h,w]}</c>) or a compressed RLE
/// (<c>{"counts":"…", "size":[h,w]}</c>). Contents are kept as read; <see cref="ToRle"/> checks them against the image.
/// </summary>
public sealed class CocoSegmentation
{
    /// <summary>The polygons (flat x,y lists), or null for an RLE.</summary>
    public IReadOnlyList<double[]>? Polygons { get; init; }

    /// <summary>Uncompressed RLE counts, or null.</summary>
    public long[]? RleCounts { get; init; }

    /// <summary>Compressed RLE string, or null.</summary>
    public string? RleString { get; init; }

    /// <summary>The RLE's declared <c>size</c> [h, w] (RLE forms only).</summary>
    public (int Height, int Width) RleSize { get; init; }

    /// <summary>A polygon segmentation.</summary>
    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) => new() { Polygons = polygons };

    /// <summary>An uncompressed-RLE segmentation.</summary>
    public static CocoSegmentation FromCounts(long[] counts, int height, int width) => new() { RleCounts = counts, RleSize = (height, width) };

    /// <summary>A compressed-RLE segmentation.</summary>
    public static CocoSegmentation FromString(string counts, int height, int width) => new() { RleString = counts, RleSize = (height, width) };

    /// <summary>Number of polygons with fewer than 3 points (they enclose no area).</summary>
    public int DegeneratePolygons => Polygons?.Count(p => p.Length < 6) ?? 0;

    /// <summary>
    /// The annotation's mask in an image of <paramref name="height"/>×<paramref name="width"/>, as pycocotools'
    /// <c>annToRLE</c> computes it: polygons are rasterised one by one and merged (union); an RLE is decoded as is.
    /// <para>Unlike pycocotools, a list whose first polygon has exactly 4 numbers is still read as polygons
    /// (pycocotools' <c>frPyObjects</c> dispatches such a list to <c>frBbox</c> and fails or, after the paper code's
    /// patch, paints boxes [x,y,w,h]); a 2-point polygon encloses no area and adds nothing, as in pycocotools'
    /// <c>rleFrPoly</c>. An empty polygon list (pycocotools: IndexError) gives an empty mask.</para>
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A polygon whose bounding box lies entirely outside the image, a coordinate that is not finite or beyond ±1e5,
    /// an RLE whose size differs from the image's, or an RLE that is malformed or does not cover exactly h·w pixels.
    /// </exception>
    public CocoRle ToRle(int height, int width)
    {
        if (Polygons is not null)
        {
            var rles = new List<CocoRle>(Polygons.Count);
            foreach (var p in Polygons)
            {
                int n = p.Length / 2 * 2;
                if (n >= 2)
                {
                    double xmin = double.PositiveInfinity, xmax = double.NegativeInfinity, ymin = double.PositiveInfinity, ymax = double.NegativeInfinity;
                    for (int i = 0; i < n; i += 2)
                    {
                        xmin = Math.Min(xmin, p[i]); xmax = Math.Max(xmax, p[i]);
                        ymin = Math.Min(ymin, p[i + 1]); ymax = Math.Max(ymax, p[i + 1]);
                    }
                    if (xmax < 0 || ymax < 0 || xmin > width || ymin > height)
                        throw new InvalidDataException(
                            $"a polygon lies entirely outside the {width}x{height} image (x {xmin:0.##}..{xmax:0.##}, y {ymin:0.##}..{ymax:0.##})");
                }
                try { rles.Add(CocoPolygonRasterizer.Rasterize(p, height, width)); }
                catch (ArgumentOutOfRangeException e) { throw new InvalidDataException(e.Message.Split(" (Parameter")[0]); }
            }
            return rles.Count == 0 ? new CocoRle(height, width, [(uint)(height * width)]) : CocoRle.Union(rles);
        }
        if (RleSize != (height, width))
            throw new InvalidDataException($"RLE size [{RleSize.Height}, {RleSize.Width}] differs from the image's [{height}, {width}]");
        if (RleString is not null) return CocoRle.FromString(RleString, height, width);
        if (RleCounts is not null)
        {
            foreach (long c in RleCounts)
                if (c < 0 || c > uint.MaxValue) throw new InvalidDataException($"RLE count {c} is not a 32-bit unsigned integer");
            return new CocoRle(height, width, RleCounts.Select(c => (uint)c));
        }
        throw new InvalidDataException("segmentation has neither polygons nor RLE counts");
    }
}
