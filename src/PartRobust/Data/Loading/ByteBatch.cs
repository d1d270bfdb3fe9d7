using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Data.Loading;

/// <summary>A decoded, transformed batch still in bytes: planar images [B,3,S,S], masks [B,S,S] (255 = no label), labels.</summary>
public sealed class ByteBatch
{
    /// <summary>Batch size B.</summary>
    public int Count { get; }

    /// <summary>Side S.</summary>
    public int Size { get; }

    /// <summary>Planar RGB bytes, B·3·S·S.</summary>
    public byte[] Images { get; }

    /// <summary>Mask bytes, B·S·S; 255 = no label.</summary>
    public byte[] Masks { get; }

    /// <summary>Class labels.</summary>
    public long[] Labels { get; }

    /// <summary>An empty batch of <paramref name="count"/> S×S samples to fill.</summary>
    public ByteBatch(int count, int size)
    {
        Count = count; Size = size;
        Images = new byte[(long)count * 3 * size * size];
        Masks = new byte[(long)count * size * size];
        Labels = new long[count];
    }

    /// <summary>Images float32 [B,3,S,S] = byte/255, masks int64 [B,S,S] with 255 → −1, labels int64 [B], in the current dispose scope.</summary>
    public (Tensor Images, Tensor Masks, Tensor Labels) ToTensors(Device device)
    {
        using var scope = NewDisposeScope();
        var (x, m) = PartDatasetBytes.ToBatch(Images, Masks, Count, Size);
        var y = torch.tensor(Labels, device: device);
        return (x.to(device).MoveToOuterDisposeScope(), m.to(device).MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }
}
