using PartRobust.Evaluation.Corruptions;
using SkiaSharp;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// A contact sheet of one image under common corruptions: one row per corruption (named at the left), the clean image
/// first, then one column per severity. Small images are upscaled with nearest neighbour (by a whole factor, so pixels
/// stay square and exact) to at least <see cref="MinCell"/> px; large ones are downscaled (linear with mipmaps) to at
/// most <see cref="MaxCell"/> px on the longer side.
/// </summary>
public static class CorruptionContactSheet
{
    /// <summary>Outer margin and gap between cells in pixels.</summary>
    public const int Pad = 8;
    /// <summary>Height of the title and subtitle lines in pixels.</summary>
    public const int TitleHeight = 42;
    /// <summary>Height of the column-header row in pixels.</summary>
    public const int HeaderHeight = 22;
    /// <summary>Width of the corruption-name column in pixels.</summary>
    public const int LabelWidth = 130;
    /// <summary>Smallest column width in pixels (so "severity 5" fits over narrow images).</summary>
    public const int MinColumnWidth = 84;
    /// <summary>Images whose longer side is below this are upscaled to at least this size.</summary>
    public const int MinCell = 96;
    /// <summary>Images whose longer side is above this are downscaled to this size.</summary>
    public const int MaxCell = 160;

    /// <summary>
    /// The nearest-neighbour upscaling factor for an image (1 when it is at least <see cref="MinCell"/> px on its
    /// longer side, including when it is downscaled).
    /// </summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public static int UpscaleFactor(int width, int height)
    {
        int side = Math.Max(width, height);
        return side >= MinCell ? 1 : (MinCell + side - 1) / side;
    }

    /// <summary>The size an image is drawn at in a cell.</summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public static (int Width, int Height) DisplaySize(int width, int height)
    {
        int side = Math.Max(width, height);
        if (side > MaxCell)
        {
            double f = (double)MaxCell / side;
            return (Math.Max(1, (int)Math.Round(width * f)), Math.Max(1, (int)Math.Round(height * f)));
        }
        int k = UpscaleFactor(width, height);
        return (width * k, height * k);
    }

    /// <summary>Width of one image column.</summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public static int ColumnWidth(int width, int height) => Math.Max(DisplaySize(width, height).Width, MinColumnWidth);

    /// <summary>The size of the PNG <see cref="Write"/> draws.</summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <param name="corruptions">Number of corruptions (rows).</param>
    /// <param name="severities">Number of severities (columns after the clean one).</param>
    public static (int Width, int Height) FigureSize(int width, int height, int corruptions, int severities)
    {
        int colW = ColumnWidth(width, height);
        int rowH = DisplaySize(width, height).Height + Pad;
        return (Pad + LabelWidth + (severities + 1) * (colW + Pad), Pad + TitleHeight + HeaderHeight + corruptions * rowH);
    }

    /// <summary>Top-left pixel of the image drawn in row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    /// <param name="row">Corruption index.</param>
    /// <param name="column">0 = clean, 1 + i = severities[i].</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public static (int X, int Y) CellOrigin(int row, int column, int width, int height)
    {
        var (dw, dh) = DisplaySize(width, height);
        int colW = ColumnWidth(width, height);
        int x = Pad + LabelWidth + column * (colW + Pad) + (colW - dw) / 2;
        int y = Pad + TitleHeight + HeaderHeight + row * (dh + Pad);
        return (x, y);
    }

