using PartRobust.Data;
using PartRobust.Runs;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Runs;

public class DatasetExportTests
{
    [Theory]
    [InlineData("natural")]
    [InlineData("easy")]
    public void Writes_the_test_images_a_run_with_that_regime_regenerates(string preset)
    {
        // `data generate --config RUN/config.json` must give the images `attack`/`eval` regenerate for that run, so that
        // a peer (e.g. the reference AutoAttack) can read the same points from the folder.
        string dir = Path.Combine(Path.GetTempPath(), $"export-{preset}-{Guid.NewGuid():N}");
        var config = new ExperimentConfig { PartShapes = new PartShapesConfig { Preset = preset }, Classes = ["Car", "Fish", "Snake"] };
        var request = new DatasetExportRequest
        {
            ImageSize = 32, Classes = config.Classes, TrainSize = 2, ValSize = 2, TestSize = 6, Seed = 5, PartShapes = config.PartShapes,
        };
        try
        {
            DatasetExport.Run(request, dir, NullProgress.Instance);
            using var written = PartDatasetFolder.Read(Path.Combine(dir, "test"));
            using var regenerated = new PartShapesGenerator((config with { DataSeed = 5 }).PartShapesOptions()).Generate(PartShapesSplit.Test, 6);
            Assert.Equal(regenerated.Labels.data<long>().ToArray(), written.Labels.data<long>().ToArray());
            // PNG holds 8 bits per channel.
            double maxDiff = (written.Images - regenerated.Images).abs().max().item<float>();
            Assert.True(maxDiff <= 0.5 / 255 + 1e-6, $"max |Δ| {maxDiff}");
            Assert.Contains($"\"preset\": \"{preset}\"", File.ReadAllText(Path.Combine(dir, "partshapes.json")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
