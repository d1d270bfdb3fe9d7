using System.Globalization;
using SkiaSharp;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// Heatmap of accuracy under common corruptions, one panel per model: rows are corruptions (then a mean row), columns are
/// the clean accuracy, each severity and the mean over severities. Every cell is coloured by its accuracy on one viridis
/// scale shared by all panels (perceptually uniform and colour-blind safe) and carries the accuracy as a percentage.
/// Drawn with SkiaSharp at fixed cell sizes, so the figure size depends only on the counts.
/// </summary>
public static class CorruptionHeatmap
{
    /// <summary>Outer margin in pixels.</summary>
    public const int Pad = 12;
    /// <summary>Height of the figure's title and subtitle lines in pixels.</summary>
    public const int TitleHeight = 44;
    /// <summary>Height of a panel's title (up to two lines of the model's name) in pixels.</summary>
    public const int PanelTitleHeight = 36;
    /// <summary>Height of the column headers ("severity" over the severities, then the column names) in pixels.</summary>
    public const int HeaderHeight = 34;
    /// <summary>Width of the corruption-name column in pixels.</summary>
    public const int LabelWidth = 124;
    /// <summary>Width of one cell in pixels.</summary>
    public const int CellWidth = 52;
    /// <summary>Height of one cell in pixels.</summary>
    public const int CellHeight = 22;
    /// <summary>Gap between the clean column, the severities and the mean column, and above the mean row, in pixels.</summary>
    public const int GroupGap = 4;
    /// <summary>Horizontal gap between panels in pixels.</summary>
    public const int PanelGapX = 28;
    /// <summary>Vertical gap between rows of panels in pixels.</summary>
    public const int PanelGapY = 16;
    /// <summary>Height of the colour bar block under the panels (gap, bar, tick labels) in pixels.</summary>
    public const int ColourBarHeight = 52;
    /// <summary>Width of the colour bar in pixels (less if the figure is narrower).</summary>
    public const int ColourBarWidth = 360;
    /// <summary>Smallest figure width in pixels, so the title and colour bar fit next to one narrow panel.</summary>
    public const int MinWidth = 600;
    /// <summary>Most panels drawn side by side; more models wrap onto further rows.</summary>
    public const int MaxPanelsPerRow = 3;

    /// <summary>Colour of a cell without a value (a severity a corruption was not run at).</summary>
    public static readonly SKColor Missing = new(0xE4, 0xE4, 0xE4);

    // Viridis (matplotlib) at 0, 0.1, …, 1; interpolated linearly in between.
    private static readonly SKColor[] Viridis =
    [
        SKColor.Parse("#440154"), SKColor.Parse("#482475"), SKColor.Parse("#414487"), SKColor.Parse("#355F8D"),
        SKColor.Parse("#2A788E"), SKColor.Parse("#21918C"), SKColor.Parse("#22A884"), SKColor.Parse("#44BF70"),
        SKColor.Parse("#7AD151"), SKColor.Parse("#BDDF26"), SKColor.Parse("#FDE725"),
    ];

    /// <summary>
    /// The colour of accuracy <paramref name="accuracy"/>: viridis from dark violet at <paramref name="chance"/> (and
    /// below) to yellow at 1. The same accuracy always gets the same colour; NaN gets <see cref="Missing"/>.
    /// </summary>
    /// <param name="accuracy">Accuracy in [0,1] (clamped).</param>
    /// <param name="chance">Bottom of the scale, in [0,1).</param>
    public static SKColor ColorOf(double accuracy, double chance = 0)
    {
        if (double.IsNaN(accuracy)) return Missing;
        double t = Math.Clamp((accuracy - chance) / (1 - chance), 0, 1) * (Viridis.Length - 1);
        int i = Math.Min((int)Math.Floor(t), Viridis.Length - 2);
        double f = t - i;
        SKColor a = Viridis[i], b = Viridis[i + 1];
        static byte Mix(byte x, byte y, double f) => (byte)Math.Round(x + (y - x) * f);
        return new SKColor(Mix(a.Red, b.Red, f), Mix(a.Green, b.Green, f), Mix(a.Blue, b.Blue, f));
    }

    /// <summary>Black or white, whichever contrasts more (WCAG contrast ratio) with <paramref name="background"/>.</summary>
    /// <param name="background">Cell colour.</param>
    public static SKColor TextColorOn(SKColor background)
    {
        static double Linear(byte c)
        {
            double s = c / 255.0;
            return s <= 0.04045 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }
        double l = 0.2126 * Linear(background.Red) + 0.7152 * Linear(background.Green) + 0.0722 * Linear(background.Blue);
        return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? SKColors.Black : SKColors.White;
    }

