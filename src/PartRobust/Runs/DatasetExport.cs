using System.Text.Json;
using PartRobust.Data;

namespace PartRobust.Runs;

/// <summary>Writes PartShapes to disk so other tools (and <c>--data</c>) can read the same data.</summary>
public static class DatasetExport
{
    /// <summary>Folder name of each test variant.</summary>
    public static readonly IReadOnlyDictionary<PartShapesVariant, string> VariantFolders = new Dictionary<PartShapesVariant, string>
    {
        [PartShapesVariant.CueConflict] = "test-cue-conflict",
        [PartShapesVariant.MixedRandomBackground] = "test-mixed-background",
        [PartShapesVariant.OnlyForeground] = "test-only-foreground",
        [PartShapesVariant.OnlyBackground] = "test-only-background",
    };

    /// <summary>Generates and writes train/, val/, test/ (and the variants) into <paramref name="outDir"/>, which appears only when complete.</summary>
    public static void Run(DatasetExportRequest request, string outDir, IProgressSink progress)
    {
        if (request.TrainSize < 1 || request.ValSize < 1 || request.TestSize < 1)
            throw new ArgumentException("--train-size, --val-size and --test-size must be ≥ 1");
        var options = request.PartShapes.ToOptions(request.ImageSize, request.Classes, request.Seed);
        var generator = new PartShapesGenerator(options);
        using var run = new RunDirectory(outDir);
        var jobs = new List<(string Folder, PartShapesSplit Split, int Count, PartShapesVariant Variant)>
        {
            ("train", PartShapesSplit.Train, request.TrainSize, PartShapesVariant.Standard),
            ("val", PartShapesSplit.Val, request.ValSize, PartShapesVariant.Standard),
            ("test", PartShapesSplit.Test, request.TestSize, PartShapesVariant.Standard),
        };
        if (request.Variants)
            jobs.AddRange(VariantFolders.Select(kv => (kv.Value, PartShapesSplit.Test, request.TestSize, kv.Key)));
        using (var task = progress.Start("writing PartShapes", jobs.Sum(j => j.Count)))
        {
            foreach (var job in jobs)
            {
                using var data = generator.Generate(job.Split, job.Count, job.Variant);
                PartDatasetFolder.Write(data, run.PathOf(job.Folder));
                task.Advance(job.Count);
                progress.Log($"wrote {job.Count} images to {Path.Combine(outDir, job.Folder)}");
            }
        }
        File.WriteAllText(run.PathOf("partshapes.json"), JsonSerializer.Serialize(new
        {
            generator = "partshapes",
            image_size = request.ImageSize,
            classes = generator.Taxonomy.ClassNames,
            seed = request.Seed,
            preset = request.PartShapes.Preset,
            texture_correlation = options.TextureCorrelation,
            background_correlation = options.BackgroundCorrelation,
            splits = jobs.ToDictionary(j => j.Folder, j => j.Count),
        }, new JsonSerializerOptions { WriteIndented = true }));
        run.Commit();
    }
}
