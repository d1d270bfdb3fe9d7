using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>A contiguous CPU tensor's memory as a span, so collectives read and write tensors in place.</summary>
internal static class TensorSpans
{
    /// <summary>The elements of a contiguous CPU float32 tensor.</summary>
    public static Span<float> Floats(Tensor t)
    {
        if (t.dtype != ScalarType.Float32) throw new ArgumentException($"expected a float32 tensor, got {t.dtype}");
        return MemoryMarshal.Cast<byte, float>(Bytes(t));
    }

    /// <summary>The bytes of a contiguous CPU tensor (TorchSharp checks both).</summary>
    public static Span<byte> Bytes(Tensor t) => t.numel() == 0 ? Span<byte>.Empty : t.bytes;
}
