namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// ImageNet-9's Only-BG-T fill, reimplemented from its description (Xiao et al. 2020: the foreground's bounding box
/// "filled with tiled background"; their code is not available here): the box of an image's foreground is filled by
/// mirror-tiling the background strip beside it. The strip used is the wider of the strips left and right of the box
/// (tiled horizontally); if the box spans the full width, the taller of the strips above and below (tiled vertically);
/// if the box covers the whole image there is no background to tile and the box is filled black. Mirror tiling keeps
/// the fill continuous at the box edge. Pixels outside the box are untouched.
/// </summary>
internal static class TiledBackground
{
    /// <summary>Fills <paramref name="box"/> in one planar [3,H,W] image (in place).</summary>
    public static void FillBox(Span<float> image, int height, int width, ForegroundBox box)
    {
        if (box.IsEmpty) return;
        int plane = height * width;
        int left = box.X0, right = width - 1 - box.X1, top = box.Y0, bottom = height - 1 - box.Y1;
        for (int y = box.Y0; y <= box.Y1; y++)
            for (int x = box.X0; x <= box.X1; x++)
            {
                int sy = y, sx = x;
                bool black = false;
                if (left > 0 || right > 0)
                    sx = left >= right ? box.X0 - 1 - MirrorTiling.Index(x - box.X0, left) : box.X1 + 1 + MirrorTiling.Index(box.X1 - x, right);
                else if (top > 0 || bottom > 0)
                    sy = top >= bottom ? box.Y0 - 1 - MirrorTiling.Index(y - box.Y0, top) : box.Y1 + 1 + MirrorTiling.Index(box.Y1 - y, bottom);
                else black = true;
                for (int c = 0; c < 3; c++)
                    image[c * plane + y * width + x] = black ? 0f : image[c * plane + sy * width + sx];
            }
    }
}
