using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using SkiaSharp;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// Draws the points an attack kept (<see cref="AdversarialExamples"/>) as a PNG grid with SkiaSharp, in the style of
/// <see cref="MaskOverlay"/>: a two-line title (model; attack and radius), then one row per point with the clean image
/// (true class, clean prediction), the adversarial image (its prediction, green if still correct, red if fooled), the
/// perturbation magnified to the full range with its L∞ and L2 norms, and for part models the predicted part mask on
/// the clean and on the adversarial image, with a legend of the parts. Images are upscaled with nearest neighbour.
/// </summary>
public static class AdversarialExamplesFigure
{
    /// <summary>Height of the two title lines in pixels.</summary>
    public const int TitleHeight = 40;
    /// <summary>Height of one caption line under a cell in pixels (two lines per cell).</summary>
    public const int CaptionLineHeight = 16;
    /// <summary>Minimum column width in pixels (so class names fit under 32 px images).</summary>
    public const int MinColumnWidth = 140;

    /// <summary>Columns of the grid: clean, adversarial, perturbation, and for part models the two masks.</summary>
    /// <param name="parts">Whether the model predicts part masks.</param>
    public static int Columns(bool parts) => parts ? 5 : 3;

    /// <summary>The nearest-neighbour upscaling that makes an image about 128 px on its longer side (at least 1).</summary>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    public static int DefaultScale(int h, int w) => Math.Max(1, 128 / Math.Max(1, Math.Max(h, w)));

    /// <summary>Width of one grid column for images <paramref name="w"/> wide upscaled by <paramref name="scale"/>.</summary>
    /// <param name="w">Image width.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    public static int ColumnWidth(int w, int scale) => Math.Max(w * scale, MinColumnWidth);

    /// <summary>The size of the PNG <see cref="Write"/> draws.</summary>
    /// <param name="n">Number of points (rows).</param>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    /// <param name="parts">Whether the mask columns are drawn.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    /// <param name="legendEntries">Number of parts listed in the legend.</param>
    public static (int Width, int Height) FigureSize(int n, int h, int w, bool parts, int scale, int legendEntries)
    {
        int width = MaskOverlay.Pad + Columns(parts) * (ColumnWidth(w, scale) + MaskOverlay.Pad);
        int rows = n * RowHeight(h, scale);
        return (width, MaskOverlay.Pad + TitleHeight + MaskOverlay.HeaderHeight + rows + MaskOverlay.LegendHeight(width, legendEntries));
    }

    /// <summary>Top-left pixel of the (upscaled) image in grid row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    /// <param name="row">Point index.</param>
    /// <param name="column">0 = clean, 1 = adversarial, 2 = perturbation, 3 = mask on clean, 4 = mask on adversarial.</param>
    /// <param name="h">Image height.</param>
    /// <param name="w">Image width.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor.</param>
    public static (int X, int Y) CellOrigin(int row, int column, int h, int w, int scale)
    {
        int colW = ColumnWidth(w, scale);
        int x = MaskOverlay.Pad + column * (colW + MaskOverlay.Pad) + (colW - w * scale) / 2;
        int y = MaskOverlay.Pad + TitleHeight + MaskOverlay.HeaderHeight + row * RowHeight(h, scale);
        return (x, y);
    }

    /// <summary>
    /// The value a perturbation δ is drawn with: δ/(2s) + ½ clamped to [0,1], where s = ε for an L∞ attack (so the
    /// ball fills the range exactly) and s = the image's own max |δ| for L2 (whose per-pixel changes are far below ε).
    /// Zero perturbation is mid grey.
    /// </summary>
    /// <param name="delta">Adversarial minus clean pixel value.</param>
    /// <param name="scale">s above; non-positive draws grey.</param>
    public static float Magnify(float delta, double scale) =>
        scale <= 0 ? 0.5f : (float)Math.Clamp(delta / (2 * scale) + 0.5, 0, 1);

