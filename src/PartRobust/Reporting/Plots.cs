using ScottPlot;
using SkiaSharp;
using PartRobust.Training;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>Report figures drawn with ScottPlot and written as PNG files (temp name, then rename).</summary>
public static class Plots
{
    /// <summary>Width in pixels of <see cref="AccuracyVsRobust"/>.</summary>
    public const int ScatterWidth = 800;
    /// <summary>Height in pixels of <see cref="AccuracyVsRobust"/>.</summary>
    public const int ScatterHeight = 640;
    /// <summary>Width in pixels of <see cref="TrainingCurves"/>.</summary>
    public const int CurvesWidth = 1100;
    /// <summary>Height in pixels of one model's row in <see cref="TrainingCurves"/>.</summary>
    public const int CurvesRowHeight = 320;

    // Okabe–Ito colour-blind-safe palette (shared with StudyPlots).
    internal static readonly Color[] Series =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#D55E00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#E69F00"), Color.FromHex("#56B4E9"), Color.FromHex("#000000"), Color.FromHex("#F0E442"),
    ];

    /// <summary>
    /// Scatter of clean accuracy (x) against robust accuracy under <paramref name="attackKey"/> (y), one labelled
    /// marker per model, with dashed chance lines and the y = x diagonal (robust accuracy cannot exceed clean accuracy
    /// on the same points). Models without a result for <paramref name="attackKey"/> are left out.
    /// </summary>
    /// <param name="models">Model results.</param>
    /// <param name="attackKey">Key into <see cref="ModelResult.RobustAccuracy"/>, e.g. <c>pgd</c>.</param>
    /// <param name="chance">Chance accuracy 1/C.</param>
    /// <param name="pngPath">Output PNG path (<see cref="ScatterWidth"/> × <see cref="ScatterHeight"/>).</param>
    public static void AccuracyVsRobust(IReadOnlyList<ModelResult> models, string attackKey, double chance, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentException.ThrowIfNullOrEmpty(attackKey);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        if (!double.IsFinite(chance) || chance < 0 || chance > 1)
            throw new ArgumentOutOfRangeException(nameof(chance), chance, "Chance accuracy must be in [0,1].");

        ReportFonts.EnsureRegistered();
        var plot = new Plot();
        ReportFonts.Apply(plot);

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LineColor = Colors.Gray.WithAlpha(0.6);
        diagonal.LinePattern = LinePattern.Dotted;
        diagonal.LineWidth = 1;
        diagonal.LegendText = "robust = clean";

        var hChance = plot.Add.HorizontalLine(chance);
        hChance.LineColor = Colors.DarkRed;
        hChance.LinePattern = LinePattern.Dashed;
        hChance.LineWidth = 1.5f;
        hChance.LegendText = $"chance ({Pct(chance)})";
        var vChance = plot.Add.VerticalLine(chance);
        vChance.LineColor = Colors.DarkRed;
        vChance.LinePattern = LinePattern.Dashed;
        vChance.LineWidth = 1.5f;

        int index = 0;
        foreach (ModelResult m in models)
        {
            if (!m.RobustAccuracy.TryGetValue(attackKey, out double robust)) continue;
            Color color = Series[index++ % Series.Length];
            var marker = plot.Add.Marker(m.CleanAccuracy, robust, MarkerShape.FilledCircle, 12, color);
            // Values go in the legend: markers of similar models sit close together and text labels would collide.
            marker.LegendText = $"{m.DisplayName}: clean {Pct(m.CleanAccuracy)}, robust {Pct(robust)}";
        }

        plot.Title($"Clean vs robust accuracy ({attackKey})");
        plot.XLabel("Clean accuracy");
        plot.YLabel($"Robust accuracy ({attackKey})");
        SetPercentAxes(plot.Axes.Bottom, plot.Axes.Left);
        plot.Axes.SetLimits(0, 1.02, 0, 1.02);
        plot.ShowLegend(Alignment.UpperLeft);
        ReportFonts.Apply(plot);

        WritePng(plot.GetImage(ScatterWidth, ScatterHeight).GetImageBytes(ImageFormat.Png), pngPath);
    }

    /// <summary>
    /// Training curves, one row per model: training loss (left panel) and validation accuracy, plus validation
    /// robust accuracy where recorded (right panel), against epoch, with a dashed vertical marker where the stage
    /// changes from <c>clean</c> to <c>pgd</c>. Models with an empty history are left out.
    /// </summary>
    /// <param name="models">Model results.</param>
    /// <param name="pngPath">Output PNG path (<see cref="CurvesWidth"/> × rows·<see cref="CurvesRowHeight"/>).</param>
    public static void TrainingCurves(IReadOnlyList<ModelResult> models, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentException.ThrowIfNullOrEmpty(pngPath);
        ReportFonts.EnsureRegistered();

        var withHistory = models.Where(m => m.History.Count > 0).ToList();
        var panels = new List<Plot>();
        if (withHistory.Count == 0)
        {
            var empty = new Plot();
            ReportFonts.Apply(empty);
            empty.Title("No training history recorded");
            panels.Add(empty);
        }
        foreach (ModelResult m in withHistory)
        {
            var history = m.History.OrderBy(e => e.Epoch).ToList();
            double? stageChange = StageChangeEpoch(history);
            panels.Add(LossPanel(m.DisplayName, history, stageChange));
            panels.Add(AccuracyPanel(m.DisplayName, history, stageChange));
        }
        WritePng(ComposeRows(panels, Math.Max(1, withHistory.Count)), pngPath);
    }

    /// <summary>The left panel of a model's row: training loss against epoch.</summary>
    private static Plot LossPanel(string model, List<EpochRecord> history, double? stageChange)
    {
        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        var loss = new Plot();
        ReportFonts.Apply(loss);
        var lossLine = loss.Add.ScatterLine(epochs, history.Select(e => e.TrainLoss).ToArray(), Series[0]);
        lossLine.LegendText = "train loss";
        lossLine.MarkerSize = 5;
        loss.Title($"{model}: training loss");
        loss.XLabel("Epoch");
        loss.YLabel("Loss");
        AddStageMarker(loss, stageChange);
        IntegerEpochTicks(loss);
        loss.ShowLegend(Alignment.UpperRight);
        ReportFonts.Apply(loss);
        return loss;
    }

    /// <summary>The right panel of a model's row: validation and train accuracy, and validation robust accuracy where recorded.</summary>
    private static Plot AccuracyPanel(string model, List<EpochRecord> history, double? stageChange)
    {
        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        var acc = new Plot();
        ReportFonts.Apply(acc);
        var val = acc.Add.ScatterLine(epochs, history.Select(e => e.ValAccuracy).ToArray(), Series[2]);
        val.LegendText = "val accuracy";
        val.MarkerSize = 5;
        var train = acc.Add.ScatterLine(epochs, history.Select(e => e.TrainAccuracy).ToArray(), Series[4]);
        train.LegendText = "train accuracy";
        train.MarkerSize = 3;
        train.LinePattern = LinePattern.Dotted;
        var robust = history.Where(e => e.ValRobustAccuracy is not null).ToList();
        if (robust.Count > 0)
        {
            var rob = acc.Add.ScatterLine(robust.Select(e => (double)e.Epoch).ToArray(),
                robust.Select(e => e.ValRobustAccuracy!.Value).ToArray(), Series[1]);
            rob.LegendText = "val robust accuracy";
            rob.MarkerSize = 5;
        }
        acc.Title($"{model}: accuracy");
        acc.XLabel("Epoch");
        acc.YLabel("Accuracy");
        AddStageMarker(acc, stageChange);
        IntegerEpochTicks(acc);
        SetPercentAxes(null, acc.Axes.Left);
        acc.Axes.SetLimitsY(0, 1.02);
        acc.ShowLegend(Edge.Right);
        ReportFonts.Apply(acc);
        return acc;
    }

    /// <summary>The panels, two per row, composed into one PNG <see cref="CurvesWidth"/> wide and <paramref name="rows"/> rows high.</summary>
    private static byte[] ComposeRows(List<Plot> panels, int rows)
    {
        int panelW = CurvesWidth / 2;
        using var bitmap = new SKBitmap(new SKImageInfo(CurvesWidth, rows * CurvesRowHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                byte[] png = panels[i].GetImage(panelW, CurvesRowHeight).GetImageBytes(ImageFormat.Png);
                using SKBitmap panel = SKBitmap.Decode(png);
                canvas.DrawBitmap(panel, i % 2 * panelW, i / 2 * CurvesRowHeight);
            }
        }
        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>
    /// The x position of the stage marker: halfway between the last <c>clean</c> epoch and the first epoch of the next
    /// stage; null if the stage never changes from clean.
    /// </summary>
    /// <param name="history">Epochs in order.</param>
    public static double? StageChangeEpoch(IReadOnlyList<EpochRecord> history)
    {
        for (int i = 1; i < history.Count; i++)
        {
            if (history[i - 1].Stage == "clean" && history[i].Stage != "clean")
                return (history[i - 1].Epoch + history[i].Epoch) / 2.0;
        }
        return null;
    }

    private static void AddStageMarker(Plot plot, double? x)
    {
        if (x is null) return;
        var line = plot.Add.VerticalLine(x.Value);
        line.LineColor = Colors.DimGray;
        line.LinePattern = LinePattern.Dashed;
        line.LineWidth = 1.5f;
        line.LegendText = "clean → pgd";
    }

    private static void IntegerEpochTicks(Plot plot) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    private static void SetPercentAxes(IAxis? x, IAxis? y)
    {
        double[] positions = [0, 0.2, 0.4, 0.6, 0.8, 1.0];
        string[] labels = positions.Select(p => $"{p * 100:0}%").ToArray();
        if (x is not null) x.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        if (y is not null) y.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
    }

    /// <summary>Writes <paramref name="bytes"/> to a temp file beside <paramref name="path"/>, then renames it.</summary>
    internal static void WritePng(byte[] bytes, string path) => AtomicFile.WriteAllBytes(path, bytes);
}
