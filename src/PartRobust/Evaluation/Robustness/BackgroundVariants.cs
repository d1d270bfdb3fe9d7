using PartRobust.Data;

namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// Builds ImageNet-9-style background variants of a <see cref="PartDataset"/> from its part masks (foreground =
/// mask &gt; 0; 0 and −1 are background). Every variant is a new dataset with the same masks and labels; the
/// foreground stays where it was.
/// <list type="bullet">
/// <item><see cref="BackgroundVariant.OnlyFg"/>: non-foreground pixels 0.</item>
/// <item>Only-BG: three fills are offered. <see cref="BackgroundVariant.OnlyBgBox"/> blacks out the foreground's
/// bounding box (IN-9 Only-BG-B), <see cref="BackgroundVariant.NoFg"/> blacks out only the foreground pixels (IN-9 No-FG),
/// <see cref="BackgroundVariant.OnlyBgTiled"/> fills the box with mirror-tiled background (IN-9 Only-BG-T-like; see
/// <see cref="TiledBackground"/>). Images without foreground are unchanged.</item>
/// <item>Mixed-Same / Mixed-Rand: the donor's background is its Only-BG-T-like image (its own foreground box filled with
/// its tiled background, as IN-9 builds mixed images from Only-BG-T backgrounds) or, with
/// <see cref="DonorHoleFill.Black"/>, its Only-BG-B image; this image's foreground pixels are then pasted at their own
/// place. Donors are drawn uniformly with the seed among the other images of the same class (Mixed-Same) or among all
/// images of other classes (Mixed-Rand). Fallback when no such image exists (a class with one member, or a dataset of
/// one class): the image is its own donor, i.e. its foreground on its own Only-BG background — reported in
/// <see cref="BackgroundVariantResult.Fallbacks"/>.</item>
/// </list>
/// Deterministic for a seed: image i's donor depends only on (seed, variant, i).
/// </summary>
public static class BackgroundVariants
{
    /// <summary>Builds one variant of <paramref name="data"/>; the caller owns (disposes) the result's dataset.</summary>
    /// <param name="data">Source dataset (unchanged).</param>
    /// <param name="variant">Which variant.</param>
    /// <param name="seed">Donor choice seed (Mixed-* only).</param>
    /// <param name="holeFill">How a donor's own foreground region is filled (Mixed-* only).</param>
    public static BackgroundVariantResult Build(PartDataset data, BackgroundVariant variant, ulong seed = 0, DonorHoleFill holeFill = DonorHoleFill.Tiled)
    {
        var px = new DatasetPixels(data);
        int n = px.Count, h = px.Height, w = px.Width, plane = px.Plane;
        var boxes = px.Boxes();
        var donors = Enumerable.Range(0, n).ToArray();
        int fallbacks = 0;
        float[] output = (float[])px.Images.Clone();
        switch (variant)
        {
            case BackgroundVariant.Original:
                break;
            case BackgroundVariant.OnlyFg:
                for (int i = 0; i < n; i++)
                    for (int p = 0; p < plane; p++)
                        if (!px.IsForeground(i, p))
                            for (int c = 0; c < 3; c++) output[px.ImageOffset(i, c) + p] = 0f;
                break;
            case BackgroundVariant.NoFg:
                for (int i = 0; i < n; i++)
                    for (int p = 0; p < plane; p++)
                        if (px.IsForeground(i, p))
                            for (int c = 0; c < 3; c++) output[px.ImageOffset(i, c) + p] = 0f;
                break;
            case BackgroundVariant.OnlyBgBox:
            case BackgroundVariant.OnlyBgTiled:
                for (int i = 0; i < n; i++)
                    FillHole(output.AsSpan(px.ImageOffset(i, 0), 3 * plane), h, w, boxes[i],
                        variant == BackgroundVariant.OnlyBgTiled ? DonorHoleFill.Tiled : DonorHoleFill.Black);
                break;
            case BackgroundVariant.MixedSame:
            case BackgroundVariant.MixedRand:
            {
                bool same = variant == BackgroundVariant.MixedSame;
                var eligible = Enumerable.Repeat(true, n).ToArray();
                var chosen = DonorSampler.Choose(px.Labels, eligible, same, seed, (ulong)variant);
                var background = new float[3 * plane];
                for (int i = 0; i < n; i++)
                {
                    int d = chosen[i];
                    if (d < 0) { d = i; fallbacks++; }
                    donors[i] = d;
                    px.Images.AsSpan(px.ImageOffset(d, 0), 3 * plane).CopyTo(background);
                    FillHole(background, h, w, boxes[d], holeFill);
                    for (int p = 0; p < plane; p++)
                        if (!px.IsForeground(i, p))
                            for (int c = 0; c < 3; c++) output[px.ImageOffset(i, c) + p] = background[c * plane + p];
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown background variant");
        }
        return new BackgroundVariantResult(variant, px.WithImages(output, data), donors, fallbacks);
    }

    /// <summary>Builds every variant in <see cref="BackgroundVariant"/> with the same seed and hole fill.</summary>
    public static IReadOnlyDictionary<BackgroundVariant, BackgroundVariantResult> BuildAll(PartDataset data, ulong seed = 0, DonorHoleFill holeFill = DonorHoleFill.Tiled) =>
        Enum.GetValues<BackgroundVariant>().ToDictionary(v => v, v => Build(data, v, seed, holeFill));

    static void FillHole(Span<float> image, int height, int width, ForegroundBox box, DonorHoleFill fill)
    {
        if (box.IsEmpty) return;
        if (fill == DonorHoleFill.Tiled) { TiledBackground.FillBox(image, height, width, box); return; }
        int plane = height * width;
        for (int c = 0; c < 3; c++)
            for (int y = box.Y0; y <= box.Y1; y++)
                image.Slice(c * plane + y * width + box.X0, box.Width).Clear();
    }
}
