using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>The figures of the general-robustness suite in a run folder: the corruption heat map and the contact sheet.</summary>
public static class GeneralRobustnessFigures
{
    /// <summary>Heat-map file name.</summary>
    public const string HeatmapFile = "corruption_heatmap.png";

    /// <summary>Contact-sheet file name.</summary>
    public const string ContactSheetFile = "corruption_contact_sheet.png";

    /// <summary>
    /// Writes the figures the run has data for into <paramref name="runDir"/> and returns their file names: the heat map
    /// of accuracy per model, corruption and severity (colour scale from chance, 1/C, to 100%), and the contact sheet of
    /// every corruption and severity on the first test image, with the run's seed and table (image 0's own draws, so the
    /// sheet shows exactly what the models saw for that image).
    /// </summary>
    public static List<string> Write(string runDir, IReadOnlyList<ModelResult> results, PartDataset test, GeneralRobustnessRun run, GeneralRobustnessOptions options)
    {
        var files = new List<string>();
        if (run.Table is not { } table || run.Corruptions.Count == 0) return files;
        CorruptionHeatmap.Write(results, Path.Combine(runDir, HeatmapFile), 1.0 / test.Taxonomy.NumClasses);
        files.Add(HeatmapFile);
        float[] image;
        using (NewDisposeScope()) image = test.Images[0].cpu().contiguous().data<float>().ToArray();
        int h = (int)test.Images.shape[2], w = (int)test.Images.shape[3];
        CorruptionContactSheet.Write(image, w, h, options.CorruptionList(), run.Severities,
            options.Seed, table, Path.Combine(runDir, ContactSheetFile), (c, s) => CorruptedDataset.ImageSeed(options.Seed, c.Name, s, 0));
        files.Add(ContactSheetFile);
        return files;
    }
}
