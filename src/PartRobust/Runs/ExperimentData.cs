using System.Diagnostics;
using PartRobust.Data;
using PartRobust.Data.Loading;
using PartRobust.Data.Prepare;
using PartRobust.Data.Transforms;
using PartRobust.Distributed;
using PartRobust.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// The data of an experiment: training data (in memory for PartShapes, streamed from disk for a prepared real dataset)
/// and the validation and test sets in memory, all at <see cref="ImageSize"/>.
/// </summary>
public sealed class ExperimentData : IDisposable
{
    /// <summary>Training data.</summary>
    public required ITrainingSet Train { get; init; }

    /// <summary>Validation set (model selection).</summary>
    public required PartDataset Val { get; init; }

    /// <summary>Test set (evaluation).</summary>
    public required PartDataset Test { get; init; }

    /// <summary>Classes and parts.</summary>
    public required PartTaxonomy Taxonomy { get; init; }

    /// <summary>Model input side in pixels.</summary>
    public required int ImageSize { get; init; }

    /// <summary>The generator that made the data when it is PartShapes (its variants feed the general-robustness suite); null otherwise.</summary>
    public PartShapesGenerator? Generator { get; init; }

    /// <summary>The in-memory training set, when there is one (disposed with this object).</summary>
    PartDataset? _trainInMemory;

    /// <summary>The datasets the PartRobust loader knows by name, besides <c>partshapes</c> and <c>folder</c>: the ones
    /// <c>data prepare</c> makes.</summary>
    public static IReadOnlyList<string> RealDatasets => Data.Prepare.DatasetPreparers.Names;

    /// <summary>What a <c>--data</c> folder holds: the dataset named in its <c>dataset.json</c>, else <c>folder</c> (an exported PartShapes dataset).</summary>
    public static string DetectDataset(string dir) =>
        Directory.Exists(dir) ? PreparedLayout.ReadInfo(dir)?.Dataset ?? "folder" : "folder";