    /// <summary>Writes the figure to <paramref name="pngPath"/> (temporary name, then rename).</summary>
    /// <param name="pngPath">Output PNG path.</param>
    /// <param name="examples">The kept points; must be RGB (3 channels). Mask columns are drawn when it has masks.</param>
    /// <param name="model">Model name for the title.</param>
    /// <param name="taxonomy">Class and part names.</param>
    /// <param name="scale">Nearest-neighbour upscaling factor; 0 = <see cref="DefaultScale"/>.</param>
    public static void Write(string pngPath, AdversarialExamples examples, string model, PartTaxonomy taxonomy, int scale = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(taxonomy);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        var e = examples;
        bool parts = CheckShapes(e);
        int n = e.Count, h = e.Height, w = e.Width;
        if (scale == 0) scale = DefaultScale(h, w);

        var present = new SortedSet<int>();
        if (parts)
        {
            MaskOverlay.CollectParts(e.CleanMasks!, taxonomy.NumSegLabels, present);
            MaskOverlay.CollectParts(e.AdversarialMasks!, taxonomy.NumSegLabels, present);
        }
        var (width, height) = FigureSize(n, h, w, parts, scale, present.Count);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(ReportFonts.Regular, 12);
            using var bold = new SKFont(ReportFonts.Bold, 12);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            DrawTitles(canvas, e, model, width, scale, Columns(parts), font, bold, ink);
            for (int i = 0; i < n; i++) DrawPoint(bitmap, canvas, e, i, taxonomy, scale, Columns(parts), font, bold, ink);
            MaskOverlay.DrawLegend(canvas, MaskOverlay.Pad + TitleHeight + MaskOverlay.HeaderHeight + n * RowHeight(h, scale), width, present, taxonomy, font, bold, ink);
        }

