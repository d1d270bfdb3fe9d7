namespace PartRobust.Data;

/// <summary>An <see cref="IPartSampleSource"/> over a <see cref="PartDataset"/> (e.g. generated PartShapes), reading its tensors back as bytes.</summary>
public sealed class InMemoryPartSource : IPartSampleSource
{
    readonly float[] _images;
    readonly long[] _masks, _labels;
    readonly int _size;

    /// <summary>Copies the dataset's tensors to managed arrays (the dataset may be disposed afterwards).</summary>
    public InMemoryPartSource(PartDataset dataset)
    {
        _images = dataset.Images.cpu().contiguous().data<float>().ToArray();
        _masks = dataset.Masks.cpu().contiguous().data<long>().ToArray();
        _labels = dataset.Labels.cpu().data<long>().ToArray();
        _size = dataset.ImageSize;
        Taxonomy = dataset.Taxonomy;
    }

    /// <inheritdoc />
    public PartTaxonomy Taxonomy { get; }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public int LabelOf(int index) => (int)_labels[index];

    /// <inheritdoc />
    public RawPartSample Read(int index)
    {
        var (image, mask) = PartDatasetBytes.FromDataset(_images, _masks, index, _size);
        return new RawPartSample(image, mask, _size, _size, (int)_labels[index]);
    }
}
