using static TorchSharp.torch;

namespace PartRobust.Data;

/// <summary>
/// An in-memory part-segmentation dataset: images in [0,1], per-pixel part labels and class labels.
/// Owns its tensors (they are detached from any dispose scope); dispose it when done.
/// </summary>
public sealed class PartDataset : IDisposable
{
    /// <summary>Images, float32 [N,3,H,W] in [0,1].</summary>
    public Tensor Images { get; }

    /// <summary>Part masks, int64 [N,H,W]: 0 background, 1..P parts, -1 "no label" (ignored by the loss).</summary>
    public Tensor Masks { get; }

    /// <summary>Class labels, int64 [N].</summary>
    public Tensor Labels { get; }

    /// <summary>Classes and parts.</summary>
    public PartTaxonomy Taxonomy { get; }

    /// <summary>Number of samples.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>Image height (= width).</summary>
    public int ImageSize => (int)Images.shape[2];

    /// <summary>Wraps tensors (taking ownership) after checking their shapes and types agree.</summary>
    public PartDataset(Tensor images, Tensor masks, Tensor labels, PartTaxonomy taxonomy)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be [N,3,H,W], got [{string.Join(",", images.shape)}]");
        if (masks.dim() != 3 || masks.shape[0] != images.shape[0] || masks.shape[1] != images.shape[2] || masks.shape[2] != images.shape[3])
            throw new ArgumentException($"masks must be [N,H,W] matching images, got [{string.Join(",", masks.shape)}]");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be [N], got [{string.Join(",", labels.shape)}]");
        Images = images.to_type(ScalarType.Float32).DetachFromDisposeScope();
        Masks = masks.to_type(ScalarType.Int64).DetachFromDisposeScope();
        Labels = labels.to_type(ScalarType.Int64).DetachFromDisposeScope();
        Taxonomy = taxonomy;
    }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>.</summary>
    public PartDataset Subset(Tensor indices)
    {
        using var scope = NewDisposeScope();
        var idx = indices.to_type(ScalarType.Int64);
        return new PartDataset(Images.index_select(0, idx), Masks.index_select(0, idx), Labels.index_select(0, idx), Taxonomy);
    }

    /// <summary>A new dataset holding copies of the first <paramref name="n"/> samples (or all if fewer).</summary>
    public PartDataset Take(int n)
    {
        using var scope = NewDisposeScope();
        n = Math.Min(n, Count);
        return new PartDataset(Images[..n].clone(), Masks[..n].clone(), Labels[..n].clone(), Taxonomy);
    }

    /// <summary>This dataset's tensors on <paramref name="device"/> (a new dataset; this one is unchanged).</summary>
    public PartDataset To(Device device)
    {
        using var scope = NewDisposeScope();
        return new PartDataset(Images.to(device), Masks.to(device), Labels.to(device), Taxonomy);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
        Labels.Dispose();
    }
}
