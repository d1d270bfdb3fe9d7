using PartRobust.Data;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// A <see cref="PartDataset"/> in memory as training data: batches are slices in the epoch's order with random horizontal
/// flips drawn from the trainer's generator; with <c>--semi-label</c> the masks of the images not kept are −1.
/// </summary>
public sealed class InMemoryTrainingSet : ITrainingSet
{
    readonly PartDataset _data;
    readonly Tensor _masks;
    readonly bool _flip;

    /// <summary>Wraps <paramref name="data"/> (not owned).</summary>
    public InMemoryTrainingSet(PartDataset data, double semiLabel, bool flip)
    {
        _data = data;
        _masks = SemiLabels.Apply(data.Masks, semiLabel);
        _flip = flip;
    }

    /// <inheritdoc />
    public int Count => _data.Count;

    /// <inheritdoc />
    public Device Device => _data.Images.device;

    /// <inheritdoc />
    public ITrainingEpoch BeginEpoch(Tensor order, int firstBatch, int batchSize, int epoch) => new Epoch(this, order, firstBatch, batchSize);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!ReferenceEquals(_masks, _data.Masks)) _masks.Dispose();
    }

    sealed class Epoch(InMemoryTrainingSet set, Tensor order, int batch, int batchSize) : ITrainingEpoch
    {
        public (Tensor Images, Tensor Masks, Tensor Labels) Next(Generator generator)
        {
            int start = batch++ * batchSize, count = Math.Min(batchSize, set.Count - start);
            var idx = order.narrow(0, start, count);
            var images = set._data.Images.index_select(0, idx);
            var masks = set._masks.index_select(0, idx);
            if (set._flip)
            {
                var coin = rand(images.shape[0], generator: generator, device: images.device).lt(0.5);
                images = where(coin.view(-1, 1, 1, 1), images.flip(3), images);
                masks = where(coin.view(-1, 1, 1), masks.flip(2), masks);
            }
            return (images, masks, set._data.Labels.index_select(0, idx));
        }

        public void Dispose() { }
    }
}
