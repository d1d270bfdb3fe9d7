
namespace PartRobust.Data;

/// <summary>
/// How wide the parts of a dataset are in pixels: for each image and each part label present, twice the largest distance
/// from a pixel of the part to the edge of the part (the diameter of the largest disc inside it, measured between pixel
/// centres: a 3×3 block or a 3-pixel-wide bar at any angle is 3 wide, a 1-pixel line 1). The image border is not an
/// edge, so truncation does not thin a part. Used to choose an image size at which parts are resolvable.
/// </summary>
public static class PartWidths
{
    const int MaxRadius = 12;

    /// <summary>Widths per seg label (1..P): one value per image in which the label occurs.</summary>
    public static Dictionary<int, List<double>> Measure(PartDataset data)
    {
        int n = data.Count, s = data.ImageSize;
        var masks = data.Masks.cpu().contiguous().data<long>().ToArray();
        var widths = new Dictionary<int, List<double>>();
        for (int i = 0; i < n; i++)
        {
            var img = masks.AsSpan(i * s * s, s * s);
            var best = new Dictionary<int, double>();
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                {
                    long label = img[y * s + x];
                    if (label <= 0) continue;
                    double d2 = NearestOther(img, s, x, y, label);
                    double w = 2 * (Math.Sqrt(d2) - 0.5);
                    best[(int)label] = Math.Max(best.GetValueOrDefault((int)label), w);
                }
            foreach (var (label, w) in best)
            {
                if (!widths.TryGetValue(label, out var list)) widths[label] = list = new List<double>();
                list.Add(w);
            }
        }
        return widths;
    }

    /// <summary>The median width of each seg label present in <paramref name="data"/>.</summary>
    public static Dictionary<int, double> Medians(PartDataset data) =>
        Measure(data).ToDictionary(kv => kv.Key, kv => Median(kv.Value));

    /// <summary>Squared distance from (x, y) to the nearest pixel centre with another label (capped at <see cref="MaxRadius"/>).</summary>
    static double NearestOther(ReadOnlySpan<long> img, int s, int x, int y, long label)
    {
        int best = MaxRadius * MaxRadius;
        for (int dy = -MaxRadius; dy <= MaxRadius; dy++)
        {
            int yy = y + dy;
            if (yy < 0 || yy >= s || dy * dy >= best) continue;
            for (int dx = -MaxRadius; dx <= MaxRadius; dx++)
            {
                int xx = x + dx, d2 = dx * dx + dy * dy;
                if (xx < 0 || xx >= s || d2 >= best) continue;
                if (img[yy * s + xx] != label) best = d2;
            }
        }
        return best;
    }

    static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }
}