        using var img = SKImage.FromBitmap(bitmap);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(pngPath, data.ToArray());
    }

    /// <summary>Checks that the arrays of <paramref name="e"/> match its count and image size; returns whether it has masks.</summary>
    private static bool CheckShapes(AdversarialExamples e)
    {
        int n = e.Count, h = e.Height, w = e.Width;
        if (e.Channels != 3) throw new ArgumentException($"examples have {e.Channels} channels; the figure draws RGB images (3).", "examples");
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(h, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(w, 1);
        long plane = (long)h * w;
        Check(e.Clean.LongLength, n * 3 * plane, "Clean");
        Check(e.Adversarial.LongLength, n * 3 * plane, "Adversarial");
        Check(e.Labels.LongLength, n, "Labels");
        Check(e.CleanPredictions.LongLength, n, "CleanPredictions");
        Check(e.AdversarialPredictions.LongLength, n, "AdversarialPredictions");
        if ((e.CleanMasks is null) != (e.AdversarialMasks is null))
            throw new ArgumentException("examples need both mask arrays or neither.", "examples");
        if (e.CleanMasks is null) return false;
        Check(e.CleanMasks.LongLength, n * plane, "CleanMasks");
        Check(e.AdversarialMasks!.LongLength, n * plane, "AdversarialMasks");
        return true;
    }

    /// <summary>The two title lines (model; attack and radius) and the column titles.</summary>
    private static void DrawTitles(SKCanvas canvas, AdversarialExamples e, string model, int width, int scale, int columns,
        SKFont font, SKFont bold, SKPaint ink)
    {
        const int pad = MaskOverlay.Pad;
        using var titleFont = new SKFont(ReportFonts.Bold, 14);
        float textWidth = width - 2 * pad;
        MaskOverlay.DrawLeft(canvas, $"Adversarial examples — {model}", pad, pad + 14, textWidth, titleFont, ink);
        string norm = e.Norm == Norm.Linf ? "L∞" : "L2";
        int n = e.Count;
        MaskOverlay.DrawLeft(canvas, $"attack {e.Attack} ({norm}, ε = {Epsilon(e.Epsilon)}); the first {n} attacked point{(n == 1 ? "" : "s")}",
            pad, pad + 32, textWidth, font, ink);

        int colW = ColumnWidth(e.Width, scale);
        string[] titles = ["clean", "adversarial", e.Norm == Norm.Linf ? "δ/(2ε) + ½" : "δ/(2‖δ‖∞) + ½", "parts on clean", "parts on adversarial"];
        for (int c = 0; c < columns; c++)
            MaskOverlay.DrawCentered(canvas, titles[c], pad + c * (colW + pad) + colW / 2f, pad + TitleHeight + 15, colW, bold, ink);
    }

    /// <summary>Row <paramref name="i"/>: each column's upscaled image with its two caption lines.</summary>
    private static void DrawPoint(SKBitmap bitmap, SKCanvas canvas, AdversarialExamples e, int i, PartTaxonomy taxonomy, int scale, int columns,
        SKFont font, SKFont bold, SKPaint ink)
    {
        const int pad = MaskOverlay.Pad;
        int h = e.Height, w = e.Width, colW = ColumnWidth(w, scale);
        var (linf, l2) = PerturbationNorms(e, i);
        var cell = new SKColor[h * w];
        for (int c = 0; c < columns; c++)
        {
            FillCell(cell, e, i, c, e.Norm == Norm.Linf ? e.Epsilon : linf, taxonomy.NumSegLabels);
            var (ox, oy) = CellOrigin(i, c, h, w, scale);
            MaskOverlay.DrawUpscaled(bitmap, cell, h, w, scale, ox, oy);

            var (line1, color1, line2, color2) = Caption(e, i, c, taxonomy, linf, l2);
            float cx = pad + c * (colW + pad) + colW / 2f;
            int baseline = oy + h * scale + 13;
            ink.Color = color1;
            MaskOverlay.DrawCentered(canvas, line1, cx, baseline, colW, c <= 1 ? bold : font, ink);
            ink.Color = color2;
            MaskOverlay.DrawCentered(canvas, line2, cx, baseline + CaptionLineHeight, colW, c <= 1 ? bold : font, ink);
            ink.Color = SKColors.Black;
        }
    }

    /// <summary>The L∞ and L2 norms of point <paramref name="i"/>'s perturbation, in double so the caption is exact to its digits.</summary>
    private static (double Linf, double L2) PerturbationNorms(AdversarialExamples e, int i)
    {
        long plane = (long)e.Height * e.Width, rgb0 = i * 3 * plane;
        double linf = 0, l2 = 0;
        for (long j = 0; j < 3 * plane; j++)
        {
            double d = (double)e.Adversarial[rgb0 + j] - e.Clean[rgb0 + j];
            linf = Math.Max(linf, Math.Abs(d));
            l2 += d * d;
        }
        return (linf, Math.Sqrt(l2));
    }

    /// <summary>The pixels of column <paramref name="c"/> for point <paramref name="i"/>, at the image's own size.</summary>
    private static void FillCell(SKColor[] cell, AdversarialExamples e, int i, int c, double magnify, int k)
    {
        int h = e.Height, w = e.Width;
        long plane = (long)h * w, rgb0 = i * 3 * plane, pix0 = i * plane;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            long p = (long)y * w + x;
            SKColor Pixel(float[] img) => new(MaskOverlay.ToByte(img[rgb0 + p]), MaskOverlay.ToByte(img[rgb0 + plane + p]),
                MaskOverlay.ToByte(img[rgb0 + 2 * plane + p]));
            cell[p] = c switch
            {
                0 => Pixel(e.Clean),
                1 => Pixel(e.Adversarial),
                2 => new SKColor(
                    MaskOverlay.ToByte(Magnify(e.Adversarial[rgb0 + p] - e.Clean[rgb0 + p], magnify)),
                    MaskOverlay.ToByte(Magnify(e.Adversarial[rgb0 + plane + p] - e.Clean[rgb0 + plane + p], magnify)),
                    MaskOverlay.ToByte(Magnify(e.Adversarial[rgb0 + 2 * plane + p] - e.Clean[rgb0 + 2 * plane + p], magnify))),
                3 => MaskOverlay.Blend(Pixel(e.Clean), MaskOverlay.LabelOrBackground(e.CleanMasks![pix0 + p], k)),
                _ => MaskOverlay.Blend(Pixel(e.Adversarial), MaskOverlay.LabelOrBackground(e.AdversarialMasks![pix0 + p], k)),
            };
        }
    }

    /// <summary>The two caption lines under column <paramref name="c"/> of point <paramref name="i"/>, each with its colour.</summary>
    private static (string, SKColor, string, SKColor) Caption(AdversarialExamples e, int i, int c, PartTaxonomy taxonomy, double linf, double l2)
    {
        long plane = (long)e.Height * e.Width, pix0 = i * plane;
        int truth = (int)e.Labels[i], cleanPred = (int)e.CleanPredictions[i], advPred = (int)e.AdversarialPredictions[i];
        return c switch
        {
            0 => ($"true: {MaskOverlay.ClassName(taxonomy, truth)}", SKColors.Black,
                  $"pred: {MaskOverlay.ClassName(taxonomy, cleanPred)} {(cleanPred == truth ? "✓" : "✗")}", Verdict(cleanPred == truth)),
            1 => ($"pred: {MaskOverlay.ClassName(taxonomy, advPred)}", Verdict(advPred == truth),
                  advPred == truth ? "still correct ✓" : cleanPred == truth ? "fooled ✗" : "already wrong ✗", Verdict(advPred == truth)),
            2 => ($"L∞ {Norm4(linf)} ({(linf * 255).ToString("0.#", Inv)}/255)", SKColors.Black, $"L2 {Norm4(l2)}", SKColors.Black),
            3 => ($"{WholePct(Foreground(e.CleanMasks!, pix0, plane))} part pixels", SKColors.Black, "", SKColors.Black),
            _ => ($"{WholePct(Foreground(e.AdversarialMasks!, pix0, plane))} part pixels", SKColors.Black,
                  $"{WholePct(Changed(e.CleanMasks!, e.AdversarialMasks!, pix0, plane))} pixels changed", SKColors.Black),
        };
    }

    /// <summary>
    /// Writes <c>adversarial_NAME.png</c> (this figure) and <c>adversarial_NAME.safetensors</c> (the exact tensors) into
    /// <paramref name="runDir"/> for the examples <paramref name="result"/> carries, and returns the result naming both
    /// files and the attack, without the arrays. A result without examples is returned unchanged.
    /// </summary>
    /// <param name="runDir">The run folder.</param>
    /// <param name="result">A model's result with <see cref="ModelResult.Examples"/>.</param>
    /// <param name="taxonomy">Class and part names.</param>
    public static ModelResult WriteRunFiles(string runDir, ModelResult result, PartTaxonomy taxonomy)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Examples is not { Count: > 0 } examples) return result with { Examples = null };
        string stem = result.Name.Replace(':', '.'); // ':' (a control arm's key) is not allowed in Windows file names
        string figure = $"adversarial_{stem}.png", tensors = $"adversarial_{stem}.safetensors";
        Write(Path.Combine(runDir, figure), examples, result.DisplayName, taxonomy);
        examples.SaveSafetensors(Path.Combine(runDir, tensors));
        return result with
        {
            AdversarialExamplesFigure = figure, AdversarialExamplesTensors = tensors, AdversarialExamplesAttack = examples.Attack,
            Examples = null,
        };
    }

    private static int RowHeight(int h, int scale) => h * scale + 2 * CaptionLineHeight + MaskOverlay.Pad;

    private static SKColor Verdict(bool correct) => correct ? MaskOverlay.Correct : MaskOverlay.Wrong;

    private static void Check(long actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"examples.{name} has {actual} values, expected {expected}.", "examples");
    }

    private static double Foreground(long[] masks, long offset, long plane)
    {
        long count = 0;
        for (long p = 0; p < plane; p++) if (masks[offset + p] > 0) count++;
        return (double)count / plane;
    }

    private static double Changed(long[] a, long[] b, long offset, long plane)
    {
        long count = 0;
        for (long p = 0; p < plane; p++) if (a[offset + p] != b[offset + p]) count++;
        return (double)count / plane;
    }

    private static string Norm4(double v) => v.ToString("0.0000", Inv);

    /// <summary>ε as a fraction of 255 when it is one, e.g. "8/255" (as the reports write it).</summary>
    private static string Epsilon(double eps)
    {
        double k = eps * 255;
        return Math.Abs(k - Math.Round(k)) < 1e-6 ? $"{Math.Round(k).ToString(Inv)}/255" : eps.ToString("G4", Inv);
    }
}
