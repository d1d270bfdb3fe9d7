using PartRobust.Distributed;
using System.Diagnostics;
using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using static TorchSharp.torch;

namespace PartRobust.Evaluation.Robustness;

/// <summary>The outcome of <see cref="GeneralRobustnessEvaluator.Run"/>: one result per model and how the images were made.</summary>
/// <param name="Results">One result per model, in the order given.</param>
/// <param name="Images">Test images each suite measured.</param>
/// <param name="Table">Corruption table used (null when the corruption suite did not run).</param>
/// <param name="Corruptions">Corruptions run, in order (empty when the suite did not run).</param>
/// <param name="Severities">Severities run.</param>
/// <param name="CueConflictMethod">How the cue-conflict images were made (null when the texture suite did not run).</param>
/// <param name="BackgroundMethod">How the background variants were made (null when the background suite did not run).</param>
/// <param name="Seconds">Wall-clock seconds of the whole evaluation.</param>
public sealed record GeneralRobustnessRun(
    IReadOnlyList<GeneralRobustnessResult> Results, int Images, CorruptionTable? Table, IReadOnlyList<string> Corruptions,
    IReadOnlyList<int> Severities, string? CueConflictMethod, string? BackgroundMethod, double Seconds);

/// <summary>
/// The paper's general-robustness evaluation of several models on the same images: accuracy under every common
/// corruption and severity, shape bias on cue-conflict images and accuracy on ImageNet-9-style background variants.
/// Each image set is built once and every model is measured on it before the next is built, so models are compared on
/// identical images and the corruption cost is paid once. Deterministic for a seed.
/// </summary>
public static class GeneralRobustnessEvaluator
{
    /// <summary>Report names of the mask-built background variants, in <see cref="BackgroundVariant"/> order.</summary>
    public static readonly IReadOnlyDictionary<BackgroundVariant, string> VariantNames = new Dictionary<BackgroundVariant, string>
    {
        [BackgroundVariant.Original] = "original", [BackgroundVariant.OnlyFg] = "only_fg", [BackgroundVariant.OnlyBgBox] = "only_bg_b",
        [BackgroundVariant.NoFg] = "no_fg", [BackgroundVariant.OnlyBgTiled] = "only_bg_t", [BackgroundVariant.MixedSame] = "mixed_same",
        [BackgroundVariant.MixedRand] = "mixed_rand",
    };

    /// <summary>Report names of the PartShapes generator's own variants.</summary>
    public static readonly IReadOnlyDictionary<PartShapesVariant, string> GeneratorVariantNames = new Dictionary<PartShapesVariant, string>
    {
        [PartShapesVariant.OnlyForeground] = "gen_only_fg", [PartShapesVariant.OnlyBackground] = "gen_only_bg",
        [PartShapesVariant.MixedRandomBackground] = "gen_mixed_rand",
    };

    /// <summary>Size of the float32 images of one corrupted chunk (256 MB: 1,300 images at 224 px, all of a 32 px test set).</summary>
    const int ChunkBytes = 256 << 20;

    /// <summary>How cue-conflict images are made from part masks (real datasets).</summary>
    public const string MaskCueConflictMethod =
        "part masks: each foreground re-textured with a mirror-tiled patch of the foreground of an image of another class (label = shape class; no style transfer offline)";

    /// <summary>How cue-conflict images are made for PartShapes.</summary>
    public const string GeneratorCueConflictMethod =
        "PartShapes generator: the shape of class A drawn with the texture family class B ≠ A prefers (label = A, texture label = B)";

