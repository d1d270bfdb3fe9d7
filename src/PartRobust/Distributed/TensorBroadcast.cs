using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// Copies rank 0's tensors into every rank's, in place: at the start of data-parallel training (identical initial
/// weights and buffers whatever each rank initialised or loaded) and, with local batch norm, rank 0's running statistics
/// after each step (DDP's <c>broadcast_buffers</c>). Small tensors travel packed together, up to
/// <see cref="GradientAllreduce.DefaultBucketBytes"/> per call.
/// </summary>
public static class TensorBroadcast
{
    /// <summary>Rank 0's values of <paramref name="tensors"/> (same order, shapes and dtypes on every rank; CPU) on every rank.</summary>
    public static void FromRoot(IEnumerable<Tensor> tensors, ICommunicator communicator, long bucketBytes = GradientAllreduce.DefaultBucketBytes)
    {
        if (communicator.Size == 1) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pending = new List<Tensor>();
        long filled = 0;
        foreach (var t in tensors)
        {
            if (t.device_type != DeviceType.CPU) throw new NotSupportedException($"broadcasting tensors on {t.device}: CPU only");
            long bytes = t.numel() * t.ElementSize;
            if (bytes > bucketBytes)
            {
                Alone(t, communicator);
                continue;
            }
            if (filled + bytes > bucketBytes) filled = Flush(pending, filled, communicator);
            pending.Add(t);
            filled += bytes;
        }
        Flush(pending, filled, communicator);
    }

    /// <summary>One broadcast of the pending tensors' bytes, packed in a managed buffer; 0.</summary>
    static long Flush(List<Tensor> pending, long filled, ICommunicator communicator)
    {
        if (filled == 0) return 0;
        var buffer = new byte[filled];
        long offset = 0;
        foreach (var t in pending)
        {
            using var c = t.contiguous();
            var bytes = TensorSpans.Bytes(c);
            bytes.CopyTo(buffer.AsSpan((int)offset));
            offset += bytes.Length;
        }
        communicator.Broadcast(buffer);
        offset = 0;
        foreach (var t in pending)
        {
            int length = (int)(t.numel() * t.ElementSize);
            CopyInto(t, buffer.AsSpan((int)offset, length));
            offset += length;
        }
        pending.Clear();
        return 0;
    }

    static void Alone(Tensor t, ICommunicator communicator)
    {
        if (t.is_contiguous())
        {
            communicator.Broadcast(TensorSpans.Bytes(t));
            return;
        }
        using var c = t.contiguous();
        communicator.Broadcast(TensorSpans.Bytes(c));
        t.copy_(c);
    }

    /// <summary>Writes <paramref name="bytes"/> (contiguous order) into <paramref name="t"/>, whatever its strides.</summary>
    static void CopyInto(Tensor t, ReadOnlySpan<byte> bytes)
    {
        if (t.is_contiguous())
        {
            bytes.CopyTo(TensorSpans.Bytes(t));
            return;
        }
        using var c = t.contiguous(); // a copy, since t is not contiguous
        bytes.CopyTo(TensorSpans.Bytes(c));
        t.copy_(c);
    }
}
