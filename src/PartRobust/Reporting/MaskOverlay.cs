using PartRobust.Data;
using SkiaSharp;

namespace PartRobust.Reporting;

/// <summary>
/// Draws part masks over images as a PNG grid with SkiaSharp: one row per image with the image, the true part mask
/// overlaid on it, then each model's predicted mask overlaid, captioned with the true and predicted classes, and a
/// legend of the part colours present. Plain arrays in; no TorchSharp needed.
/// </summary>
public static class MaskOverlay
{
    /// <summary>Opacity of a part colour drawn over the image (background stays transparent).</summary>
    public const double OverlayAlpha = 0.6;

    /// <summary>Outer margin and gap between cells in pixels.</summary>
    public const int Pad = 8;
    /// <summary>Height of the column-title row in pixels.</summary>
    public const int HeaderHeight = 22;
    /// <summary>Height of the caption under each cell in pixels.</summary>
    public const int CaptionHeight = 20;
    /// <summary>Minimum column width in pixels (so captions fit under small images).</summary>
    public const int MinColumnWidth = 120;
    /// <summary>Width of one legend entry in pixels.</summary>
    public const int LegendEntryWidth = 170;
    /// <summary>Height of one legend line in pixels.</summary>
    public const int LegendLineHeight = 20;
    /// <summary>Height of the legend title line in pixels.</summary>
    public const int LegendTitleHeight = 20;

    // Kelly's colours of maximum contrast (white and black left out), then generated hues.
    private static readonly SKColor[] Kelly =
    [
        SKColor.Parse("#F3C300"), SKColor.Parse("#875692"), SKColor.Parse("#F38400"), SKColor.Parse("#A1CAF1"),
        SKColor.Parse("#BE0032"), SKColor.Parse("#C2B280"), SKColor.Parse("#008856"), SKColor.Parse("#E68FAC"),
        SKColor.Parse("#0067A5"), SKColor.Parse("#F99379"), SKColor.Parse("#604E97"), SKColor.Parse("#F6A600"),
        SKColor.Parse("#B3446C"), SKColor.Parse("#DCD300"), SKColor.Parse("#882D17"), SKColor.Parse("#8DB600"),
        SKColor.Parse("#654522"), SKColor.Parse("#E25822"), SKColor.Parse("#2B3D26"), SKColor.Parse("#848482"),
    ];

    /// <summary>Caption colour of a correct prediction.</summary>
    internal static readonly SKColor Correct = SKColor.Parse("#1B7F2A");
    /// <summary>Caption colour of a wrong prediction.</summary>
    internal static readonly SKColor Wrong = SKColor.Parse("#C0141E");

    /// <summary>
    /// The fixed colour of segmentation label <paramref name="label"/>: transparent for background (0), Kelly's
    /// high-contrast colours for labels 1..20, then golden-angle hues. The same label always gets the same colour.
    /// </summary>
    /// <param name="label">Segmentation label.</param>
    public static SKColor PaletteColor(int label)
    {
        if (label <= 0) return SKColors.Transparent;
        if (label <= Kelly.Length) return Kelly[label - 1];
        float hue = (float)((label - Kelly.Length) * 137.508 % 360.0);
        return SKColor.FromHsv(hue, 75, 85 - 20 * (label % 2));
    }

    /// <summary>The RGB colour a pixel of colour <paramref name="image"/> takes when part <paramref name="label"/> is drawn over it.</summary>
    /// <param name="image">Underlying image colour.</param>
    /// <param name="label">Segmentation label; background leaves the image unchanged.</param>
    public static SKColor Blend(SKColor image, int label)
    {
        if (label <= 0) return image;
        SKColor c = PaletteColor(label);
        static byte Mix(byte a, byte b) => (byte)Math.Clamp(Math.Round(a * (1 - OverlayAlpha) + b * OverlayAlpha), 0, 255);
        return new SKColor(Mix(image.Red, c.Red), Mix(image.Green, c.Green), Mix(image.Blue, c.Blue));
    }

    /// <summary>Width of one grid column for images <paramref name="w"/> wide upscaled by <paramref name="scale"/>.</summary>
    /// <param name="w">Image width.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    public static int ColumnWidth(int w, int scale) => Math.Max(w * scale, MinColumnWidth);

    /// <summary>
    /// The size of the PNG <see cref="WriteGrid"/> draws for <paramref name="n"/> images, <paramref name="models"/>
    /// models and <paramref name="legendEntries"/> parts in the legend.
    /// </summary>
    /// <param name="n">Number of images (rows).</param>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    /// <param name="models">Number of models (columns after the image and the true mask).</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    /// <param name="legendEntries">Number of parts listed in the legend.</param>
    public static (int Width, int Height) GridSize(int n, int h, int w, int models, int scale, int legendEntries)
    {
        int columns = 2 + models;
        int colW = ColumnWidth(w, scale);
        int width = Pad + columns * (colW + Pad);
        int rowH = h * scale + CaptionHeight + Pad;
        return (width, Pad + HeaderHeight + n * rowH + LegendHeight(width, legendEntries));
    }