    /// <summary>An imagecorruptions name made readable: <c>gaussian_noise</c> → "gaussian noise".</summary>
    /// <param name="name">Corruption name.</param>
    public static string ReadableName(string name) => name.Replace('_', ' ');

    /// <summary>Panels side by side in one row of the figure for <paramref name="panels"/> models (rows are filled evenly).</summary>
    /// <param name="panels">Number of models drawn.</param>
    public static int PanelsPerRow(int panels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(panels, 1);
        int rows = (panels + MaxPanelsPerRow - 1) / MaxPanelsPerRow;
        return (panels + rows - 1) / rows;
    }

    /// <summary>Width of one panel with <paramref name="severities"/> severity columns.</summary>
    /// <param name="severities">Number of severity columns.</param>
    public static int PanelWidth(int severities) => LabelWidth + (severities + 2) * CellWidth + 2 * GroupGap;

    /// <summary>Height of one panel with <paramref name="corruptions"/> corruption rows (plus the mean row).</summary>
    /// <param name="corruptions">Number of corruption rows.</param>
    public static int PanelHeight(int corruptions) => PanelTitleHeight + HeaderHeight + (corruptions + 1) * CellHeight + GroupGap;

    /// <summary>
    /// The size of the PNG <see cref="Write"/> draws for <paramref name="panels"/> models, where the model with the most
    /// has <paramref name="corruptions"/> corruptions and <paramref name="severities"/> severities.
    /// </summary>
    /// <param name="panels">Models with corruption results.</param>
    /// <param name="corruptions">Most corruptions of any of them.</param>
    /// <param name="severities">Most severities of any of them.</param>
    public static (int Width, int Height) FigureSize(int panels, int corruptions, int severities)
    {
        int perRow = PanelsPerRow(panels);
        int gridRows = (panels + perRow - 1) / perRow;
        int width = Math.Max(MinWidth, 2 * Pad + perRow * PanelWidth(severities) + (perRow - 1) * PanelGapX);
        int height = Pad + TitleHeight + gridRows * PanelHeight(corruptions) + (gridRows - 1) * PanelGapY + ColourBarHeight + Pad;
        return (width, height);
    }

    /// <summary>
    /// The pixel rectangle of a cell (see <see cref="FigureSize"/> for the last three parameters). The clean column is
    /// one cell spanning every row (the clean accuracy is the reference of every corruption and of their mean).
    /// </summary>
    /// <param name="panel">Panel index (models with corruption results, in input order).</param>
    /// <param name="row">0..corruptions−1 a corruption, <c>corruptions</c> the mean row.</param>
    /// <param name="column">0 clean, 1..severities a severity, severities+1 the mean.</param>
    /// <param name="panels">Number of panels.</param>
    /// <param name="corruptions">Rows of the largest panel.</param>
    /// <param name="severities">Severity columns of the largest panel.</param>
    public static SKRectI CellRect(int panel, int row, int column, int panels, int corruptions, int severities)
    {
        int perRow = PanelsPerRow(panels);
        int px = Pad + panel % perRow * (PanelWidth(severities) + PanelGapX);
        int py = Pad + TitleHeight + panel / perRow * (PanelHeight(corruptions) + PanelGapY);
        int top = py + PanelTitleHeight + HeaderHeight;
        int x = px + LabelWidth + column * CellWidth + (column >= 1 ? GroupGap : 0) + (column >= severities + 1 ? GroupGap : 0);
        if (column == 0) return new SKRectI(x, top, x + CellWidth, top + (corruptions + 1) * CellHeight + GroupGap);
        int y = top + row * CellHeight + (row >= corruptions ? GroupGap : 0);
        return new SKRectI(x, y, x + CellWidth, y + CellHeight);
    }

    /// <summary>
    /// Writes the heatmap to <paramref name="pngPath"/> (temporary name, then rename). Models without
    /// <see cref="ModelResult.Corruptions"/> are left out. Within a panel, rows follow the dictionary order, columns the
    /// severities present in any of its corruptions in numeric order; a missing severity is a grey "–" cell and the
    /// row mean is over the severities present. The mean row is the mean over corruptions of each column.
    /// </summary>
    /// <param name="models">Model results.</param>
    /// <param name="pngPath">Output PNG path.</param>
    /// <param name="chance">Bottom of the colour scale (chance accuracy 1/C, or 0 for the full range); values below it get its colour.</param>
    /// <exception cref="ArgumentException">No model has corruption results.</exception>
    public static void Write(IReadOnlyList<ModelResult> models, string pngPath, double chance = 0)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        if (!double.IsFinite(chance) || chance < 0 || chance >= 1)
            throw new ArgumentOutOfRangeException(nameof(chance), chance, "Chance accuracy must be in [0,1).");
        var panels = models.Where(m => m.Corruptions is { Count: > 0 }).Select(Panel.From).ToList();
        if (panels.Count == 0)
            throw new ArgumentException("No model has corruption results to draw.", nameof(models));

