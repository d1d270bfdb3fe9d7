using PartRobust.Reporting;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class StudyPlotsTests
{
    private static readonly string[] Arms = ["ResNet-18", "Downsampled part model", "Downsampled part model (no part labels)"];
    private static readonly int[] Sizes = [500, 1000, 2000, 4000];

    /// <summary>2 regimes × 3 arms, with intervals of a few points as from 3–5 seeds.</summary>
    internal static List<StudyPoint> TradeOffSample()
    {
        var points = new List<StudyPoint>();
        foreach ((string regime, double offset) in new[] { ("natural", 0.0), ("easy", 0.05) })
        {
            for (int a = 0; a < Arms.Length; a++)
            {
                double clean = 0.88 + offset + 0.015 * a, robust = 0.52 + offset + 0.02 * (a == 1 ? 2 : a);
                points.Add(new StudyPoint(Arms[a], regime, clean, clean - 0.008, clean + 0.008, robust, robust - 0.015, robust + 0.012));
            }
        }
        return points;
    }

    internal static List<StudyCurvePoint> CurveSample(string[] regimes, bool oneSeed = false)
    {
        var points = new List<StudyCurvePoint>();
        foreach (string regime in regimes)
        for (int a = 0; a < Arms.Length; a++)
        for (int s = 0; s < Sizes.Length; s++)
        {
            double clean = 0.6 + 0.08 * s + 0.02 * a, robust = 0.25 + 0.06 * s + 0.03 * (a == 1 ? 2 : a);
            double ci = oneSeed ? 0 : 0.02 / (s + 1);
            points.Add(new StudyCurvePoint(Arms[a], regime, Sizes[s], StudyPlots.CleanMetric, clean, clean - ci, clean + ci));
            points.Add(new StudyCurvePoint(Arms[a], regime, Sizes[s], StudyPlots.RobustMetric, robust, robust - ci, robust + ci));
        }
        return points;
    }

    private static void AssertOnlyFile(string dir, string path)
    {
        // Also checks that no temp file is left next to the figure.
        Assert.Equal(new[] { Path.GetFullPath(path) }, Directory.GetFiles(dir).Select(Path.GetFullPath).ToArray());
    }

    private static long Ink(SKBitmap bmp)
    {
        long ink = 0;
        for (int y = 0; y < bmp.Height; y += 2)
        for (int x = 0; x < bmp.Width; x += 2)
        {
            SKColor c = bmp.GetPixel(x, y);
            ink += 765 - (c.Red + c.Green + c.Blue);
        }
        return ink;
    }

    [Fact]
    public void Trade_off_has_one_panel_per_regime()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "tradeoff.png");
        StudyPlots.TradeOff(TradeOffSample(), "PGD-20", 0.1, path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(2 * StudyPlots.PanelWidth, bmp.Width);
        Assert.Equal(StudyPlots.PanelHeight, bmp.Height);
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Trade_off_with_one_regime_and_one_seed_draws_no_bars()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "tradeoff.png");
        var points = TradeOffSample().Where(p => p.Regime == "easy")
            .Select(p => p with { CleanLow = p.Clean, CleanHigh = p.Clean, RobustLow = p.Robust, RobustHigh = p.Robust })
            .ToList();
        StudyPlots.TradeOff(points, "worst case", 0.1, path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal((StudyPlots.PanelWidth, StudyPlots.PanelHeight), (bmp.Width, bmp.Height));
        AssertOnlyFile(dir, path);

        // Error bars add ink; without intervals the same figure has less.
        string withBars = Path.Combine(dir, "bars.png");
        StudyPlots.TradeOff(TradeOffSample().Where(p => p.Regime == "easy").ToList(), "worst case", 0.1, withBars);
        using SKBitmap bars = PlotTests.Decode(withBars);
        Assert.True(Ink(bars) > Ink(bmp), "error bars should add ink");
    }

    [Fact]
    public void Trade_off_with_a_single_point_at_the_extremes_renders()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "one.png");
        StudyPlots.TradeOff([new StudyPoint("A", "natural", 1, 1, 1, 0, 0, 0)], "PGD-20", 0.5, path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal((StudyPlots.PanelWidth, StudyPlots.PanelHeight), (bmp.Width, bmp.Height));
    }

    [Fact]
    public void Data_efficiency_has_a_row_per_regime_and_two_columns()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "efficiency.png");
        StudyPlots.DataEfficiency(CurveSample(["natural", "easy"]), "PGD-20", path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(2 * StudyPlots.PanelWidth, bmp.Width);
        Assert.Equal(2 * StudyPlots.PanelHeight, bmp.Height);
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Data_efficiency_with_one_regime_and_one_seed_renders()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "efficiency.png");
        StudyPlots.DataEfficiency(CurveSample(["natural"], oneSeed: true), "PGD-20", path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal((2 * StudyPlots.PanelWidth, StudyPlots.PanelHeight), (bmp.Width, bmp.Height));
        AssertOnlyFile(dir, path);
    }

    [Fact]
    public void Data_efficiency_with_one_size_and_a_missing_metric_renders()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "efficiency.png");
        var points = new[] { new StudyCurvePoint("A", "natural", 1000, StudyPlots.CleanMetric, 0.8, 0.78, 0.82) };
        StudyPlots.DataEfficiency(points, "PGD-20", path);
        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal((2 * StudyPlots.PanelWidth, StudyPlots.PanelHeight), (bmp.Width, bmp.Height));
    }

    [Fact]
    public void Trade_off_rejects_bad_input()
    {
        string path = Path.Combine(ReportSamples.TempDir(), "x.png");
        var good = TradeOffSample();
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.TradeOff(null!, "PGD-20", 0.1, path));
        Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff([], "PGD-20", 0.1, path));
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.TradeOff(good, "", 0.1, path));
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.TradeOff(good, "PGD-20", 0.1, ""));
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.TradeOff(good, "PGD-20", double.NaN, path));
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.TradeOff(good, "PGD-20", 2, path));

        var nan = good.ToList();
        nan[4] = nan[4] with { RobustHigh = double.NaN };
        var ex = Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff(nan, "PGD-20", 0.1, path));
        Assert.Contains("Downsampled part model", ex.Message);
        Assert.Contains("RobustHigh", ex.Message);
        Assert.Contains("easy", ex.Message);

        var nanClean = good.ToList();
        nanClean[0] = nanClean[0] with { Clean = double.NaN };
        ex = Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff(nanClean, "PGD-20", 0.1, path));
        Assert.Contains("ResNet-18", ex.Message);
        Assert.Contains("Clean", ex.Message);

        var percent = good.ToList();
        percent[0] = new StudyPoint("ResNet-18", "natural", 91.2, 90, 92, 55, 54, 56);
        Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff(percent, "PGD-20", 0.1, path));

        var outside = good.ToList();
        outside[0] = outside[0] with { CleanLow = outside[0].Clean + 0.01 };
        Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff(outside, "PGD-20", 0.1, path));

        Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff([.. good, good[0]], "PGD-20", 0.1, path));
        Assert.Throws<ArgumentException>(() => StudyPlots.TradeOff([good[0] with { Arm = "" }], "PGD-20", 0.1, path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Data_efficiency_rejects_bad_input()
    {
        string path = Path.Combine(ReportSamples.TempDir(), "x.png");
        var good = CurveSample(["natural"]);
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.DataEfficiency(null!, "PGD-20", path));
        Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency([], "PGD-20", path));
        Assert.ThrowsAny<ArgumentException>(() => StudyPlots.DataEfficiency(good, " ", path));

        var nan = good.ToList();
        nan[3] = nan[3] with { Low = double.NaN };
        var ex = Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency(nan, "PGD-20", path));
        Assert.Contains(nan[3].Arm, ex.Message);
        Assert.Contains("Low", ex.Message);

        var inf = good.ToList();
        inf[0] = inf[0] with { Mean = double.PositiveInfinity };
        ex = Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency(inf, "PGD-20", path));
        Assert.Contains("ResNet-18", ex.Message);
        Assert.Contains("Mean", ex.Message);

        Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency([good[0] with { Metric = "pgd" }], "PGD-20", path));
        Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency([good[0] with { TrainSize = 0 }], "PGD-20", path));
        Assert.Throws<ArgumentException>(() => StudyPlots.DataEfficiency([good[0], good[0]], "PGD-20", path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    /// <summary>
    /// Writes example figures for a visual check when PARTROBUST_STUDYPLOTS_EXAMPLES names a folder
    /// (e.g. /tmp/studyplots); otherwise does nothing.
    /// </summary>
    [Fact]
    public void Example_figures_for_visual_check()
    {
        string? dir = Environment.GetEnvironmentVariable("PARTROBUST_STUDYPLOTS_EXAMPLES");
        if (string.IsNullOrEmpty(dir)) return;
        StudyPlots.TradeOff(TradeOffSample(), "PGD-20", 0.1, Path.Combine(dir, "tradeoff.png"));
        StudyPlots.DataEfficiency(CurveSample(["natural", "easy"]), "PGD-20", Path.Combine(dir, "data_efficiency.png"));
        StudyPlots.TradeOff(TradeOffSample().Where(p => p.Regime == "natural")
            .Select(p => p with { CleanLow = p.Clean, CleanHigh = p.Clean, RobustLow = p.Robust, RobustHigh = p.Robust }).ToList(),
            "worst case", 0.1, Path.Combine(dir, "tradeoff_one_seed.png"));
        StudyPlots.DataEfficiency(CurveSample(["natural"], oneSeed: true), "worst case", Path.Combine(dir, "data_efficiency_one_seed.png"));
        // Low accuracies: the chance lines and the y = x diagonal fall inside the panel.
        StudyPlots.TradeOff(
        [
            new StudyPoint(Arms[0], "hard", 0.30, 0.27, 0.33, 0.22, 0.20, 0.25),
            new StudyPoint(Arms[1], "hard", 0.40, 0.37, 0.43, 0.30, 0.27, 0.33),
            new StudyPoint(Arms[2], "hard", 0.45, 0.41, 0.49, 0.38, 0.35, 0.40),
        ], "PGD-20", 0.25, Path.Combine(dir, "tradeoff_low.png"));
    }
}
