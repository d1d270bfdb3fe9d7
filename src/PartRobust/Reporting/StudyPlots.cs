using ScottPlot;
using SkiaSharp;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>
/// One arm in one regime of a multi-seed study: accuracies averaged over seeds, each with a 95% confidence interval.
/// Accuracies are fractions in [0,1]. When the interval is undefined (e.g. a single seed) pass
/// low == high == mean; no error bar is drawn then.
/// </summary>
/// <param name="Arm">Model arm, e.g. <c>ResNet-18</c>; the same arm gets the same colour in every panel.</param>
/// <param name="Regime">Data regime, e.g. <c>natural</c> or <c>easy</c>; one panel per regime.</param>
/// <param name="Clean">Mean clean accuracy over seeds.</param>
/// <param name="CleanLow">Lower end of the 95% CI of <paramref name="Clean"/>.</param>
/// <param name="CleanHigh">Upper end of the 95% CI of <paramref name="Clean"/>.</param>
/// <param name="Robust">Mean robust accuracy over seeds.</param>
/// <param name="RobustLow">Lower end of the 95% CI of <paramref name="Robust"/>.</param>
/// <param name="RobustHigh">Upper end of the 95% CI of <paramref name="Robust"/>.</param>
public sealed record StudyPoint(string Arm, string Regime, double Clean, double CleanLow, double CleanHigh,
    double Robust, double RobustLow, double RobustHigh);

/// <summary>
/// One arm in one regime at one training-set size: the mean over seeds of one metric with its 95% confidence
/// interval (low == high == mean when undefined, e.g. a single seed; no error bar is drawn then).
/// </summary>
/// <param name="Arm">Model arm; the same arm gets the same colour in every panel.</param>
/// <param name="Regime">Data regime; one row of panels per regime.</param>
/// <param name="TrainSize">Number of training images (positive).</param>
/// <param name="Metric"><see cref="StudyPlots.CleanMetric"/> or <see cref="StudyPlots.RobustMetric"/>.</param>
/// <param name="Mean">Mean accuracy over seeds, a fraction in [0,1].</param>
/// <param name="Low">Lower end of the 95% CI of <paramref name="Mean"/>.</param>
/// <param name="High">Upper end of the 95% CI of <paramref name="Mean"/>.</param>
public sealed record StudyCurvePoint(
    [property: System.Text.Json.Serialization.JsonPropertyName("arm")] string Arm,
    [property: System.Text.Json.Serialization.JsonPropertyName("regime")] string Regime,
    [property: System.Text.Json.Serialization.JsonPropertyName("train_size")] int TrainSize,
    [property: System.Text.Json.Serialization.JsonPropertyName("metric")] string Metric,
    [property: System.Text.Json.Serialization.JsonPropertyName("mean")] double Mean,
    [property: System.Text.Json.Serialization.JsonPropertyName("low")] double Low,
    [property: System.Text.Json.Serialization.JsonPropertyName("high")] double High);

/// <summary>
/// Figures for a multi-seed study that compares model arms in several data regimes, drawn with ScottPlot in the style
/// of <see cref="Plots"/> (embedded font, Okabe–Ito palette, percent axes) and written as PNG files (temp name, then
/// rename). Each arm keeps one colour and marker shape in every panel; error bars are 95% CIs over seeds.
/// </summary>
public static class StudyPlots
{
    /// <summary>Width in pixels of one panel; figures are a grid of panels.</summary>
    public const int PanelWidth = 640;
    /// <summary>Height in pixels of one panel; figures are a grid of panels.</summary>
    public const int PanelHeight = 520;
    /// <summary>The <see cref="StudyCurvePoint.Metric"/> value for clean accuracy.</summary>
    public const string CleanMetric = "clean";
    /// <summary>The <see cref="StudyCurvePoint.Metric"/> value for robust accuracy.</summary>
    public const string RobustMetric = "robust";

