using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Reporting;
using SkiaSharp;
using TorchSharp.PyBridge;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class AdversarialExamplesFigureTests
{
    private static readonly PartTaxonomy Taxonomy = new(
        ["square", "circle"],
        ["background", "square top", "square bottom", "circle left", "circle right"],
        [-1, 0, 0, 1, 1]);

    const int N = 2, H = 4, W = 5, Scale = 3;
    const double Eps = 8.0 / 255;

    /// <summary>
    /// Two mid-grey images; the adversarial one adds +ε to the red channel of pixel (0,0) and −ε to the green channel of
    /// pixel (1,0) of image 0, nothing to image 1. Image 0 is fooled (class 0 → 1), image 1 stays correct.
    /// </summary>
    static AdversarialExamples Sample(bool parts)
    {
        int plane = H * W;
        var clean = Enumerable.Repeat(0.5f, N * 3 * plane).ToArray();
        var adv = (float[])clean.Clone();
        adv[0] += (float)Eps;                    // image 0, R, (y 0, x 0)
        adv[plane + 1] -= (float)Eps;            // image 0, G, (y 0, x 1)
        long[]? cleanMasks = null, advMasks = null;
        if (parts)
        {
            cleanMasks = new long[N * plane];
            advMasks = new long[N * plane];
            cleanMasks[0] = 1;                   // image 0, pixel (0,0): square top
            advMasks[0] = 3;                     // … becomes circle left under attack
            advMasks[plane + 2] = 2;             // image 1, pixel (0,2): square bottom
        }
        return new AdversarialExamples("pgd", Norm.Linf, Eps, N, 3, H, W, clean, adv, [0, 1], [0, 1], [1, 1], cleanMasks, advMasks);
    }

    static SKColor At(SKBitmap bmp, int row, int col, int x, int y)
    {
        var (ox, oy) = AdversarialExamplesFigure.CellOrigin(row, col, H, W, Scale);
        return bmp.GetPixel(ox + x * Scale + Scale / 2, oy + y * Scale + Scale / 2);
    }

    static void Near(SKColor expected, SKColor actual) =>
        Assert.True(Math.Abs(expected.Red - actual.Red) <= 1 && Math.Abs(expected.Green - actual.Green) <= 1
            && Math.Abs(expected.Blue - actual.Blue) <= 1, $"expected {expected}, got {actual}");

    [Fact]
    public void Plain_model_figure_has_three_columns_and_the_perturbation_fills_the_range()
    {
        string path = Path.Combine(ReportSamples.TempDir(), "adversarial_plain.png");
        AdversarialExamplesFigure.Write(path, Sample(parts: false), "plain model", Taxonomy, Scale);

        using SKBitmap bmp = PlotTests.Decode(path);
        Assert.Equal(AdversarialExamplesFigure.FigureSize(N, H, W, parts: false, Scale, legendEntries: 0), (bmp.Width, bmp.Height));
        Assert.Equal(8 + 3 * (AdversarialExamplesFigure.MinColumnWidth + 8), bmp.Width);

        var grey = new SKColor(128, 128, 128);
        Near(grey, At(bmp, 0, 0, 0, 0));                                // clean
        Near(new SKColor(136, 128, 128), At(bmp, 0, 1, 0, 0));          // adversarial: 0.5 + 8/255 in red
        Near(new SKColor(255, 128, 128), At(bmp, 0, 2, 0, 0));          // +ε → full red
        Near(new SKColor(128, 0, 128), At(bmp, 0, 2, 1, 0));            // −ε → no green
        Near(grey, At(bmp, 0, 2, 4, 3));                                // δ = 0 → mid grey
        Near(grey, At(bmp, 1, 2, 0, 0));
        // Nearest-neighbour upscaling: the whole block of one pixel has one colour.
        var (ox, oy) = AdversarialExamplesFigure.CellOrigin(0, 2, H, W, Scale);
        for (int dy = 0; dy < Scale; dy++) for (int dx = 0; dx < Scale; dx++)
            Assert.Equal(bmp.GetPixel(ox, oy), bmp.GetPixel(ox + dx, oy + dy));
    }

    [Fact]
    public void Part_model_figure_adds_the_two_mask_columns_and_a_legend()
    {
        string path = Path.Combine(ReportSamples.TempDir(), "adversarial_part.png");
        AdversarialExamplesFigure.Write(path, Sample(parts: true), "part model", Taxonomy, Scale);

        using SKBitmap bmp = PlotTests.Decode(path);
        // Parts 1, 2 and 3 occur in the masks, so the legend lists three.
        Assert.Equal(AdversarialExamplesFigure.FigureSize(N, H, W, parts: true, Scale, legendEntries: 3), (bmp.Width, bmp.Height));
        Assert.Equal(8 + 5 * (AdversarialExamplesFigure.MinColumnWidth + 8), bmp.Width);

        var grey = new SKColor(128, 128, 128);
        Near(MaskOverlay.Blend(grey, 1), At(bmp, 0, 3, 0, 0));                         // clean mask over the clean image
        Near(grey, At(bmp, 0, 3, 1, 0));                                               // background stays transparent
        Near(MaskOverlay.Blend(new SKColor(136, 128, 128), 3), At(bmp, 0, 4, 0, 0));   // adversarial mask over the adversarial image
        Near(MaskOverlay.Blend(grey, 2), At(bmp, 1, 4, 2, 0));
    }

    [Fact]
    public void Inconsistent_arrays_are_rejected()
    {
        var e = Sample(parts: false);
        string path = Path.Combine(ReportSamples.TempDir(), "bad.png");
        Assert.Throws<ArgumentException>(() => AdversarialExamplesFigure.Write(path, e with { Labels = [0] }, "m", Taxonomy));
        Assert.Throws<ArgumentException>(() => AdversarialExamplesFigure.Write(path, e with { CleanMasks = new long[N * H * W] }, "m", Taxonomy));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Run_files_are_the_figure_and_the_exact_tensors_and_the_result_names_them()
    {
        string dir = ReportSamples.TempDir();
        var e = Sample(parts: true);
        var result = ReportSamples.Model("part-x", 0.9, 0.5) with { Examples = e };

        var written = AdversarialExamplesFigure.WriteRunFiles(dir, result, Taxonomy);

        Assert.Null(written.Examples);
        Assert.Equal("adversarial_part-x.png", written.AdversarialExamplesFigure);
        Assert.Equal("adversarial_part-x.safetensors", written.AdversarialExamplesTensors);
        Assert.Equal("pgd", written.AdversarialExamplesAttack);
        using (SKBitmap bmp = PlotTests.Decode(Path.Combine(dir, written.AdversarialExamplesFigure!)))
            Assert.Equal(AdversarialExamplesFigure.FigureSize(N, H, W, true, AdversarialExamplesFigure.DefaultScale(H, W), 3), (bmp.Width, bmp.Height));

        var tensors = Safetensors.LoadStateDict(Path.Combine(dir, written.AdversarialExamplesTensors!));
        try
        {
            Assert.Equal(AdversarialExamples.TensorNames.OrderBy(s => s), tensors.Keys.OrderBy(s => s));
            Assert.Equal(new long[] { N, 3, H, W }, tensors["adversarial"].shape);
            Assert.Equal(e.Clean, tensors["clean"].data<float>().ToArray());
            Assert.Equal(e.Adversarial, tensors["adversarial"].data<float>().ToArray());
            Assert.Equal(e.Labels, tensors["labels"].data<long>().ToArray());
            Assert.Equal(e.AdversarialPredictions, tensors["adversarial_predictions"].data<long>().ToArray());
            Assert.Equal(Eps, tensors["epsilon"].data<double>()[0]);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }

        // Nothing kept, nothing written.
        var none = AdversarialExamplesFigure.WriteRunFiles(dir, ReportSamples.Model("plain", 0.9, 0.5), Taxonomy);
        Assert.Null(none.AdversarialExamplesFigure);
        Assert.False(File.Exists(Path.Combine(dir, "adversarial_plain.png")));
    }
}
