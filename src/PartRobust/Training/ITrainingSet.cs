using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// The training data as <see cref="Trainer"/> sees it: a number of samples and, per epoch, batches drawn in a given order.
/// <see cref="InMemoryTrainingSet"/> slices a <see cref="Data.PartDataset"/> held in memory (PartShapes); <see cref="StreamingTrainingSet"/>
/// decodes a prepared dataset from disk with random crops, in the background.
/// </summary>
public interface ITrainingSet : IDisposable
{
    /// <summary>Number of training samples.</summary>
    int Count { get; }

    /// <summary>Device the batches are made on.</summary>
    Device Device { get; }

    /// <summary>Starts epoch <paramref name="epoch"/> (1-based, counted over the whole run) over <paramref name="order"/>, from batch <paramref name="firstBatch"/>.</summary>
    ITrainingEpoch BeginEpoch(Tensor order, int firstBatch, int batchSize, int epoch);

    /// <summary>
    /// Like <see cref="BeginEpoch(Tensor, int, int, int)"/>, but each batch holds only the rows <paramref name="rows"/> picks
    /// from the whole batch of the given size (one rank's block in data-parallel training), so the other rows are never
    /// made; null when the set cannot (its batches draw from the trainer's generator for the whole batch), and the trainer
    /// then cuts the rows from whole batches.
    /// </summary>
    ITrainingEpoch? BeginEpoch(Tensor order, int firstBatch, int batchSize, int epoch, Func<int, BatchShard> rows) => null;
}

/// <summary>One epoch's batches, handed out in order.</summary>
public interface ITrainingEpoch : IDisposable
{
    /// <summary>The next batch's images [B,3,S,S] in [0,1], masks [B,S,S] (−1 = no label) and labels, made in the caller's dispose scope.</summary>
    (Tensor Images, Tensor Masks, Tensor Labels) Next(Generator generator);
}