    /// <summary>Top-left pixel of the (upscaled) image drawn in grid row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    /// <param name="row">Image index.</param>
    /// <param name="column">0 = image, 1 = true mask, 2 + m = model m.</param>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    public static (int X, int Y) CellOrigin(int row, int column, int h, int w, int scale)
    {
        int colW = ColumnWidth(w, scale);
        int x = Pad + column * (colW + Pad) + (colW - w * scale) / 2;
        int y = Pad + HeaderHeight + row * (h * scale + CaptionHeight + Pad);
        return (x, y);
    }

    /// <summary>
    /// Writes the overlay grid to <paramref name="pngPath"/> (temp name, then rename). Mask labels outside
    /// 1..K−1 are drawn as background.
    /// </summary>
    /// <param name="pngPath">Output PNG path.</param>
    /// <param name="images">N×3×H×W values in [0,1] (clamped), channel order RGB.</param>
    /// <param name="n">Number of images.</param>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    /// <param name="trueMasks">N×H×W true segmentation labels.</param>
    /// <param name="predictions">Per model: its name, N×H×W predicted labels and N predicted classes.</param>
    /// <param name="trueLabels">N true classes.</param>
    /// <param name="taxonomy">Class and part names.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor (≥ 1).</param>
    public static void WriteGrid(string pngPath, float[] images, int n, int h, int w, long[] trueMasks,
        IReadOnlyList<(string model, long[] predMasks, int[] predLabels)> predictions, int[] trueLabels,
        PartTaxonomy taxonomy, int scale = 4)
    {
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(trueMasks);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(trueLabels);
        ArgumentNullException.ThrowIfNull(taxonomy);
        CheckGridShapes(images, n, h, w, trueMasks, predictions, trueLabels, scale);

        int k = taxonomy.NumSegLabels;
        var present = new SortedSet<int>();
        CollectParts(trueMasks, k, present);
        foreach (var p in predictions) CollectParts(p.predMasks, k, present);
        var (width, height) = GridSize(n, h, w, predictions.Count, scale, present.Count);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(ReportFonts.Regular, 12);
            using var bold = new SKFont(ReportFonts.Bold, 12);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            int colW = ColumnWidth(w, scale);
            string[] titles = ["image", "true parts", .. predictions.Select(p => p.model)];
            for (int c = 0; c < titles.Length; c++)
                DrawCentered(canvas, titles[c], Pad + c * (colW + Pad) + colW / 2f, Pad + 15, colW, bold, ink);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 2 + predictions.Count; c++)
                {
                    long[]? mask = c == 0 ? null : c == 1 ? trueMasks : predictions[c - 2].predMasks;
                    var (ox, oy) = CellOrigin(i, c, h, w, scale);
                    DrawUpscaled(bitmap, OverlayCell(images, i, h, w, mask, k), h, w, scale, ox, oy);
                    var (caption, color) = c == 0 ? ($"true: {ClassName(taxonomy, trueLabels[i])}", SKColors.Black)
                        : c == 1 ? ("true mask", SKColors.Black)
                        : PredictionCaption(taxonomy, predictions[c - 2].predLabels[i], trueLabels[i]);
                    ink.Color = color;
                    DrawCentered(canvas, caption, Pad + c * (colW + Pad) + colW / 2f, oy + h * scale + 15, colW, c >= 2 ? bold : font, ink);
                    ink.Color = SKColors.Black;
                }
            DrawLegend(canvas, Pad + HeaderHeight + n * (h * scale + CaptionHeight + Pad), width, present, taxonomy, font, bold, ink);
        }

        using var img = SKImage.FromBitmap(bitmap);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(pngPath, data.ToArray());
    }

    /// <summary>Checks the sizes and the arrays of <see cref="WriteGrid"/> against N, H and W.</summary>
    private static void CheckGridShapes(float[] images, int n, int h, int w, long[] trueMasks,
        IReadOnlyList<(string model, long[] predMasks, int[] predLabels)> predictions, int[] trueLabels, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(h, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(w, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        long plane = (long)h * w;
        if (images.LongLength != n * 3 * plane)
            throw new ArgumentException($"images has {images.LongLength} values, expected N·3·H·W = {n * 3 * plane}.", nameof(images));
        if (trueMasks.LongLength != n * plane)
            throw new ArgumentException($"trueMasks has {trueMasks.LongLength} values, expected N·H·W = {n * plane}.", nameof(trueMasks));
        if (trueLabels.Length != n)
            throw new ArgumentException($"trueLabels has {trueLabels.Length} values, expected N = {n}.", nameof(trueLabels));
        foreach (var (model, predMasks, predLabels) in predictions)
        {
            ArgumentNullException.ThrowIfNull(predMasks);
            ArgumentNullException.ThrowIfNull(predLabels);
            if (predMasks.LongLength != n * plane)
                throw new ArgumentException($"Masks of model '{model}' have {predMasks.LongLength} values, expected {n * plane}.", nameof(predictions));
            if (predLabels.Length != n)
                throw new ArgumentException($"Labels of model '{model}' have {predLabels.Length} values, expected {n}.", nameof(predictions));
        }
    }

    /// <summary>Image <paramref name="i"/> with <paramref name="mask"/> drawn over it (the plain image when null), at its own size.</summary>
    private static SKColor[] OverlayCell(float[] images, int i, int h, int w, long[]? mask, int k)
    {
        long plane = (long)h * w;
        var cell = new SKColor[h * w];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            long pix = i * plane + (long)y * w + x;
            long rgb = i * 3 * plane + (long)y * w + x;
            var image = new SKColor(ToByte(images[rgb]), ToByte(images[rgb + plane]), ToByte(images[rgb + 2 * plane]));
            int label = mask is null ? 0 : LabelOrBackground(mask[pix], k);
            cell[y * w + x] = Blend(image, label);
        }
        return cell;
    }

    /// <summary>A model's predicted class with ✓ or ✗, green if correct and red if wrong.</summary>
    private static (string Caption, SKColor Color) PredictionCaption(PartTaxonomy taxonomy, int pred, int truth)
    {
        bool ok = pred == truth;
        return ($"{ClassName(taxonomy, pred)} {(ok ? "✓" : "✗")}", ok ? Correct : Wrong);
    }

    private static int LegendPerLine(int width) => Math.Max(1, (width - 2 * Pad) / LegendEntryWidth);

    /// <summary>Height of the legend of <paramref name="entries"/> parts in a figure <paramref name="width"/> wide (0 without parts).</summary>
    internal static int LegendHeight(int width, int entries)
    {
        int perLine = LegendPerLine(width);
        return entries == 0 ? 0 : LegendTitleHeight + (entries + perLine - 1) / perLine * LegendLineHeight + Pad;
    }

    /// <summary>Draws the "Parts" legend (colour swatch and name of each part in <paramref name="present"/>) from <paramref name="top"/> down.</summary>
    internal static void DrawLegend(SKCanvas canvas, int top, int width, IReadOnlyCollection<int> present, PartTaxonomy taxonomy,
        SKFont font, SKFont bold, SKPaint ink)
    {
        if (present.Count == 0) return;
        canvas.DrawText("Parts", Pad, top + 15, SKTextAlign.Left, bold, ink);
        int perLine = LegendPerLine(width);
        int idx = 0;
        using var swatch = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        using var outline = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        foreach (int label in present)
        {
            int lx = Pad + idx % perLine * LegendEntryWidth;
            int ly = top + LegendTitleHeight + idx / perLine * LegendLineHeight;
            swatch.Color = PaletteColor(label);
            var rect = new SKRect(lx, ly + 3, lx + 14, ly + 17);
            canvas.DrawRect(rect, swatch);
            canvas.DrawRect(rect, outline);
            string name = label < taxonomy.PartNames.Count ? taxonomy.PartNames[label] : $"part {label}";
            string owner = label < taxonomy.PartClass.Count && taxonomy.PartClass[label] >= 0
                ? ClassName(taxonomy, taxonomy.PartClass[label]) + " " : "";
            string text = name.StartsWith(owner.Trim(), StringComparison.OrdinalIgnoreCase) ? name : owner + name;
            DrawLeft(canvas, text, lx + 20, ly + 15, LegendEntryWidth - 24, font, ink);
            idx++;
        }
    }

    internal static void CollectParts(long[] mask, int k, SortedSet<int> present)
    {
        foreach (long v in mask)
            if (v > 0 && v < k) present.Add((int)v);
    }

    internal static int LabelOrBackground(long v, int k) => v > 0 && v < k ? (int)v : 0;

    internal static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round((float.IsNaN(v) ? 0f : v) * 255f), 0f, 255f);

    internal static string ClassName(PartTaxonomy taxonomy, int label) =>
        label >= 0 && label < taxonomy.ClassNames.Count ? taxonomy.ClassNames[label] : $"#{label}";

    internal static void DrawUpscaled(SKBitmap bitmap, SKColor[] cell, int h, int w, int scale, int ox, int oy)
    {
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            SKColor c = cell[y * w + x];
            for (int dy = 0; dy < scale; dy++)
            for (int dx = 0; dx < scale; dx++)
                bitmap.SetPixel(ox + x * scale + dx, oy + y * scale + dy, c);
        }
    }

    internal static void DrawCentered(SKCanvas canvas, string text, float cx, float baseline, float maxWidth, SKFont font, SKPaint paint)
    {
        text = Fit(text, maxWidth, font);
        canvas.DrawText(text, cx, baseline, SKTextAlign.Center, font, paint);
    }

    internal static void DrawLeft(SKCanvas canvas, string text, float x, float baseline, float maxWidth, SKFont font, SKPaint paint)
    {
        text = Fit(text, maxWidth, font);
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, paint);
    }

    /// <summary>Shortens <paramref name="text"/> with an ellipsis until it fits <paramref name="maxWidth"/>.</summary>
    internal static string Fit(string text, float maxWidth, SKFont font)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        for (int len = text.Length - 1; len > 0; len--)
        {
            string s = text[..len] + "…";
            if (font.MeasureText(s) <= maxWidth) return s;
        }
        return "…";
    }
}
