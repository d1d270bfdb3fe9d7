using PartRobust.Data;

namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// Cue-conflict images for real datasets, built from part masks because no style-transfer network is available
/// offline (Geirhos et al. 2019 used AdaIN style transfer; the paper's PartImageNet variant used Stylized-ImageNet).
/// Method, per image i (the "shape" image):
/// <list type="number">
/// <item>A donor j is drawn with the seed uniformly among the images of another class that have a foreground
/// (mask &gt; 0). Its texture patch is its foreground bounding box in which every non-foreground pixel is replaced by
/// the nearest foreground pixel of the same row (ties: the left one), or, in a row without foreground, by the
/// patch's nearest row that has foreground (ties: the upper one) — so every patch pixel is a donor foreground pixel.</item>
/// <item>The patch is mirror-tiled (forwards, mirrored, forwards, …, in both directions, so there are no seams)
/// from the top-left corner of i's foreground bounding box, and each foreground pixel of i takes the tiled
/// patch's value at its position.</item>
/// <item>Background pixels (mask ≤ 0), the mask and the label are unchanged: the label is the shape label, and the
/// donor's class is the texture label.</item>
/// </list>
/// Fallbacks: an image without foreground is unchanged; an image for which no other-class image has a foreground
/// keeps its own texture. Both get texture label = own class, so <see cref="ShapeBias"/> excludes them; they are
/// counted in <see cref="CueConflictResult.Fallbacks"/>. Deterministic for a seed (donor of i depends only on (seed, i)).
/// Works for PartShapes datasets too (whose generator also has its own <see cref="PartShapesVariant.CueConflict"/>).
/// </summary>
public static class CueConflict
{
    const ulong Stream = 0xC0E;

    /// <summary>Builds the cue-conflict dataset; the caller owns (disposes) the result's dataset.</summary>
    /// <param name="data">Source dataset (unchanged).</param>
    /// <param name="seed">Donor choice seed.</param>
    public static CueConflictResult Build(PartDataset data, ulong seed = 0)
    {
        var px = new DatasetPixels(data);
        int n = px.Count, h = px.Height, w = px.Width, plane = px.Plane;
        var boxes = px.Boxes();
        var eligible = boxes.Select(b => !b.IsEmpty).ToArray();
        var chosen = DonorSampler.Choose(px.Labels, eligible, sameClass: false, seed, Stream);
        var output = (float[])px.Images.Clone();
        var donors = new int[n];
        var textureLabels = new long[n];
        int fallbacks = 0;
        for (int i = 0; i < n; i++)
        {
            int d = chosen[i];
            if (boxes[i].IsEmpty || d < 0) { donors[i] = i; textureLabels[i] = px.Labels[i]; fallbacks++; continue; }
            donors[i] = d;
            textureLabels[i] = px.Labels[d];
            var db = boxes[d];
            var patch = TexturePatch(px, d, db);
            var tb = boxes[i];
            for (int y = tb.Y0; y <= tb.Y1; y++)
                for (int x = tb.X0; x <= tb.X1; x++)
                {
                    int p = y * w + x;
                    if (!px.IsForeground(i, p)) continue;
                    int u = MirrorTiling.Index(y - tb.Y0, db.Height), v = MirrorTiling.Index(x - tb.X0, db.Width);
                    int src = patch[u * db.Width + v];
                    for (int c = 0; c < 3; c++) output[px.ImageOffset(i, c) + p] = px.Images[px.ImageOffset(d, c) + src];
                }
        }
        return new CueConflictResult(px.WithImages(output, data), textureLabels, donors, fallbacks);
    }

    /// <summary>
    /// For each pixel of the donor's foreground box (row-major, box-sized), the pixel index (y·W + x) of the donor
    /// foreground pixel whose colour it takes.
    /// </summary>
    static int[] TexturePatch(DatasetPixels px, int d, ForegroundBox box)
    {
        int bh = box.Height, bw = box.Width, w = px.Width;
        var patch = new int[bh * bw];
        var rowHasFg = new bool[bh];
        for (int r = 0; r < bh; r++)
        {
            int y = box.Y0 + r;
            int lastFg = -1;
            for (int q = 0; q < bw; q++) patch[r * bw + q] = -1;
            // Two passes: nearest foreground on the left and on the right; keep the closer (left on ties).
            var left = new int[bw];
            for (int q = 0; q < bw; q++)
            {
                if (px.IsForeground(d, y * w + box.X0 + q)) lastFg = q;
                left[q] = lastFg;
            }
            int nextFg = -1;
            for (int q = bw - 1; q >= 0; q--)
            {
                if (px.IsForeground(d, y * w + box.X0 + q)) nextFg = q;
                int l = left[q], best = l;
                if (nextFg >= 0 && (l < 0 || nextFg - q < q - l)) best = nextFg;
                if (best >= 0) { patch[r * bw + q] = y * w + box.X0 + best; rowHasFg[r] = true; }
            }
        }
        for (int r = 0; r < bh; r++)
        {
            if (rowHasFg[r]) continue;
            int source = -1;
            for (int k = 1; k < bh && source < 0; k++)
            {
                if (r - k >= 0 && rowHasFg[r - k]) source = r - k;
                else if (r + k < bh && rowHasFg[r + k]) source = r + k;
            }
            Array.Copy(patch, source * bw, patch, r * bw, bw);
        }
        return patch;
    }
}