        int maxRows = panels.Max(p => p.Corruptions.Count);
        int maxSev = panels.Max(p => p.Severities.Count);
        var (width, height) = FigureSize(panels.Count, maxRows, maxSev);
        int panelW = PanelWidth(maxSev);

        ReportFonts.EnsureRegistered();
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(ReportFonts.Regular, 12);
            using var bold = new SKFont(ReportFonts.Bold, 12);
            using var cellFont = new SKFont(ReportFonts.Regular, 11);
            using var cellBold = new SKFont(ReportFonts.Bold, 11);
            using var panelFont = new SKFont(ReportFonts.Bold, 13);
            using var titleFont = new SKFont(ReportFonts.Bold, 15);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };

            float textWidth = width - 2 * Pad;
            MaskOverlay.DrawLeft(canvas, "Accuracy under common corruptions", Pad, Pad + 15, textWidth, titleFont, ink);
            MaskOverlay.DrawLeft(canvas, $"colour: accuracy ({Pct(chance)} → 100%); mean row: over corruptions; mean column: over severities",
                Pad, Pad + 35, textWidth, font, ink);

            for (int k = 0; k < panels.Count; k++)
            {
                Panel p = panels[k];
                int rows = p.Corruptions.Count, sev = p.Severities.Count;
                SKRectI Cell(int r, int c) => CellRect(k, r, c, panels.Count, maxRows, maxSev);
                SKRectI origin = CellRect(k, 0, 1, panels.Count, maxRows, maxSev);
                int px = origin.Left - LabelWidth - CellWidth - GroupGap;
                int headerTop = origin.Top - HeaderHeight;

                // Title: the model's name over up to two lines.
                var lines = Wrap(p.Title, panelW, panelFont, 2);
                for (int l = 0; l < lines.Count; l++)
                    canvas.DrawText(lines[l], px, headerTop - PanelTitleHeight + 14 + l * 16, SKTextAlign.Left, panelFont, ink);

                // Headers.
                SKRectI first = Cell(0, 1), last = Cell(0, sev);
                MaskOverlay.DrawCentered(canvas, "severity", (first.Left + last.Right) / 2f, headerTop + 13, last.Right - first.Left, font, ink);
                for (int c = 0; c < sev + 2; c++)
                {
                    SKRectI r = Cell(0, c);
                    string head = c == 0 ? "clean" : c == sev + 1 ? "mean" : p.Severities[c - 1];
                    MaskOverlay.DrawCentered(canvas, head, r.MidX, headerTop + 30, CellWidth, bold, ink);
                }

                // Corruption rows, then the mean row.
                for (int r = 0; r <= rows; r++)
                {
                    bool meanRow = r == rows;
                    SKRectI rowRect = Cell(r, 1);
                    float baseline = rowRect.Top + CellHeight / 2f + 4;
                    MaskOverlay.DrawLeft(canvas, meanRow ? "mean" : ReadableName(p.Corruptions[r]), px, baseline, LabelWidth - 6,
                        meanRow ? bold : font, ink);
                    for (int c = 1; c <= sev + 1; c++)
                        DrawCell(canvas, Cell(r, c), p.Values[r, c - 1], chance, meanRow || c == sev + 1 ? cellBold : cellFont, fill, ink);
                }
                DrawCell(canvas, Cell(0, 0), p.Clean, chance, cellBold, fill, ink);
            }

            DrawColourBar(canvas, width, height - Pad - ColourBarHeight, chance, font, ink, fill);
        }

        using var img = SKImage.FromBitmap(bitmap);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(pngPath, data.ToArray());
    }

    private static void DrawCell(SKCanvas canvas, SKRectI rect, double value, double chance, SKFont font, SKPaint fill, SKPaint ink)
    {
        SKColor color = ColorOf(value, chance);
        fill.Color = color;
        canvas.DrawRect(rect, fill);
        ink.Color = double.IsNaN(value) ? SKColors.DimGray : TextColorOn(color);
        string text = double.IsNaN(value) ? "–" : Pct(value);
        MaskOverlay.DrawCentered(canvas, text, rect.MidX, rect.MidY + 4, rect.Width - 2, font, ink);
        ink.Color = SKColors.Black;
    }

    private static void DrawColourBar(SKCanvas canvas, int width, int top, double chance, SKFont font, SKPaint ink, SKPaint fill)
    {
        const string label = "accuracy";
        float labelW = font.MeasureText(label) + 10;
        int barW = Math.Min(ColourBarWidth, width - 2 * Pad - (int)labelW - 20);
        int x0 = Pad + (int)labelW, y0 = top + 12, barH = 14;
        canvas.DrawText(label, Pad, y0 + barH - 2, SKTextAlign.Left, font, ink);
        for (int i = 0; i < barW; i++)
        {
            fill.Color = ColorOf(chance + (1 - chance) * i / (barW - 1.0), chance);
            canvas.DrawRect(new SKRect(x0 + i, y0, x0 + i + 1, y0 + barH), fill);
        }
        using var outline = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawRect(new SKRect(x0 - 0.5f, y0 - 0.5f, x0 + barW - 0.5f, y0 + barH + 0.5f), outline);

        var ticks = new List<double> { chance };
        for (int k = 1; k <= 5; k++)
            if (k * 0.2 - chance > 0.06) ticks.Add(k * 0.2);
        float previousRight = float.NegativeInfinity;
        foreach (double t in ticks)
        {
            float x = x0 + (float)((t - chance) / (1 - chance)) * (barW - 1);
            canvas.DrawLine(x, y0 + barH, x, y0 + barH + 4, outline);
            string text = chance > 0 && t == chance ? $"{WholePct(t)} chance" : WholePct(t);
            float half = font.MeasureText(text) / 2;
            if (x - half < previousRight + 6) continue; // the tick stays; its label would collide with the previous one
            canvas.DrawText(text, x, y0 + barH + 17, SKTextAlign.Center, font, ink);
            previousRight = x + half;
        }
    }

    /// <summary>Splits <paramref name="text"/> at spaces into at most <paramref name="maxLines"/> lines that fit; the last is shortened with an ellipsis.</summary>
    private static List<string> Wrap(string text, float maxWidth, SKFont font, int maxLines)
    {
        var lines = new List<string>();
        string rest = text.Trim();
        while (rest.Length > 0 && lines.Count < maxLines - 1 && font.MeasureText(rest) > maxWidth)
        {
            int cut = -1;
            for (int i = rest.IndexOf(' '); i > 0; i = rest.IndexOf(' ', i + 1))
            {
                if (font.MeasureText(rest[..i]) > maxWidth) break;
                cut = i;
            }
            if (cut <= 0) break; // a first word too long to wrap: the ellipsis below shortens it
            lines.Add(rest[..cut]);
            rest = rest[(cut + 1)..].TrimStart();
        }
        lines.Add(MaskOverlay.Fit(rest, maxWidth, font));
        return lines;
    }

    /// <summary>One model's table: its corruptions in dictionary order, severities present, and the cell values.</summary>
    private sealed record Panel(string Title, double Clean, List<string> Corruptions, List<string> Severities, double[,] Values)
    {
        /// <summary>
        /// Values[r, s] for corruption r (or the mean row r = count) and severity s (or the mean column s = count);
        /// NaN where missing.
        /// </summary>
        public static Panel From(ModelResult m)
        {
            var corruptions = m.Corruptions!.Keys.ToList();
            var severities = m.Corruptions.Values.SelectMany(d => d.Keys).Distinct()
                .OrderBy(s => int.TryParse(s, NumberStyles.Integer, Inv, out int v) ? v : int.MaxValue)
                .ThenBy(s => s, StringComparer.Ordinal).ToList();
            int rows = corruptions.Count, cols = severities.Count;
            var values = new double[rows + 1, cols + 1];
            for (int r = 0; r < rows; r++)
            {
                var bySeverity = m.Corruptions[corruptions[r]];
                for (int s = 0; s < cols; s++)
                    values[r, s] = bySeverity.TryGetValue(severities[s], out double a) ? a : double.NaN;
                values[r, cols] = Mean(Enumerable.Range(0, cols).Select(s => values[r, s]));
            }
            for (int s = 0; s <= cols; s++)
                values[rows, s] = Mean(Enumerable.Range(0, rows).Select(r => values[r, s]));
            return new Panel(m.DisplayName, m.CleanAccuracy, corruptions, severities, values);
        }

        private static double Mean(IEnumerable<double> xs)
        {
            var present = xs.Where(x => !double.IsNaN(x)).ToList();
            return present.Count == 0 ? double.NaN : present.Average();
        }
    }
}
