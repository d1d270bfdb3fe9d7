using PartRobust.Data;
using PartRobust.Data.Loading;
using PartRobust.Data.Transforms;
using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Training data decoded from disk (a prepared real dataset) through the paper's random transform (RandomResizedCrop +
/// flip), with batches decoded and prefetched in the background by a <see cref="PartBatchLoader"/>. A sample's crop depends
/// on (training seed, epoch, sample index) only, so runs and resumes are reproducible.
/// </summary>
public sealed class StreamingTrainingSet : ITrainingSet
{
    readonly PartBatchLoader _loader;
    readonly IPartSampleSource _source;
    readonly long _seed;

    /// <summary>Training data from <paramref name="source"/>.</summary>
    /// <param name="source">The training split.</param>
    /// <param name="transform">The random joint transform.</param>
    /// <param name="semiLabel">Fraction of samples that keep their masks (<see cref="SemiLabels"/>).</param>
    /// <param name="seed">Training seed.</param>
    /// <param name="device">Where batches go.</param>
    /// <param name="workers">Decode threads (0 = one per core).</param>
    /// <param name="prefetch">Batches decoded ahead.</param>
    public StreamingTrainingSet(IPartSampleSource source, IJointTransform transform, double semiLabel, long seed, Device device, int workers = 0, int prefetch = 3)
    {
        _source = source;
        _seed = seed;
        Device = device;
        var kept = SemiLabels.Kept(source.Count, semiLabel);
        _loader = new PartBatchLoader(source, transform, workers, prefetch, kept.All(k => k) ? null : i => kept[i]);
    }

    /// <inheritdoc />
    public int Count => _source.Count;

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public ITrainingEpoch BeginEpoch(Tensor order, int firstBatch, int batchSize, int epoch) =>
        BeginEpoch(order, firstBatch, batchSize, epoch, n => new BatchShard(0, n, n));

    /// <inheritdoc />
    /// <remarks>A sample's crop depends on the seed, the epoch and its index only, so a block of rows decodes alone.</remarks>
    public ITrainingEpoch BeginEpoch(Tensor order, int firstBatch, int batchSize, int epoch, Func<int, BatchShard> rows)
    {
        var ids = order.cpu().data<long>().ToArray();
        var batches = new List<int[]>();
        for (int b = firstBatch; b < Trainer.BatchesPerEpoch(ids.Length, batchSize); b++)
        {
            var block = rows(Math.Min(batchSize, ids.Length - b * batchSize));
            batches.Add(ids.Skip(b * batchSize + (int)block.Offset).Take((int)block.Count).Select(i => (int)i).ToArray());
        }
        return new Epoch(_loader.Stream(batches, (ulong)_seed, epoch), Device);
    }

    /// <inheritdoc />
    public void Dispose() { }

    sealed class Epoch(PartBatchLoader.BatchStream stream, Device device) : ITrainingEpoch
    {
        public (Tensor Images, Tensor Masks, Tensor Labels) Next(Generator generator) => stream.Next().ToTensors(device);

        public void Dispose() => stream.Dispose();
    }
}
