using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// Sums the parameters' gradients over the ranks after <c>backward</c>, like DDP's gradient all-reduce: gradients are
/// packed into flat float32 buckets of at most <see cref="BucketBytes"/> (one MPI call per bucket instead of one per
/// tensor), summed with one Allreduce each, and copied back into the same <c>.grad</c> tensors; a gradient larger than a
/// bucket is summed alone, in its own memory when contiguous. Every rank ends with the same bits (MPI's sum of the same
/// inputs in the same order). A parameter without a gradient is skipped; every rank runs the same graph, so the same
/// ones are skipped everywhere. The caller scales its loss so that the sum is the gradient it wants (data-parallel
/// training: each rank's mean loss times n_r / B).
/// </summary>
public sealed class GradientAllreduce : IDisposable
{
    /// <summary>DDP's default bucket size, 25 MiB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    readonly Parameter[] parameters;
    readonly ICommunicator communicator;
    readonly long bucketElements;
    Tensor? bucket;

    /// <summary>Sums the gradients of <paramref name="parameters"/> (their order must be the same on every rank).</summary>
    public GradientAllreduce(IEnumerable<Parameter> parameters, ICommunicator communicator, long bucketBytes = DefaultBucketBytes)
    {
        if (bucketBytes < sizeof(float)) throw new ArgumentOutOfRangeException(nameof(bucketBytes), "a bucket holds at least one float");
        this.parameters = parameters.Where(p => p.requires_grad).ToArray();
        this.communicator = communicator;
        bucketElements = bucketBytes / sizeof(float);
        BucketBytes = bucketBytes;
    }

    /// <summary>Bytes per bucket.</summary>
    public long BucketBytes { get; }

    /// <summary>Replaces every gradient by its sum over the ranks (nothing to do for one rank).</summary>
    public void Sum()
    {
        if (communicator.Size == 1) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pending = new List<Tensor>();
        long filled = 0;
        foreach (var p in parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            if (grad.dtype != ScalarType.Float32 || grad.device_type != DeviceType.CPU)
                throw new NotSupportedException($"data-parallel training sums float32 CPU gradients; got {grad.dtype} on {grad.device}");
            long n = grad.numel();
            if (n > bucketElements)
            {
                SumAlone(grad);
                continue;
            }
            if (filled + n > bucketElements) filled = Flush(pending, filled);
            Bucket().narrow(0, filled, n).copy_(grad.reshape(-1));
            pending.Add(grad);
            filled += n;
        }
        Flush(pending, filled);
    }

    /// <summary>Sums the bucket's first <paramref name="filled"/> elements and copies them back into their gradients; 0.</summary>
    long Flush(List<Tensor> pending, long filled)
    {
        if (filled == 0) return 0;
        var bucket = Bucket();
        communicator.AllreduceSum(TensorSpans.Floats(bucket)[..(int)filled]);
        long offset = 0;
        foreach (var grad in pending)
        {
            long n = grad.numel();
            grad.copy_(bucket.narrow(0, offset, n).view(grad.shape));
            offset += n;
        }
        pending.Clear();
        return 0;
    }

    /// <summary>A gradient bigger than a bucket: summed in its own memory (a contiguous copy when it is strided).</summary>
    void SumAlone(Tensor grad)
    {
        if (grad.is_contiguous())
        {
            communicator.AllreduceSum(TensorSpans.Floats(grad));
            return;
        }
        using var copy = grad.contiguous();
        communicator.AllreduceSum(TensorSpans.Floats(copy));
        grad.copy_(copy);
    }

    /// <summary>The bucket, allocated at the first use: no larger than all the parameters together.</summary>
    Tensor Bucket() =>
        bucket ??= empty(Math.Min(bucketElements, parameters.Sum(p => p.numel())), ScalarType.Float32).DetachFromDisposeScope();

    /// <inheritdoc />
    public void Dispose() => bucket?.Dispose();
}
