using PartRobust.Data;
using static TorchSharp.torch;

namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// A CPU copy of a <see cref="PartDataset"/>'s images, masks and labels as flat arrays, for the pixel-level
/// robustness builders (cheap, exact and deterministic; no tensor ops per pixel).
/// </summary>
internal sealed class DatasetPixels
{
    /// <summary>Images, planar [N,3,H,W] row-major.</summary>
    public float[] Images { get; }

    /// <summary>Masks [N,H,W] row-major.</summary>
    public long[] Masks { get; }

    /// <summary>Labels [N].</summary>
    public long[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Height.</summary>
    public int Height { get; }

    /// <summary>Width.</summary>
    public int Width { get; }

    /// <summary>Pixels per channel plane (H·W).</summary>
    public int Plane => Height * Width;

    /// <summary>Copies the dataset's tensors to arrays.</summary>
    public DatasetPixels(PartDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        Count = data.Count;
        Height = (int)data.Images.shape[2];
        Width = (int)data.Images.shape[3];
        Images = data.Images.cpu().contiguous().data<float>().ToArray();
        Masks = data.Masks.cpu().contiguous().data<long>().ToArray();
        Labels = data.Labels.cpu().contiguous().data<long>().ToArray();
    }

    /// <summary>Image i's mask, H·W values.</summary>
    public ReadOnlySpan<long> Mask(int i) => Masks.AsSpan(i * Plane, Plane);

    /// <summary>Offset of image i, channel c in <see cref="Images"/>.</summary>
    public int ImageOffset(int i, int c) => (i * 3 + c) * Plane;

    /// <summary>True when pixel p (= y·W + x) of image i is foreground (mask &gt; 0).</summary>
    public bool IsForeground(int i, int p) => Masks[i * Plane + p] > 0;

    /// <summary>The foreground boxes of all images.</summary>
    public ForegroundBox[] Boxes()
    {
        var boxes = new ForegroundBox[Count];
        for (int i = 0; i < Count; i++) boxes[i] = ForegroundBox.Of(Mask(i), Height, Width);
        return boxes;
    }

    /// <summary>A new dataset on <paramref name="like"/>'s device with <paramref name="images"/> (planar, same shape) and <paramref name="like"/>'s masks, labels and taxonomy.</summary>
    public PartDataset WithImages(float[] images, PartDataset like)
    {
        using var scope = NewDisposeScope();
        var shape = new long[] { Count, 3, Height, Width };
        return new PartDataset(tensor(images, shape).to(like.Images.device), like.Masks.clone(), like.Labels.clone(), like.Taxonomy);
    }
}
