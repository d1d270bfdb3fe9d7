using PartRobust.Reporting;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class PlotTests
{
    internal static SKBitmap Decode(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        return SKBitmap.Decode(bytes) ?? throw new Xunit.Sdk.XunitException($"{path} does not decode");
    }

    private static long InkInRows(SKBitmap bmp, int y0, int y1)
    {
        long ink = 0;
        for (int y = y0; y < y1; y++)
        for (int x = 0; x < bmp.Width; x++)
        {
            SKColor c = bmp.GetPixel(x, y);
            ink += 765 - (c.Red + c.Green + c.Blue);
        }
        return ink;
    }

    [Fact]
    public void Accuracy_vs_robust_writes_png_of_expected_size()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "acc.png");
        var models = new[] { ReportSamples.Model("part", 0.9, 0.6), ReportSamples.Model("plain", 0.8, 0.4), ReportSamples.Model("x", 0.5, 0.1) };
        Plots.AccuracyVsRobust(models, "pgd", 0.25, path);
        using SKBitmap bmp = Decode(path);
        Assert.Equal(Plots.ScatterWidth, bmp.Width);
        Assert.Equal(Plots.ScatterHeight, bmp.Height);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Training_curves_write_png_with_one_row_per_model()
    {
        string dir = ReportSamples.TempDir();
        string path = Path.Combine(dir, "curves.png");
        var models = new[] { ReportSamples.Model("part", 0.9, 0.6), ReportSamples.Model("plain", 0.8, 0.4, cleanEpochs: 3, advEpochs: 0) };
        Plots.TrainingCurves(models, path);
        using SKBitmap bmp = Decode(path);
        Assert.Equal(Plots.CurvesWidth, bmp.Width);
        Assert.Equal(2 * Plots.CurvesRowHeight, bmp.Height);
    }

    [Fact]
    public void Stage_change_is_between_last_clean_and_first_pgd_epoch()
    {
        var m = ReportSamples.Model("a", 0.9, 0.5, cleanEpochs: 3, advEpochs: 2);
        Assert.Equal(3.5, Plots.StageChangeEpoch(m.History));
        Assert.Null(Plots.StageChangeEpoch(ReportSamples.Model("b", 0.9, 0.5, cleanEpochs: 3, advEpochs: 0).History));
    }

    [Fact]
    public void Embedded_font_is_registered_and_renders_title_text()
    {
        ReportFonts.EnsureRegistered();
        ReportFonts.EnsureRegistered(); // idempotent
        Assert.Equal("DejaVu Sans", ReportFonts.Regular.FamilyName);
        Assert.True(ReportFonts.Bold.FontStyle.Weight >= (int)SKFontStyleWeight.SemiBold);
        IFontResolver resolver = ScottPlot.Fonts.FontResolvers[0];
        Assert.Same(ReportFonts.Regular, resolver.CreateTypeface(ReportFonts.FamilyName, FontWeight.Normal, FontSlant.Upright, FontSpacing.Normal));
        Assert.Same(ReportFonts.Bold, resolver.CreateTypeface(ReportFonts.FamilyName, FontWeight.Bold, FontSlant.Upright, FontSpacing.Normal));
        Assert.Null(resolver.CreateTypeface("No Such Font", FontWeight.Normal, FontSlant.Upright, FontSpacing.Normal));
        Assert.Equal(ReportFonts.FamilyName, ScottPlot.Fonts.Default);

        long Render(bool title)
        {
            var plot = new Plot();
            ReportFonts.Apply(plot);
            plot.Add.Line(0, 0, 1, 1);
            // A fixed layout keeps the data area in the same place with and without a title.
            plot.Layout.Fixed(new PixelPadding(60, 20, 50, 70));
            if (title) plot.Title("Robust accuracy WWW");
            byte[] png = plot.GetImage(400, 300).GetImageBytes(ImageFormat.Png);
            using SKBitmap bmp = SKBitmap.Decode(png);
            return InkInRows(bmp, 0, 65);
        }

        long without = Render(false), with = Render(true);
        Assert.True(with > without + 255 * 200, $"title area ink {with} vs {without} without a title");
    }

    [Fact]
    public void SkiaSharp_in_the_output_is_3x_and_encodes_png()
    {
        Assert.Equal(3, typeof(SKBitmap).Assembly.GetName().Version!.Major);
        using var bmp = new SKBitmap(4, 3);
        bmp.Erase(new SKColor(10, 200, 30));
        using var img = SKImage.FromBitmap(bmp);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        using var back = SKBitmap.Decode(data.ToArray());
        Assert.Equal((4, 3), (back.Width, back.Height));
        Assert.Equal(new SKColor(10, 200, 30), back.GetPixel(2, 1));
    }
}

public class SkiaSharpCompatTests
{
    /// <summary>TorchVision 0.107 is compiled against SkiaSharp 2.88 but runs on the 3.x that ScottPlot needs.</summary>
    [Fact]
    public void TorchVision_SkiaImager_round_trips_a_png_on_skiasharp_3()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var imager = new TorchSharp.torchvision.io.SkiaImager();
        var image = TorchSharp.torch.arange(3 * 4 * 5, TorchSharp.torch.ScalarType.Int32)
            .mul(4).to(TorchSharp.torch.ScalarType.Byte).reshape(3, 4, 5);
        byte[] png = imager.EncodeImage(image, TorchSharp.torchvision.ImageFormat.Png);
        using (SKBitmap bmp = SKBitmap.Decode(png))
            Assert.Equal((5, 4), (bmp.Width, bmp.Height));
        var back = imager.DecodeImage(png, TorchSharp.torchvision.io.ImageReadMode.RGB);
        Assert.Equal(new long[] { 3, 4, 5 }, back.shape);
        Assert.True(back.to(TorchSharp.torch.ScalarType.Byte).eq(image).all().item<bool>());
    }
}