    /// <summary>Runs the suites.</summary>
    /// <param name="models">Models to measure (put in eval mode while measured).</param>
    /// <param name="test">Test set; its first <see cref="GeneralRobustnessOptions.Images"/> images are used.</param>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Progress bars and a log line per finished corruption and suite.</param>
    /// <param name="modelNames">Display names for the log (null = model 1, 2, …).</param>
    /// <param name="generator">
    /// The PartShapes generator that made <paramref name="test"/>, or null for other data. With it, cue conflict uses the
    /// generator's own variant and the background suite adds its variants; without it, both are built from the masks.
    /// </param>
    public static GeneralRobustnessRun Run(IReadOnlyList<nn.Module<Tensor, Tensor>> models, PartDataset test,
        GeneralRobustnessOptions options, IProgressSink progress, IReadOnlyList<string>? modelNames = null, PartShapesGenerator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(test);
        options.Validate();
        if (models.Count == 0) throw new ArgumentException("at least one model is needed");
        var measured = new MeasuredModels(models, modelNames ?? models.Select((_, i) => $"model {i + 1}").ToList(), options.BatchSize);
        var clock = Stopwatch.StartNew();
        int n = options.Images == 0 ? test.Count : Math.Min(options.Images, test.Count);
        if (n == 0) throw new ArgumentException("the test set is empty");
        using var data = test.Take(n);

        var clean = measured.Accuracies(data);
        bool corruptionSuite = options.Suites.HasFlag(RobustnessSuite.Corruptions);
        var corruptions = corruptionSuite ? MeasureCorruptions(measured, data, options, progress) : null;
        var cue = options.Suites.HasFlag(RobustnessSuite.Texture) ? MeasureCueConflict(measured, data, options, generator, progress) : null;
        var background = options.Suites.HasFlag(RobustnessSuite.Background) ? MeasureBackground(measured, data, clean, options, generator, progress) : null;

        var results = Enumerable.Range(0, models.Count).Select(m => new GeneralRobustnessResult
        {
            CleanAccuracy = clean[m], Corruptions = corruptions?.PerModel[m] ?? new(), CueConflict = cue?.PerModel[m],
            Background = background?.PerModel[m] ?? new(), Seconds = measured.Seconds[m],
        }).ToList();
        return new GeneralRobustnessRun(results, n, corruptions?.Table, corruptions?.Names ?? [], corruptionSuite ? options.Severities.ToList() : [],
            cue?.Method, background?.Method, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The models under test, each timed while it predicts (the seconds go into its result).</summary>
    sealed class MeasuredModels(IReadOnlyList<nn.Module<Tensor, Tensor>> models, IReadOnlyList<string> names, int batchSize)
    {
        public int Count => models.Count;
        public double[] Seconds { get; } = new double[models.Count];

        /// <summary>Model <paramref name="m"/>'s predicted classes on <paramref name="set"/>.</summary>
        public long[] Predictions(int m, PartDataset set)
        {
            var sw = Stopwatch.StartNew();
            var preds = Evaluator.Predictions(models[m], set, batchSize);
            Seconds[m] += sw.Elapsed.TotalSeconds;
            return preds;
        }

        /// <summary>Correctly classified images of <paramref name="set"/>, per model.</summary>
        public long[] Correct(PartDataset set)
        {
            var labels = Labels(set);
            return Enumerable.Range(0, Count).Select(m => (long)Predictions(m, set).Where((p, i) => p == labels[i]).Count()).ToArray();
        }

        /// <summary>Accuracy on <paramref name="set"/>, per model.</summary>
        public double[] Accuracies(PartDataset set) => Correct(set).Select(c => (double)c / set.Count).ToArray();

        /// <summary>A log line of one value per model, "NAME text, NAME text".</summary>
        public string Line<T>(IEnumerable<T> perModel, Func<T, string> text) => string.Join(", ", perModel.Select((v, m) => $"{names[m]} {text(v)}"));
    }

    /// <summary>The corruption suite's outcome: the table, the corruptions in order, and accuracy per corruption and severity per model.</summary>
    sealed record CorruptionsMeasured(CorruptionTable Table, List<string> Names, Dictionary<string, Dictionary<int, double>>[] PerModel);

    /// <summary>
    /// Accuracy under every corruption and severity. One pixel copy serves all sets; each set is made and scored in
    /// chunks, so memory stays flat on large test sets.
    /// </summary>
    static CorruptionsMeasured MeasureCorruptions(MeasuredModels models, PartDataset data, GeneralRobustnessOptions options, IProgressSink progress)
    {
        int n = data.Count;
        var table = options.TableFor(data.ImageSize);
        var list = options.CorruptionList();
        var perModel = Enumerable.Range(0, models.Count).Select(_ => new Dictionary<string, Dictionary<int, double>>()).ToArray();
        using var task = progress.Start($"corruptions ({(table == CorruptionTable.Cifar10 ? "CIFAR-10-C" : "ImageNet-C")} table, {n} images)",
            (long)list.Count * options.Severities.Count * n);
        var pixels = new DatasetPixels(data);
        int chunk = Math.Max(1, Math.Min(n, options.ChunkImages ?? ChunkBytes / (3 * pixels.Plane * sizeof(float))));
        foreach (var c in list)
        {
            foreach (int s in options.Severities)
            {
                task.SetStatus($"{c.Name} severity {s}");
                var correct = new double[models.Count];
                // In an MPI job each rank corrupts and scores every N-th chunk (chunks are seeded by their images).
                for (int start = 0, unit = 0; start < n; start += chunk, unit++)
                {
                    int count = Math.Min(chunk, n - start);
                    if (!WorkShare.Owns(unit)) continue;
                    using var corrupted = CorruptedDataset.Build(pixels, data, start, count, c, s, options.Seed, table);
                    long[] hits;
                    using (WorkShare.Alone()) hits = models.Correct(corrupted);
                    for (int m = 0; m < models.Count; m++) correct[m] += hits[m];
                    task.Advance(count);
                }
                WorkShare.SumOverRanks(correct);
                for (int m = 0; m < models.Count; m++)
                {
                    if (!perModel[m].TryGetValue(c.Name, out var bySeverity)) perModel[m][c.Name] = bySeverity = new();
                    bySeverity[s] = (double)correct[m] / n;
                }
            }
            progress.Log($"{c.Name}: " + models.Line(perModel, d => $"{d[c.Name].Values.Average() * 100:F1}%") +
                         $" (mean over severities {string.Join(",", options.Severities)})");
        }
        return new CorruptionsMeasured(table, list.Select(c => c.Name).ToList(), perModel);
    }

    /// <summary>The texture suite's outcome: shape bias per model and how the cue-conflict images were made.</summary>
    sealed record CueConflictMeasured(ShapeBiasResult[] PerModel, string Method);

    /// <summary>Shape accuracy and shape bias on cue-conflict images (the generator's own, or re-textured from the masks).</summary>
    static CueConflictMeasured MeasureCueConflict(MeasuredModels models, PartDataset data, GeneralRobustnessOptions options,
        PartShapesGenerator? generator, IProgressSink progress)
    {
        int n = data.Count;
        using var task = progress.Start($"cue conflict ({n} images)", n);
        var (cue, textureLabels) = generator is null ? MaskCueConflict(data, options.Seed) : GeneratorCueConflict(generator, n, data);
        var shapeBias = new ShapeBiasResult[models.Count];
        using (cue)
        {
            var shapeLabels = Labels(cue);
            for (int m = 0; m < models.Count; m++) shapeBias[m] = ShapeBias.Compute(models.Predictions(m, cue), shapeLabels, textureLabels);
        }
        task.Advance(n);
        progress.Log("cue conflict, shape accuracy / shape bias: " + models.Line(shapeBias, b => $"{b.ShapeAccuracy * 100:F1}% / {b.Bias * 100:F1}%") +
                     $" ({shapeBias[0].ConflictImages} conflict images)");
        return new CueConflictMeasured(shapeBias, generator is null ? MaskCueConflictMethod : GeneratorCueConflictMethod);
    }

    /// <summary>The background suite's outcome: accuracy per variant per model and how the variants were made.</summary>
    sealed record BackgroundMeasured(Dictionary<string, double>[] PerModel, string Method);

    /// <summary>
    /// Accuracy on the ImageNet-9-style background variants built from the part masks, and with a PartShapes generator
    /// on its own variants too.
    /// </summary>
    static BackgroundMeasured MeasureBackground(MeasuredModels models, PartDataset data, double[] clean, GeneralRobustnessOptions options,
        PartShapesGenerator? generator, IProgressSink progress)
    {
        int n = data.Count;
        var perModel = Enumerable.Range(0, models.Count).Select(_ => new Dictionary<string, double>()).ToArray();
        var variants = Enum.GetValues<BackgroundVariant>();
        var generated = generator is null ? Array.Empty<PartShapesVariant>() : GeneratorVariantNames.Keys.ToArray();
        using var task = progress.Start($"background variants ({n} images)", (long)(variants.Length + generated.Length) * n);
        foreach (var v in variants)
        {
            task.SetStatus(VariantNames[v]);
            double[] accs;
            if (v == BackgroundVariant.Original) accs = clean; // the unchanged images: already measured
            else
            {
                using var built = BackgroundVariants.Build(data, v, options.Seed);
                accs = models.Accuracies(built.Data);
            }
            for (int m = 0; m < models.Count; m++) perModel[m][VariantNames[v]] = accs[m];
            task.Advance(n);
        }
        foreach (var v in generated)
        {
            task.SetStatus(GeneratorVariantNames[v]);
            using var raw = generator!.Generate(PartShapesSplit.Test, n, v);
            using var set = raw.To(data.Images.device);
            var accs = models.Accuracies(set);
            for (int m = 0; m < models.Count; m++) perModel[m][GeneratorVariantNames[v]] = accs[m];
            task.Advance(n);
        }
        progress.Log("background, mixed_same / mixed_rand / BG-gap: " + models.Line(perModel, b =>
            $"{b["mixed_same"] * 100:F1}% / {b["mixed_rand"] * 100:F1}% / {(b["mixed_same"] - b["mixed_rand"]) * 100:F1}"));
        return new BackgroundMeasured(perModel, BackgroundMethod + (generator is null ? "" : GeneratorBackgroundMethod));
    }

    /// <summary>How the mask-built background variants are made.</summary>
    const string BackgroundMethod =
        "part masks (foreground = part label > 0), ImageNet-9 style: only_fg = foreground on black, only_bg_b = foreground box black, " +
        "no_fg = foreground pixels black, only_bg_t = foreground box filled with mirror-tiled background, mixed_same / mixed_rand = " +
        "foreground pasted on the only_bg_t image of a random image of the same / another class";

    /// <summary>How the PartShapes generator's background variants are made (added to <see cref="BackgroundMethod"/>).</summary>
    const string GeneratorBackgroundMethod =
        "; gen_* = the PartShapes generator's own variants (object on a plain background; background only, label = the class whose background family it is; background family of another class)";

    static long[] Labels(PartDataset set)
    {
        using var scope = NewDisposeScope();
        return set.Labels.cpu().data<long>().ToArray();
    }

    static (PartDataset Data, long[] TextureLabels) MaskCueConflict(PartDataset data, ulong seed)
    {
        var built = CueConflict.Build(data, seed);
        return (built.Data, built.TextureLabels);
    }

    /// <summary>
    /// The generator's cue-conflict variant; the texture label is the class (of the dataset's taxonomy) whose preferred
    /// texture family the object wears, or the shape label (excluded from shape bias) when that class is not in the taxonomy.
    /// </summary>
    static (PartDataset Data, long[] TextureLabels) GeneratorCueConflict(PartShapesGenerator generator, int n, PartDataset like)
    {
        using var raw = generator.Generate(PartShapesSplit.Test, n, PartShapesVariant.CueConflict, out var samples);
        var classes = generator.Taxonomy.ClassNames;
        var byTexture = Enumerable.Range(0, classes.Count).ToDictionary(c => PartShapesGenerator.PreferredTexture(classes[c]), c => (long)c);
        var textureLabels = samples.Select(s => byTexture.TryGetValue(s.Texture, out long t) ? t : s.Label).ToArray();
        return (raw.To(like.Images.device), textureLabels);
    }
}
