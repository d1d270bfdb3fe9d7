using PartRobust.Evaluation.Corruptions;
using PartRobust.Reporting;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class CorruptionFiguresTests
{
    private static ModelResult WithCorruptions(string name, double clean, IEnumerable<string> corruptions, int[] severities,
        Func<string, int, double> accuracy) =>
        ReportSamples.Model(name, clean, 0.4) with
        {
            Corruptions = corruptions.ToDictionary(c => c,
                c => severities.ToDictionary(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture), s => accuracy(c, s))),
        };

    // A pixel 3 px inside the cell's top-left corner: clear of the centred percentage text.
    private static SKColor Fill(SKBitmap bmp, SKRectI cell) => bmp.GetPixel(cell.Left + 3, cell.Top + 3);

    [Fact]
    public void Heatmap_colours_cells_by_accuracy_and_has_expected_size()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "corruptions.png");
        string[] names = ["gaussian_noise", "contrast", "jpeg_compression"];
        int[] sev = [1, 2, 3, 4, 5];
        // Model a: 0.1 everywhere except contrast (0.9); model b: 0.9 everywhere; model c has no corruption results.
        var a = WithCorruptions("a", 0.9, names, sev, (c, _) => c == "contrast" ? 0.9 : 0.1);
        var b = WithCorruptions("b", 0.9, names, sev, (_, _) => 0.9);
        var c = ReportSamples.Model("c", 0.5, 0.2);
        CorruptionHeatmap.Write([a, c, b], path);

        using SKBitmap bmp = PlotTests.Decode(path);
        var (w, h) = CorruptionHeatmap.FigureSize(2, 3, 5);
        Assert.Equal((w, h), (bmp.Width, bmp.Height));
        // Two panels side by side: 2·12 + 2·(124 + 7·52 + 8) + 28 wide; 12 + 44 + (36 + 34 + 4·22 + 4) + 52 + 12 high.
        Assert.Equal((1044, 282), (w, h));

        SKRectI Cell(int panel, int row, int col) => CorruptionHeatmap.CellRect(panel, row, col, 2, 3, 5);
        SKColor low = Fill(bmp, Cell(0, 0, 3)), high = Fill(bmp, Cell(1, 0, 3));
        Assert.Equal(CorruptionHeatmap.ColorOf(0.1), low);
        Assert.Equal(CorruptionHeatmap.ColorOf(0.9), high);
        Assert.NotEqual(low, high);
        // Equal accuracies, equal colours: a's contrast row and b's cells are 0.9, as are both clean cells.
        Assert.Equal(high, Fill(bmp, Cell(0, 1, 5)));
        Assert.Equal(high, Fill(bmp, Cell(0, 0, 0)));
        Assert.Equal(high, Fill(bmp, Cell(1, 0, 0)));
        // a's mean row: (0.1 + 0.9 + 0.1)/3; row means are the row's accuracy.
        Assert.Equal(CorruptionHeatmap.ColorOf(1.1 / 3), Fill(bmp, Cell(0, 3, 2)));
        Assert.Equal(low, Fill(bmp, Cell(0, 2, 6)));
        // Text is drawn in the cell centre, in a colour that contrasts with it.
        SKRectI centre = Cell(0, 0, 3);
        bool text = false;
        for (int y = centre.Top + 4; y < centre.Bottom - 4; y++)
        for (int x = centre.Left + 4; x < centre.Right - 4; x++)
            text |= bmp.GetPixel(x, y) != low;
        Assert.True(text, "no percentage drawn in the cell");
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Heatmap_wraps_many_models_and_handles_missing_severities_and_long_names()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "many.png");
        var all = CorruptionRegistry.All.Select(c => c.Name).ToList();
        Assert.Equal(19, all.Count);
        var models = Enumerable.Range(0, 6).Select(i => WithCorruptions(
            $"model {i} with a very long display name that cannot possibly fit on one line of its panel", 0.8, all, [1, 2, 3, 4, 5],
            (c, s) => 0.6 - 0.1 * s - 0.01 * i)).ToList();
        // One model lacks severity 5 of its first corruption: a grey cell.
        models[0].Corruptions![all[0]].Remove("5");
        CorruptionHeatmap.Write(models, path, chance: 0.1);

        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(3, CorruptionHeatmap.PanelsPerRow(6));
        Assert.Equal(2, CorruptionHeatmap.PanelsPerRow(4));
        Assert.Equal(CorruptionHeatmap.FigureSize(6, 19, 5), (bmp.Width, bmp.Height));
        Assert.Equal(CorruptionHeatmap.Missing, Fill(bmp, CorruptionHeatmap.CellRect(0, 0, 5, 6, 19, 5)));
        // Below chance (0.6 - 0.5 - 0.05) clamps to the bottom colour: chance is the bottom of the scale.
        Assert.Equal(CorruptionHeatmap.ColorOf(0.1, 0.1), Fill(bmp, CorruptionHeatmap.CellRect(5, 3, 5, 6, 19, 5)));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Heatmap_without_corruption_results_throws()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "none.png");
        Assert.Throws<ArgumentException>(() => CorruptionHeatmap.Write([], path));
        Assert.Throws<ArgumentException>(() => CorruptionHeatmap.Write([ReportSamples.Model("a", 0.9, 0.5)], path));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Colour_scale_is_monotone_in_lightness_and_text_contrasts()
    {
        double Luma(SKColor c) => 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
        for (int i = 1; i <= 20; i++)
            Assert.True(Luma(CorruptionHeatmap.ColorOf(i / 20.0)) > Luma(CorruptionHeatmap.ColorOf((i - 1) / 20.0)));
        Assert.Equal(SKColors.White, CorruptionHeatmap.TextColorOn(CorruptionHeatmap.ColorOf(0)));
        Assert.Equal(SKColors.Black, CorruptionHeatmap.TextColorOn(CorruptionHeatmap.ColorOf(1)));
        Assert.Equal(CorruptionHeatmap.ColorOf(0.5), CorruptionHeatmap.ColorOf(0.55, chance: 0.1));
        Assert.Equal("gaussian noise", CorruptionHeatmap.ReadableName("gaussian_noise"));
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);

    [Fact]
    public void Contact_sheet_shows_clean_image_upscaled_exactly_and_corrupted_cells()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "sheet.png");
        const int w = 32, h = 24;
        float[] image = Evaluation.Corruptions.CorruptionTestImages.Natural(w, h);
        ICorruption[] corruptions = [CorruptionRegistry.Get("gaussian_noise"), CorruptionRegistry.Get("contrast")];
        CorruptionContactSheet.Write(image, w, h, corruptions, [1, 3, 5], 7, CorruptionTable.Cifar10, path);

        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(3, CorruptionContactSheet.UpscaleFactor(w, h));
        Assert.Equal((96, 72), CorruptionContactSheet.DisplaySize(w, h));
        var (fw, fh) = CorruptionContactSheet.FigureSize(w, h, 2, 3);
        Assert.Equal((fw, fh), (bmp.Width, bmp.Height));
        // 8 + 130 + 4·(96 + 8) wide; 8 + 42 + 22 + 2·(72 + 8) high.
        Assert.Equal((554, 232), (fw, fh));

        // Row 1 (contrast), clean cell: every displayed pixel is its source pixel.
        int plane = w * h;
        var (cx, cy) = CorruptionContactSheet.CellOrigin(1, 0, w, h);
        for (int y = 0; y < 3 * h; y++)
        for (int x = 0; x < 3 * w; x++)
        {
            int p = y / 3 * w + x / 3;
            var expected = new SKColor(ToByte(image[p]), ToByte(image[plane + p]), ToByte(image[2 * plane + p]));
            Assert.Equal(expected, bmp.GetPixel(cx + x, cy + y));
        }

        // Severity-5 contrast (column 3) is the corruption's own output, and differs from clean.
        float[] contrast5 = corruptions[1].Apply(image, w, h, 5, 7, CorruptionTable.Cifar10);
        var (sx, sy) = CorruptionContactSheet.CellOrigin(1, 3, w, h);
        int differing = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int p = y * w + x;
            SKColor shown = bmp.GetPixel(sx + 3 * x + 1, sy + 3 * y + 1);
            Assert.Equal(new SKColor(ToByte(contrast5[p]), ToByte(contrast5[plane + p]), ToByte(contrast5[2 * plane + p])), shown);
            if (shown != bmp.GetPixel(cx + 3 * x + 1, cy + 3 * y + 1)) differing++;
        }
        Assert.True(differing > plane / 2, $"only {differing} of {plane} pixels differ from clean");
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Contact_sheet_downscales_large_images()
    {
        Assert.Equal((160, 80), CorruptionContactSheet.DisplaySize(320, 160));
        Assert.Equal(1, CorruptionContactSheet.UpscaleFactor(320, 160));
        Assert.Equal((128, 128), CorruptionContactSheet.DisplaySize(128, 128));
        Assert.Equal((100, 50), CorruptionContactSheet.DisplaySize(50, 25));

        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "large.png");
        float[] image = Evaluation.Corruptions.CorruptionTestImages.Natural(200, 100);
        CorruptionContactSheet.Write(image, 200, 100, [CorruptionRegistry.Get("brightness")], [2], 1, CorruptionTable.ImageNet, path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(CorruptionContactSheet.FigureSize(200, 100, 1, 1), (bmp.Width, bmp.Height));
    }

    [Fact]
    public void Contact_sheet_rejects_empty_or_bad_input()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "bad.png");
        float[] image = new float[3 * 8 * 8];
        ICorruption[] one = [CorruptionRegistry.Get("contrast")];
        Assert.Throws<ArgumentException>(() => CorruptionContactSheet.Write(image, 8, 8, [], [1], 0, CorruptionTable.Cifar10, path));
        Assert.Throws<ArgumentException>(() => CorruptionContactSheet.Write(image, 8, 8, one, [], 0, CorruptionTable.Cifar10, path));
        Assert.Throws<ArgumentException>(() => CorruptionContactSheet.Write(image, 8, 8, one, [6], 0, CorruptionTable.Cifar10, path));
        Assert.Throws<ArgumentException>(() => CorruptionContactSheet.Write(image, 8, 7, one, [1], 0, CorruptionTable.Cifar10, path));
        Assert.Empty(Directory.GetFiles(dir));
    }
}
