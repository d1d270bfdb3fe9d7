using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;
using PartRobust.Runs;
using PartRobust.Tests.Reporting;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Runs;

public sealed class GeneralRobustnessFiguresTests
{
    static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);

    [Fact]
    public void The_contact_sheet_shows_exactly_the_corrupted_first_image_the_models_saw()
    {
        string dir = ReportSamples.TempDir();
        try
        {
            var generator = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish"], Seed = 3 });
            using var test = generator.Generate(PartShapesSplit.Test, 4);
            using var model = new ConstantClassifier(2, 0);
            var options = new GeneralRobustnessOptions { Suites = RobustnessSuite.Corruptions, Corruptions = ["shot_noise", "snow"], Severities = [2, 4], Seed = 11 };
            var run = GeneralRobustnessEvaluator.Run([model], test, options, NullProgress.Instance);
            var results = GeneralRobustnessReport.Apply([ReportSamples.Model("resnet18", 0.5, 0.1, part: false)], run, null);
            var files = GeneralRobustnessFigures.Write(dir, results, test, run, options);
            Assert.Equal([GeneralRobustnessFigures.HeatmapFile, GeneralRobustnessFigures.ContactSheetFile], files);
            Assert.All(files, f => Assert.True(File.Exists(Path.Combine(dir, f)), f));

            using var snow4 = CorruptedDataset.Build(test, CorruptionRegistry.Get("snow"), 4, 11, CorruptionTable.Cifar10);
            var expected = FirstImage(snow4);
            using var bmp = PlotTests.Decode(Path.Combine(dir, GeneralRobustnessFigures.ContactSheetFile));
            int k = CorruptionContactSheet.UpscaleFactor(32, 32), plane = 32 * 32;
            var (sx, sy) = CorruptionContactSheet.CellOrigin(1, 2, 32, 32); // row snow, column severity 4
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    int p = y * 32 + x;
                    Assert.Equal(new SkiaSharp.SKColor(ToByte(expected[p]), ToByte(expected[plane + p]), ToByte(expected[2 * plane + p])),
                        bmp.GetPixel(sx + k * x, sy + k * y));
                }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Without_the_corruption_suite_there_are_no_figures()
    {
        string dir = ReportSamples.TempDir();
        try
        {
            var generator = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish"], Seed = 3 });
            using var test = generator.Generate(PartShapesSplit.Test, 4);
            using var model = new ConstantClassifier(2, 0);
            var options = new GeneralRobustnessOptions { Suites = RobustnessSuite.Background };
            var run = GeneralRobustnessEvaluator.Run([model], test, options, NullProgress.Instance);
            Assert.Empty(GeneralRobustnessFigures.Write(dir, [ReportSamples.Model("resnet18", 0.5, 0.1, part: false)], test, run, options));
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    static float[] FirstImage(PartDataset d) => d.Images[0].contiguous().data<float>().ToArray();
}
