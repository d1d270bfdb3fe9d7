using PartRobust.Data;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation.Robustness;

/// <summary>Small hand-made datasets for the robustness builders, plus array accessors.</summary>
static class RobustnessFixtures
{
    public const int Size = 8;

    /// <summary>
    /// One image per label, 8×8, every pixel value distinct (so provenance can be checked by value); each image has a
    /// rectangle of foreground (parts 1 and 2) at a seeded place and a few −1 pixels outside it, except the images listed
    /// in <paramref name="noForeground"/>, whose mask is all 0.
    /// </summary>
    public static PartDataset Make(long[] labels, int seed = 1, int[]? noForeground = null)
    {
        int n = labels.Length, plane = Size * Size;
        var rng = new Random(seed);
        var images = new float[n * 3 * plane];
        for (int k = 0; k < images.Length; k++) images[k] = (k + 1f) / (images.Length + 1f); // distinct, in (0,1)
        // Shuffle so neighbouring pixels are unrelated.
        for (int k = images.Length - 1; k > 0; k--) { int j = rng.Next(k + 1); (images[k], images[j]) = (images[j], images[k]); }
        var masks = new long[n * plane];
        for (int i = 0; i < n; i++)
        {
            if (noForeground != null && noForeground.Contains(i)) continue;
            int h = rng.Next(2, 5), w = rng.Next(2, 5), y0 = rng.Next(0, Size - h + 1), x0 = rng.Next(0, Size - w + 1);
            for (int y = y0; y < y0 + h; y++)
                for (int x = x0; x < x0 + w; x++)
                    masks[i * plane + y * Size + x] = y < y0 + h / 2 ? 1 : 2;
            // Knock out one corner so the foreground is not a full box, and label one outside pixel −1.
            masks[i * plane + y0 * Size + x0] = 0;
            int outside = (y0 + h) % Size * Size + (x0 + w) % Size;
            if (masks[i * plane + outside] == 0) masks[i * plane + outside] = -1;
        }
        var taxonomy = new PartTaxonomy(["a", "b", "c", "d"], ["background", "p1", "p2"], [-1, 0, 0]);
        using var scope = NewDisposeScope();
        return new PartDataset(tensor(images, new long[] { n, 3, Size, Size }), tensor(masks, new long[] { n, Size, Size }), tensor(labels), taxonomy);
    }

    public static float[] Images(PartDataset d) => d.Images.contiguous().data<float>().ToArray();
    public static long[] Masks(PartDataset d) => d.Masks.contiguous().data<long>().ToArray();
    public static long[] Labels(PartDataset d) => d.Labels.contiguous().data<long>().ToArray();

    /// <summary>Pixel (c, p) of image i in a planar [N,3,H,W] array with H·W = plane.</summary>
    public static float At(float[] images, int plane, int i, int c, int p) => images[(i * 3 + c) * plane + p];

    /// <summary>The RGB triple at pixel p of image i.</summary>
    public static (float, float, float) Rgb(float[] images, int plane, int i, int p) =>
        (At(images, plane, i, 0, p), At(images, plane, i, 1, p), At(images, plane, i, 2, p));
}