    /// <summary>
    /// Applies every corruption at every severity to <paramref name="planarImage"/> (in parallel; the corruptions are
    /// thread-safe) and writes the contact sheet to <paramref name="pngPath"/> (temporary name, then rename).
    /// </summary>
    /// <param name="planarImage">Planar RGB [3,H,W] in [0,1] (drawn clamped).</param>
    /// <param name="width">Image width W.</param>
    /// <param name="height">Image height H.</param>
    /// <param name="corruptions">Corruptions, one row each, in this order.</param>
    /// <param name="severities">Severities 1–5, one column each, in this order.</param>
    /// <param name="seed">Seed of every corruption's random draws.</param>
    /// <param name="table">Parameter table (named in the title).</param>
    /// <param name="pngPath">Output PNG path.</param>
    /// <param name="cellSeed">
    /// The seed of each cell from (corruption, severity); null = <paramref name="seed"/> for every cell. The report passes
    /// the evaluator's per-image seeds so the sheet shows exactly what the models saw for that image; the title still
    /// names <paramref name="seed"/>.
    /// </param>
    public static void Write(float[] planarImage, int width, int height, IReadOnlyList<ICorruption> corruptions,
        IReadOnlyList<int> severities, ulong seed, CorruptionTable table, string pngPath, Func<ICorruption, int, ulong>? cellSeed = null)
    {
        ArgumentNullException.ThrowIfNull(planarImage);
        ArgumentNullException.ThrowIfNull(corruptions);
        ArgumentNullException.ThrowIfNull(severities);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (planarImage.LongLength != 3L * width * height)
            throw new ArgumentException($"planarImage has {planarImage.LongLength} values, expected 3·H·W = {3L * width * height}.", nameof(planarImage));
        if (corruptions.Count == 0) throw new ArgumentException("No corruptions to draw.", nameof(corruptions));
        if (corruptions.Any(c => c is null)) throw new ArgumentException("corruptions contains null.", nameof(corruptions));
        if (severities.Count == 0) throw new ArgumentException("No severities to draw.", nameof(severities));
        foreach (int s in severities)
            if (s is < 1 or > 5) throw new ArgumentException($"Severity {s}: expected 1 to 5.", nameof(severities));

        int rows = corruptions.Count, sev = severities.Count;
        var corrupted = new float[rows * sev][];
        Parallel.For(0, rows * sev, i =>
            corrupted[i] = corruptions[i / sev].Apply(planarImage, width, height, severities[i % sev],
                cellSeed?.Invoke(corruptions[i / sev], severities[i % sev]) ?? seed, table));

        var (figW, figH) = FigureSize(width, height, rows, sev);
        var (dw, dh) = DisplaySize(width, height);
        int colW = ColumnWidth(width, height);
        // Whole-factor upscaling with nearest neighbour keeps pixels exact; downscaling averages with mipmaps.
        var sampling = dw >= width && dh >= height
            ? new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);

        ReportFonts.EnsureRegistered();
        using var bitmap = new SKBitmap(new SKImageInfo(figW, figH, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(ReportFonts.Regular, 12);
            using var bold = new SKFont(ReportFonts.Bold, 12);
            using var titleFont = new SKFont(ReportFonts.Bold, 14);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var pixels = new SKPaint { IsAntialias = false };

            float textWidth = figW - 2 * Pad;
            string tableName = table == CorruptionTable.Cifar10 ? "CIFAR-10-C" : "ImageNet-C";
            MaskOverlay.DrawLeft(canvas, "Common corruptions", Pad, Pad + 14, textWidth, titleFont, ink);
            string shown = dw == width ? "" : dw > width ? $", shown ×{dw / width} (nearest neighbour)" : $", shown at {dw}×{dh}";
            MaskOverlay.DrawLeft(canvas, $"{tableName} parameters, seed {seed.ToString(Inv)}; image {width}×{height}{shown}",
                Pad, Pad + 32, textWidth, font, ink);

            for (int c = 0; c <= sev; c++)
            {
                float cx = Pad + LabelWidth + c * (colW + Pad) + colW / 2f;
                MaskOverlay.DrawCentered(canvas, c == 0 ? "clean" : $"severity {severities[c - 1]}", cx, Pad + TitleHeight + 15, colW, bold, ink);
            }

            using SKImage clean = ToImage(planarImage, width, height);
            for (int r = 0; r < rows; r++)
            {
                var (_, top) = CellOrigin(r, 0, width, height);
                MaskOverlay.DrawLeft(canvas, CorruptionHeatmap.ReadableName(corruptions[r].Name), Pad, top + dh / 2f + 5,
                    LabelWidth - Pad, bold, ink);
                for (int c = 0; c <= sev; c++)
                {
                    var (x, y) = CellOrigin(r, c, width, height);
                    using SKImage? owned = c == 0 ? null : ToImage(corrupted[r * sev + c - 1], width, height);
                    canvas.DrawImage(owned ?? clean, new SKRect(x, y, x + dw, y + dh), sampling, pixels);
                }
            }
        }

        using var img = SKImage.FromBitmap(bitmap);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(pngPath, data.ToArray());
    }

    /// <summary>An opaque RGBA image of planar [3,H,W] values in [0,1] (clamped, rounded to bytes).</summary>
    private static SKImage ToImage(float[] planar, int width, int height)
    {
        int plane = width * height;
        var rgba = new byte[4 * plane];
        for (int p = 0; p < plane; p++)
        {
            rgba[4 * p] = MaskOverlay.ToByte(planar[p]);
            rgba[4 * p + 1] = MaskOverlay.ToByte(planar[plane + p]);
            rgba[4 * p + 2] = MaskOverlay.ToByte(planar[2 * plane + p]);
            rgba[4 * p + 3] = 255;
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, rgba, info.RowBytes);
    }
}