    /// <summary>The splits <paramref name="config"/> asks for, on <paramref name="device"/>.</summary>
    public static ExperimentData Load(ExperimentConfig config, Device device, IProgressSink progress)
    {
        if (RealDatasets.Contains(config.Dataset)) return LoadPrepared(config, device, progress);
        var clock = Stopwatch.StartNew();
        PartDataset train, val, test;
        PartShapesGenerator? generator = null;
        if (config.Dataset == "folder")
        {
            train = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "train"));
            val = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "val"));
            test = PartDatasetFolder.Read(Path.Combine(config.DataDir!, "test"));
        }
        else
        {
            generator = new PartShapesGenerator(config.PartShapesOptions());
            train = generator.Generate(PartShapesSplit.Train, config.TrainSize);
            val = generator.Generate(PartShapesSplit.Val, config.ValSize);
            test = generator.Generate(PartShapesSplit.Test, config.TestSize);
            int total = config.TrainSize + config.ValSize + config.TestSize;
            progress.Log($"generated {total} PartShapes images ({config.PartShapes.Preset} preset) in {clock.Elapsed.TotalSeconds:F1}s ({total / clock.Elapsed.TotalSeconds:F0} images/s)");
        }
        if (device.type != DeviceType.CPU) (train, val, test) = (MoveTo(train, device), MoveTo(val, device), MoveTo(test, device));
        return new ExperimentData
        {
            Train = new InMemoryTrainingSet(train, config.Train.SemiLabel, config.Train.AugmentFlip), _trainInMemory = train,
            Val = val, Test = test, Taxonomy = train.Taxonomy, ImageSize = train.ImageSize, Generator = generator,
        };
    }

    static ExperimentData LoadPrepared(ExperimentConfig config, Device device, IProgressSink progress)
    {
        string dir = config.DataDir!;
        var info = PreparedLayout.ReadInfo(dir)
                   ?? throw new InvalidDataException($"--data {dir}: no {PreparedLayout.DatasetFile} (expected a folder written by 'partrobust data prepare {config.Dataset}')");
        if (info.Dataset != config.Dataset)
            throw new InvalidDataException($"--data {dir}: holds {info.Dataset}, not {config.Dataset} (--dataset)");
        var splits = PreparedLayout.Splits.Select(s => new PreparedSplit(Path.Combine(dir, s))).ToArray();
        var taxonomy = splits[0].Taxonomy;
        foreach (var s in splits)
        {
            if (!s.Taxonomy.ClassNames.SequenceEqual(taxonomy.ClassNames) || !s.Taxonomy.PartNames.SequenceEqual(taxonomy.PartNames))
                throw new InvalidDataException($"{s.Directory}: its taxonomy.json differs from the train split's");
            if (s.Count == 0) throw new InvalidDataException($"{s.Directory}: the split is empty");
        }
        int size = config.ImageSize, workers = config.Workers ?? World.CoresPerRank;
        IPartSampleSource train = Capped(splits[0], config.TrainSize, sorted: true);
        var eval = EvalTransform.ForImageSize(size);
        // Val and test in a fixed shuffled order, so that "the first N test images" (attacked points, AutoAttack) span the classes.
        var val = SplitMaterializer.Load(splits[1], eval, Capped(splits[1].Count, config.ValSize), workers, progress, $"loading {config.Dataset} val");
        try
        {
            var test = SplitMaterializer.Load(splits[2], eval, Capped(splits[2].Count, config.TestSize), workers, progress, $"loading {config.Dataset} test");
            progress.Log($"data: {config.Dataset} from {dir}; train {train.Count} images streamed through RandomResizedCrop({size}) + flip on {workers} threads; " +
                         $"val/test through Resize({eval.Resize}) + CenterCrop({size})");
            if (device.type != DeviceType.CPU) (val, test) = (MoveTo(val, device), MoveTo(test, device));
            return new ExperimentData
            {
                Train = new StreamingTrainingSet(train, new TrainTransform(size), config.Train.SemiLabel, config.Train.Seed, device, workers),
                Val = val, Test = test, Taxonomy = taxonomy, ImageSize = size,
            };
        }
        catch
        {
            val.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One evaluation split from <paramref name="dir"/>: a split folder (with index.csv) or a dataset folder (its test/).
    /// A prepared real dataset goes through Resize + CenterCrop to <paramref name="imageSize"/> (at most
    /// <paramref name="max"/> images of a fixed seed-0 order, 0 = all); an exported PartShapes folder is read as it is.
    /// </summary>
    public static PartDataset LoadEvalSplit(string dir, int imageSize, int max, int? workers, IProgressSink progress)
    {
        string folder = File.Exists(Path.Combine(dir, PreparedLayout.IndexFile)) ? dir : Path.Combine(dir, "test");
        string parent = Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        if (PreparedLayout.ReadInfo(parent) is null)
        {
            var data = PartDatasetFolder.Read(folder);
            if (max <= 0 || max >= data.Count) return data;
            using (data) return data.Take(max);
        }
        var split = new PreparedSplit(folder);
        return SplitMaterializer.Load(split, EvalTransform.ForImageSize(imageSize), Capped(split.Count, max),
            workers ?? World.CoresPerRank, progress, $"loading {Path.GetFileName(folder)}");
    }

    /// <summary>The first <paramref name="max"/> of a fixed seed-0 permutation of 0..n−1 (all n when max is 0 or ≥ n).</summary>
    public static int[] Capped(int n, int max)
    {
        var order = new NumpyRandomState(0).Permutation(n);
        return max > 0 && max < n ? order[..max] : order;
    }

    static IPartSampleSource Capped(IPartSampleSource source, int max, bool sorted)
    {
        if (max <= 0 || max >= source.Count) return source;
        var idx = Capped(source.Count, max);
        if (sorted) Array.Sort(idx);
        return new SubsetSource(source, idx);
    }

    static PartDataset MoveTo(PartDataset data, Device device)
    {
        using (data) return data.To(device);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        _trainInMemory?.Dispose();
        Val.Dispose();
        Test.Dispose();
    }
}