    private const float MarkerSize = 11;
    private const double Margin = 0.1;        // fraction of the data span added on each side of the axis limits
    private const double MinMargin = 0.02;    // at least 2 points of accuracy on each side
    private const double DodgeStep = 0.06;    // horizontal offset between arms on the log2 x axis (data efficiency)
    private const double Tolerance = 1e-9;    // for low <= mean <= high
    private const string BarsNote = " (bars: 95% CI over seeds)"; // only when some interval is defined

    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown,
    ];

    /// <summary>
    /// Robustness–accuracy trade-off: one panel per regime, side by side in order of first appearance. Each panel
    /// plots clean accuracy (x) against robust accuracy under <paramref name="robustLabel"/> (y), one marker per arm
    /// with horizontal and vertical 95% CI error bars, the dotted y = x diagonal and dashed chance lines (each listed
    /// in the legend only when it falls inside the panel), and the values in the legend below the panel
    /// ("Arm: clean 91.2%, robust 55.0%"). Axis limits fit each panel's data and intervals with a margin, since arms
    /// are usually within a few points of each other.
    /// </summary>
    /// <param name="points">One point per (arm, regime); at least one.</param>
    /// <param name="robustLabel">Name of the robust metric for labels, e.g. <c>PGD-20</c> or <c>worst case</c>.</param>
    /// <param name="chance">Chance accuracy 1/C, in [0,1].</param>
    /// <param name="pngPath">Output PNG path (regimes·<see cref="PanelWidth"/> × <see cref="PanelHeight"/>).</param>
    /// <exception cref="ArgumentException">An argument is null or empty, an arm appears twice in a regime, or a value
    /// is not finite, outside [0,1] or outside its interval (the message names the arm and field).</exception>
    public static void TradeOff(IReadOnlyList<StudyPoint> points, string robustLabel, double chance, string pngPath)
    {
        ValidateTradeOff(points, robustLabel, chance, pngPath);
        ReportFonts.EnsureRegistered();

        Dictionary<string, ArmStyle> styles = StylesByArm(points.Select(p => p.Arm));
        List<string> regimes = InOrderOfAppearance(points.Select(p => p.Regime));
        var panels = regimes
            .Select(regime => TradeOffPanel(points.Where(p => p.Regime == regime).ToList(), regime, robustLabel, chance, styles))
            .ToList();

        WriteGrid(panels, columns: regimes.Count, pngPath);
    }

    /// <summary>
    /// Data efficiency ("part labels as an alternative to more data"): a grid with one row per regime (in order of
    /// first appearance) and two columns, clean accuracy and robust accuracy under <paramref name="robustLabel"/>,
    /// against training-set size on a log2 x axis labelled at the sizes present. One line with markers per arm and
    /// vertical 95% CI error bars; arms are nudged slightly apart along x so their bars do not overlap. Each panel has
    /// its own legend below it and y limits fitted to its data with a margin.
    /// </summary>
    /// <param name="points">Curve points; at least one. <see cref="StudyCurvePoint.Metric"/> must be
    /// <see cref="CleanMetric"/> or <see cref="RobustMetric"/>.</param>
    /// <param name="robustLabel">Name of the robust metric for labels, e.g. <c>PGD-20</c>.</param>
    /// <param name="pngPath">Output PNG path (2·<see cref="PanelWidth"/> × regimes·<see cref="PanelHeight"/>).</param>
    /// <exception cref="ArgumentException">An argument is null or empty, a point is duplicated, a metric or size is
    /// invalid, or a value is not finite, outside [0,1] or outside its interval (the message names the arm and
    /// field).</exception>
    public static void DataEfficiency(IReadOnlyList<StudyCurvePoint> points, string robustLabel, string pngPath)
    {
        ValidateCurves(points, robustLabel, pngPath);
        ReportFonts.EnsureRegistered();

        Dictionary<string, ArmStyle> styles = StylesByArm(points.Select(p => p.Arm));
        List<string> regimes = InOrderOfAppearance(points.Select(p => p.Regime));
        int[] sizes = points.Select(p => p.TrainSize).Distinct().Order().ToArray();
        var panels = new List<Plot>();
        foreach (string regime in regimes)
        {
            var inRegime = points.Where(p => p.Regime == regime).ToList();
            panels.Add(EfficiencyPanel(inRegime.Where(p => p.Metric == CleanMetric).ToList(), sizes, styles,
                $"{regime}: clean accuracy", "Clean accuracy"));
            panels.Add(EfficiencyPanel(inRegime.Where(p => p.Metric == RobustMetric).ToList(), sizes, styles,
                $"{regime}: robust accuracy ({robustLabel})", $"Robust accuracy ({robustLabel})"));
        }

        WriteGrid(panels, columns: 2, pngPath);
    }

    // ---- panels ----

    private static Plot TradeOffPanel(IReadOnlyList<StudyPoint> points, string regime, string robustLabel, double chance,
        IReadOnlyDictionary<string, ArmStyle> styles)
    {
        var plot = new Plot();
        ReportFonts.Apply(plot);
        AxisRange x = FitRange(points.SelectMany(p => new[] { p.Clean, p.CleanLow, p.CleanHigh }));
        AxisRange y = FitRange(points.SelectMany(p => new[] { p.Robust, p.RobustLow, p.RobustHigh }));

        AddDiagonal(plot, x, y);
        AddChanceLines(plot, chance, x, y);
        foreach (StudyPoint p in points)
        {
            ArmStyle style = styles[p.Arm];
            AddErrorBars(plot, [p.Clean], [p.Robust], style.Color,
                xIntervals: [new Interval(p.Clean, p.CleanLow, p.CleanHigh)],
                yIntervals: [new Interval(p.Robust, p.RobustLow, p.RobustHigh)]);
            var marker = plot.Add.Marker(p.Clean, p.Robust, style.Shape, MarkerSize, style.Color);
            // Values go in the legend: markers of similar arms sit close together and text labels would collide.
            marker.LegendText = $"{p.Arm}: clean {Pct(p.Clean)}, robust {Pct(p.Robust)}";
        }

        plot.Title($"{regime}: clean vs robust accuracy ({robustLabel})");
        bool anyBars = points.Any(p => p.CleanLow < p.CleanHigh || p.RobustLow < p.RobustHigh);
        plot.XLabel("Clean accuracy" + (anyBars ? BarsNote : ""));
        plot.YLabel($"Robust accuracy ({robustLabel})");
        SetPercentTicks(plot.Axes.Bottom, x);
        SetPercentTicks(plot.Axes.Left, y);
        plot.Axes.SetLimits(x.Low, x.High, y.Low, y.High);
        ShowLegendBelow(plot);
        ReportFonts.Apply(plot);
        return plot;
    }

    private static Plot EfficiencyPanel(IReadOnlyList<StudyCurvePoint> points, IReadOnlyList<int> sizes,
        IReadOnlyDictionary<string, ArmStyle> styles, string title, string yLabel)
    {
        var plot = new Plot();
        ReportFonts.Apply(plot);
        AxisRange y = FitRange(points.SelectMany(p => new[] { p.Mean, p.Low, p.High }));

        List<string> arms = styles.Keys.Where(arm => points.Any(p => p.Arm == arm)).ToList();
        foreach (string arm in arms)
        {
            ArmStyle style = styles[arm];
            var series = points.Where(p => p.Arm == arm).OrderBy(p => p.TrainSize).ToList();
            double dodge = (style.Index - (styles.Count - 1) / 2.0) * DodgeStep;
            double[] xs = series.Select(p => Math.Log2(p.TrainSize) + dodge).ToArray();
            double[] ys = series.Select(p => p.Mean).ToArray();

            AddErrorBars(plot, xs, ys, style.Color, xIntervals: null,
                yIntervals: series.Select(p => new Interval(p.Mean, p.Low, p.High)).ToList());
            var line = plot.Add.ScatterLine(xs, ys, style.Color);
            line.LineWidth = 2;
            line.MarkerShape = style.Shape;
            line.MarkerSize = MarkerSize - 2;
            line.LegendText = arm;
        }
        if (arms.Count == 0) title += " (no data)";

        plot.Title(title);
        bool anyBars = points.Any(p => p.Low < p.High);
        plot.XLabel("Training-set size (log scale)" + (anyBars ? BarsNote : ""));
        plot.YLabel(yLabel);
        SetSizeTicks(plot, sizes);
        SetPercentTicks(plot.Axes.Left, y);
        plot.Axes.SetLimitsY(y.Low, y.High);
        if (arms.Count > 0) ShowLegendBelow(plot);
        ReportFonts.Apply(plot);
        return plot;
    }

    // ---- shared drawing helpers ----

    /// <summary>The colour and marker shape of one arm, and its index in order of first appearance.</summary>
    private readonly record struct ArmStyle(int Index, Color Color, MarkerShape Shape);

    /// <summary>A mean with its confidence interval.</summary>
    private readonly record struct Interval(double Mean, double Low, double High);

    /// <summary>Axis limits (fractions).</summary>
    private readonly record struct AxisRange(double Low, double High)
    {
        public bool Contains(double v) => v >= Low && v <= High;
    }

    /// <summary>One style per distinct arm, in order of first appearance, so an arm looks the same in every panel.</summary>
    private static Dictionary<string, ArmStyle> StylesByArm(IEnumerable<string> arms) =>
        InOrderOfAppearance(arms)
            .Select((arm, i) => (arm, style: new ArmStyle(i, Plots.Series[i % Plots.Series.Length], Shapes[i % Shapes.Length])))
            .ToDictionary(t => t.arm, t => t.style, StringComparer.Ordinal);

    private static List<string> InOrderOfAppearance(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Error bars from the intervals (null: none in that direction). ScottPlot skips bars of zero length, so an
    /// undefined interval (low == high == mean) draws nothing.
    /// </summary>
    private static void AddErrorBars(Plot plot, double[] xs, double[] ys, Color color,
        IReadOnlyList<Interval>? xIntervals, IReadOnlyList<Interval> yIntervals)
    {
        double[]? xPlus = xIntervals?.Select(i => Math.Max(0, i.High - i.Mean)).ToArray();
        double[]? xMinus = xIntervals?.Select(i => Math.Max(0, i.Mean - i.Low)).ToArray();
        double[] yPlus = yIntervals.Select(i => Math.Max(0, i.High - i.Mean)).ToArray();
        double[] yMinus = yIntervals.Select(i => Math.Max(0, i.Mean - i.Low)).ToArray();
        var bars = new ScottPlot.Plottables.ErrorBar(xs, ys, xPlus, xMinus, yPlus, yMinus)
        {
            Color = color,
            LineWidth = 1.5f,
            CapSize = 5,
        };
        plot.Add.Plottable(bars);
    }

    /// <summary>The dotted y = x line (robust accuracy cannot exceed clean accuracy); in the legend only if visible.</summary>
    private static void AddDiagonal(Plot plot, AxisRange x, AxisRange y)
    {
        double low = Math.Min(x.Low, y.Low), high = Math.Max(x.High, y.High);
        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.LineColor = Colors.Gray.WithAlpha(0.6);
        diagonal.LinePattern = LinePattern.Dotted;
        diagonal.LineWidth = 1;
        if (Math.Max(x.Low, y.Low) <= Math.Min(x.High, y.High)) diagonal.LegendText = "robust = clean";
    }

    /// <summary>Dashed chance lines on both axes; in the legend only if one of them is visible.</summary>
    private static void AddChanceLines(Plot plot, double chance, AxisRange x, AxisRange y)
    {
        var horizontal = plot.Add.HorizontalLine(chance);
        var vertical = plot.Add.VerticalLine(chance);
        foreach (var line in new ScottPlot.Plottables.AxisLine[] { horizontal, vertical })
        {
            line.LineColor = Colors.DarkRed;
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1.5f;
        }
        if (y.Contains(chance) || x.Contains(chance)) horizontal.LegendText = $"chance ({Pct(chance)})";
    }

    /// <summary>A vertical legend in its own panel below the data area, so it never covers the data.</summary>
    private static void ShowLegendBelow(Plot plot)
    {
        var panel = plot.ShowLegend(Edge.Bottom);
        panel.Legend.Orientation = Orientation.Vertical;
    }

    /// <summary>
    /// Limits that fit <paramref name="values"/> with a margin of <see cref="Margin"/> of their span (at least
    /// <see cref="MinMargin"/>) on each side, kept within about [0,1]; [0,1] when there are no values.
    /// </summary>
    private static AxisRange FitRange(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        if (v.Length == 0) return new AxisRange(0, 1);
        double min = v.Min(), max = v.Max();
        double pad = Math.Max(Margin * (max - min), MinMargin);
        return new AxisRange(Math.Max(-0.01, min - pad), Math.Min(1.01, max + pad));
    }

    /// <summary>Percent tick labels at a round step (0.5, 1, 2, 5, 10, 20 or 25 points) giving at most 6 ticks.</summary>
    private static void SetPercentTicks(IAxis axis, AxisRange range)
    {
        double[] steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25];
        double span = range.High - range.Low;
        double step = steps.FirstOrDefault(s => span / s <= 6, 0.25);
        var positions = new List<double>();
        for (long k = (long)Math.Ceiling(range.Low / step - Tolerance); k * step <= range.High + Tolerance; k++)
        {
            double p = Math.Round(k * step, 6);
            if (p >= 0 && p <= 1) positions.Add(p);
        }
        string[] labels = positions.Select(p => (p * 100).ToString("0.#", Inv) + "%").ToArray();
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.ToArray(), labels);
    }

    /// <summary>A log2 x axis: ticks at the training-set sizes present, labelled with the sizes.</summary>
    private static void SetSizeTicks(Plot plot, IReadOnlyList<int> sizes)
    {
        double[] positions = sizes.Select(s => Math.Log2(s)).ToArray();
        string[] labels = sizes.Select(s => s.ToString(Inv)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.SetLimitsX(positions.Min() - 0.4, positions.Max() + 0.4);
    }

    /// <summary>Renders the panels row by row into one bitmap and writes it as a PNG.</summary>
    private static void WriteGrid(IReadOnlyList<Plot> panels, int columns, string pngPath)
    {
        int rows = (panels.Count + columns - 1) / columns;
        using var bitmap = new SKBitmap(new SKImageInfo(columns * PanelWidth, rows * PanelHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                byte[] png = panels[i].GetImage(PanelWidth, PanelHeight).GetImageBytes(ImageFormat.Png);
                using SKBitmap panel = SKBitmap.Decode(png);
                canvas.DrawBitmap(panel, i % columns * PanelWidth, i / columns * PanelHeight);
            }
        }
        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        Plots.WritePng(data.ToArray(), pngPath);
    }

    // ---- validation ----

    private static void ValidateTradeOff(IReadOnlyList<StudyPoint> points, string robustLabel, double chance, string pngPath)
    {
        ValidateCommon(points, robustLabel, pngPath);
        if (!double.IsFinite(chance) || chance < 0 || chance > 1)
            throw new ArgumentOutOfRangeException(nameof(chance), chance, "Chance accuracy must be in [0,1].");
        var seen = new HashSet<(string, string)>();
        foreach (StudyPoint p in points)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(points));
            ValidateNames(p.Arm, p.Regime, nameof(points));
            if (!seen.Add((p.Arm, p.Regime)))
                throw new ArgumentException($"Arm '{p.Arm}' appears more than once in regime '{p.Regime}'.", nameof(points));
            string where = $"arm '{p.Arm}' in regime '{p.Regime}'";
            ValidateInterval(where, nameof(StudyPoint.Clean), p.Clean, p.CleanLow, p.CleanHigh, nameof(points));
            ValidateInterval(where, nameof(StudyPoint.Robust), p.Robust, p.RobustLow, p.RobustHigh, nameof(points));
        }
    }

    private static void ValidateCurves(IReadOnlyList<StudyCurvePoint> points, string robustLabel, string pngPath)
    {
        ValidateCommon(points, robustLabel, pngPath);
        var seen = new HashSet<(string, string, int, string)>();
        foreach (StudyCurvePoint p in points)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(points));
            ValidateNames(p.Arm, p.Regime, nameof(points));
            string where = $"arm '{p.Arm}' in regime '{p.Regime}' at training-set size {p.TrainSize}";
            if (p.Metric is not (CleanMetric or RobustMetric))
                throw new ArgumentException($"Metric of {where} is '{p.Metric}'; expected '{CleanMetric}' or '{RobustMetric}'.", nameof(points));
            if (p.TrainSize <= 0)
                throw new ArgumentException($"TrainSize of {where} must be positive.", nameof(points));
            if (!seen.Add((p.Arm, p.Regime, p.TrainSize, p.Metric)))
                throw new ArgumentException($"The {p.Metric} point of {where} appears more than once.", nameof(points));
            ValidateInterval($"{where} ({p.Metric})", nameof(StudyCurvePoint.Mean), p.Mean, p.Low, p.High, nameof(points),
                lowField: nameof(StudyCurvePoint.Low), highField: nameof(StudyCurvePoint.High));
        }
    }

    private static void ValidateCommon<T>(IReadOnlyList<T> points, string robustLabel, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("At least one point is needed.", nameof(points));
        ArgumentException.ThrowIfNullOrWhiteSpace(robustLabel);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
    }

    private static void ValidateNames(string arm, string regime, string paramName)
    {
        if (string.IsNullOrWhiteSpace(arm)) throw new ArgumentException("Every point needs an arm name.", paramName);
        if (string.IsNullOrWhiteSpace(regime)) throw new ArgumentException($"Arm '{arm}' has a point without a regime.", paramName);
    }

    /// <summary>The mean is a finite fraction in [0,1] and low ≤ mean ≤ high, all finite.</summary>
    private static void ValidateInterval(string where, string field, double mean, double low, double high, string paramName,
        string? lowField = null, string? highField = null)
    {
        lowField ??= field + "Low";
        highField ??= field + "High";
        foreach ((string name, double value) in new[] { (field, mean), (lowField, low), (highField, high) })
        {
            if (!double.IsFinite(value))
                throw new ArgumentException($"{name} of {where} is {value.ToString(Inv)}; expected a finite number.", paramName);
        }
        if (mean < 0 || mean > 1)
            throw new ArgumentException($"{field} of {where} is {mean.ToString(Inv)}; expected a fraction in [0,1].", paramName);
        if (low > mean + Tolerance || high < mean - Tolerance)
            throw new ArgumentException(
                $"The 95% CI of {field} of {where} is [{low.ToString(Inv)}, {high.ToString(Inv)}], which does not contain the mean {mean.ToString(Inv)}.",
                paramName);
    }
}
