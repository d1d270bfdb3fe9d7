namespace PartRobust.Data.Prepare;

/// <summary>
/// One human or vehicle instance of a Cityscapes-Panoptic-Parts label map, found the way the authors'
/// <c>prepare_cityscapes.py</c> finds them: pixels with semantic id <see cref="Sid"/> (24–28) and instance id
/// <see cref="Iid"/>, at least the minimum area, with its tight box and the occlusion verdict.
/// </summary>
/// <param name="Sid">Cityscapes semantic id (24 person, 25 rider, 26 car, 27 truck, 28 bus).</param>
/// <param name="Iid">Instance id, 0..999 (0 is the first instance of a class in an image).</param>
/// <param name="Area">Pixel count.</param>
/// <param name="XMin">Leftmost column (inclusive, image coordinates).</param>
/// <param name="YMin">Top row (inclusive).</param>
/// <param name="XMax">Rightmost column (inclusive).</param>
/// <param name="YMax">Bottom row (inclusive).</param>
/// <param name="Occluded">True if a semantic id of the other class covers more than half as many pixels as this instance's semantic id inside the tight box.</param>
public sealed record CityscapesInstance(int Sid, int Iid, int Area, int XMin, int YMin, int XMax, int YMax, bool Occluded)
{
    /// <summary>The paper's minimum instance area (<c>--min-area 1000</c>, full-resolution pixels).</summary>
    public const int PaperMinArea = 1000;

    /// <summary>Class label (0 human, 1 vehicle).</summary>
    public int Label => CityscapesPartsTaxonomy.ClassOfSid(Sid);

    /// <summary>
    /// All instances of a uid map with area ≥ <paramref name="minArea"/>, in the authors' order: semantic ids 24..28,
    /// then instance ids ascending. Pixels without an instance id (iid −1: "group" regions such as persongroup or
    /// cargroup) are no instance. <paramref name="uids"/> must hold valid uids (<see cref="PanopticPartsUid.IsValid"/>).
    /// </summary>
    public static List<CityscapesInstance> Find(int[] uids, int width, int height, int minArea = PaperMinArea)
    {
        const int firstSid = 24, sids = 5, iids = 1000;
        var area = new int[sids * iids];
        var xmin = new int[sids * iids]; var ymin = new int[sids * iids];
        var xmax = new int[sids * iids]; var ymax = new int[sids * iids];
        Array.Fill(xmin, int.MaxValue); Array.Fill(ymin, int.MaxValue);
        Array.Fill(xmax, -1); Array.Fill(ymax, -1);
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                int uid = uids[row + x];
                if (uid <= 99) continue; // no instance level (iid −1)
                var (sid, iid, _) = PanopticPartsUid.Decode(uid);
                if (sid < firstSid || sid >= firstSid + sids) continue;
                int k = (sid - firstSid) * iids + iid;
                area[k]++;
                if (x < xmin[k]) xmin[k] = x;
                if (x > xmax[k]) xmax[k] = x;
                if (y < ymin[k]) ymin[k] = y;
                ymax[k] = y;
            }
        }
        var found = new List<CityscapesInstance>();
        for (int k = 0; k < area.Length; k++)
        {
            if (area[k] == 0 || area[k] < minArea) continue;
            int sid = firstSid + k / iids;
            found.Add(new CityscapesInstance(sid, k % iids, area[k], xmin[k], ymin[k], xmax[k], ymax[k],
                IsOccluded(uids, width, sid, xmin[k], ymin[k], xmax[k], ymax[k])));
        }
        return found;
    }

    // The authors' filter: inside the box [ymin, ymax) x [xmin, xmax) (numpy slicing of the tight box, so the last row
    // and column are left out), any single sid of the other class with more pixels than half the pixels of this sid
    // (all instances of it) marks the instance occluded.
    static bool IsOccluded(int[] uids, int width, int sid, int x0, int y0, int x1, int y1)
    {
        int label = CityscapesPartsTaxonomy.ClassOfSid(sid);
        long own = 0;
        Span<long> other = stackalloc long[5];
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                int s = PanopticPartsUid.Sid(uids[y * width + x]);
                if (s == sid) own++;
                else if (s is >= 24 and <= 28 && CityscapesPartsTaxonomy.ClassOfSid(s) != label) other[s - 24]++;
            }
        foreach (long count in other) if (2 * count > own) return true;
        return false;
    }
}
