using PartRobust.Data;
using PartRobust.Reporting;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class MaskOverlayTests
{
    private static readonly PartTaxonomy Taxonomy = new(
        ["square", "circle"],
        ["background", "square top", "square bottom", "circle left", "circle right"],
        [-1, 0, 0, 1, 1]);

    [Fact]
    public void Palette_is_fixed_distinct_and_background_is_transparent()
    {
        Assert.Equal(SKColors.Transparent, MaskOverlay.PaletteColor(0));
        var colours = Enumerable.Range(1, 40).Select(MaskOverlay.PaletteColor).ToList();
        Assert.Equal(colours.Count, colours.Distinct().Count());
        Assert.All(colours, c => Assert.Equal(255, c.Alpha));
        Assert.Equal(MaskOverlay.PaletteColor(7), MaskOverlay.PaletteColor(7));
    }

    [Fact]
    public void Grid_has_expected_size_and_part_colours_at_the_right_place()
    {
        const int n = 2, h = 8, w = 6, scale = 4;
        int plane = h * w;
        var images = new float[n * 3 * plane];
        // image 0 black; image 1 mid grey.
        for (int i = 3 * plane; i < 6 * plane; i++) images[i] = 0.5f;
        var trueMasks = new long[n * plane];
        // image 0: label 2 in the top-left 3x3 block; image 1: label 3 everywhere in row 5.
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) trueMasks[y * w + x] = 2;
        for (int x = 0; x < w; x++) trueMasks[plane + 5 * w + x] = 3;
        var predA = new long[n * plane];
        predA[7 * w + 5] = 4;                       // image 0, bottom-right pixel = label 4
        var predB = new long[n * plane];             // all background
        var predictions = new List<(string, long[], int[])> { ("part model", predA, [0, 0]), ("plain", predB, [1, 1]) };

        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "masks.png");
        MaskOverlay.WriteGrid(path, images, n, h, w, trueMasks, predictions, [0, 1], Taxonomy, scale);

        using SKBitmap bmp = PlotTests.Decode(path);
        var (ew, eh) = MaskOverlay.GridSize(n, h, w, 2, scale, legendEntries: 3); // labels 2, 3, 4 present
        Assert.Equal((ew, eh), (bmp.Width, bmp.Height));

        SKColor At(int row, int col, int x, int y)
        {
            var (ox, oy) = MaskOverlay.CellOrigin(row, col, h, w, scale);
            return bmp.GetPixel(ox + x * scale + scale / 2, oy + y * scale + scale / 2);
        }
        static void Near(SKColor expected, SKColor actual)
        {
            Assert.True(Math.Abs(expected.Red - actual.Red) <= 1 && Math.Abs(expected.Green - actual.Green) <= 1
                && Math.Abs(expected.Blue - actual.Blue) <= 1, $"expected {expected}, got {actual}");
        }

        var black = new SKColor(0, 0, 0);
        var grey = new SKColor(128, 128, 128);
        // Column 0 is the plain image.
        Near(black, At(0, 0, 1, 1));
        Near(grey, At(1, 0, 2, 5));
        // Column 1 is the true mask over the image.
        Near(MaskOverlay.Blend(black, 2), At(0, 1, 1, 1));
        Near(black, At(0, 1, 4, 4));                                  // background stays transparent
        Near(MaskOverlay.Blend(grey, 3), At(1, 1, 2, 5));
        Near(grey, At(1, 1, 2, 4));
        // Column 2 is the first model's prediction.
        Near(MaskOverlay.Blend(black, 4), At(0, 2, 5, 7));
        Near(black, At(0, 2, 1, 1));
        // The part colour itself is clearly visible (not washed out).
        SKColor part2 = MaskOverlay.PaletteColor(2), drawn = At(0, 1, 0, 0);
        Assert.True(Math.Abs(drawn.Red - part2.Red * MaskOverlay.OverlayAlpha) <= 1);
        // Nearest-neighbour upscaling: every pixel of the upscaled block has the same colour.
        var (cx, cy) = MaskOverlay.CellOrigin(0, 1, h, w, scale);
        for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++)
            Assert.Equal(bmp.GetPixel(cx, cy), bmp.GetPixel(cx + dx, cy + dy));

        // Captions and the legend put dark text pixels below the cells.
        int captionTop = cy + h * scale;
        Assert.True(CountDark(bmp, 0, captionTop, bmp.Width, captionTop + MaskOverlay.CaptionHeight) > 50);
        int legendTop = MaskOverlay.CellOrigin(n, 0, h, w, scale).Y;
        Assert.True(CountDark(bmp, 0, legendTop, bmp.Width, bmp.Height) > 50);
        // The legend shows the swatch of each part present.
        Assert.True(CountColour(bmp, MaskOverlay.PaletteColor(4), 0, legendTop, bmp.Width, bmp.Height) >= 100);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        string path = Path.Combine(ReportSamples.TempDir(), "x.png");
        Assert.Throws<ArgumentException>(() => MaskOverlay.WriteGrid(path, new float[3 * 4], 1, 2, 2, new long[3], [], [0], Taxonomy));
        Assert.Throws<ArgumentException>(() => MaskOverlay.WriteGrid(path, new float[3 * 4], 1, 2, 2, new long[4],
            [("m", new long[4], new int[2])], [0], Taxonomy));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Realistic_48px_grid_renders()
    {
        const int n = 3, h = 48, w = 48;
        var rng = new Random(1);
        var images = Enumerable.Range(0, n * 3 * h * w).Select(_ => (float)rng.NextDouble()).ToArray();
        var masks = Enumerable.Range(0, n * h * w).Select(i => (long)(i % 5)).ToArray();
        string path = Path.Combine(ReportSamples.TempDir(), "grid.png");
        MaskOverlay.WriteGrid(path, images, n, h, w, masks, [("a", masks, [0, 1, 0])], [0, 1, 1], Taxonomy);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(MaskOverlay.GridSize(n, h, w, 1, 4, 4), (bmp.Width, bmp.Height));
    }

    private static int CountDark(SKBitmap bmp, int x0, int y0, int x1, int y1)
    {
        int count = 0;
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++)
        {
            SKColor c = bmp.GetPixel(x, y);
            if (c.Red + c.Green + c.Blue < 300) count++;
        }
        return count;
    }

    private static int CountColour(SKBitmap bmp, SKColor colour, int x0, int y0, int x1, int y1)
    {
        int count = 0;
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++)
            if (bmp.GetPixel(x, y) == colour) count++;
        return count;
    }
}
