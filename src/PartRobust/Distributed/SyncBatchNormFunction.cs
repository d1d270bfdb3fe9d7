using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// Batch normalisation in training mode over the global batch of all ranks, as a custom autograd function (the
/// computation behind <see cref="SyncBatchNorm"/>). Arguments of <c>apply</c>: the input [n_r, C, …], weight [C] or null,
/// bias [C] or null, the <see cref="BatchNorm"/> layer (eps, momentum, running statistics) and the
/// <see cref="ICommunicator"/>.
/// Forward: μ = Σx / n and σ² = Σ(x − μ)² / n over the global count n (two Allreduces of C + 1 and C doubles: two passes
/// with double sums, as PyTorch's CPU batch norm, rather than E[x²] − μ², which cancels); y = (x − μ)/√(σ² + ε)·w + b
/// with PyTorch's roundings; running mean and variance updated with μ and the unbiased σ²·n/(n − 1).
/// Backward (one Allreduce of 2C doubles): with x̂ = (x − μ)/σ and global sums of dy and dy·x̂,
/// dx = w/σ·(dy − Σdy/n − x̂·Σ(dy·x̂)/n); the weight and bias get this rank's Σdy·x̂ and Σdy, which the gradient
/// Allreduce of the step then sums over the ranks.
/// libtorch runs a CPU graph's backward on the thread that called <c>backward</c>, so the collectives stay on the main
/// thread (MPI_THREAD_FUNNELED); the backward checks it.
/// </summary>
internal sealed class SyncBatchNormFunction : autograd.SingleTensorFunction<SyncBatchNormFunction>
{
    /// <inheritdoc />
    public override string Name => nameof(SyncBatchNorm);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = vars[1] as Tensor;
        var bias = vars[2] as Tensor;
        var layer = (BatchNorm)vars[3];
        var communicator = (ICommunicator)vars[4];
        if (x.dtype != ScalarType.Float32) throw new NotSupportedException($"synchronised batch norm of {x.dtype} input: float32 only");
        long channels = x.shape[1];
        var dims = ReducedDims(x);
        var shape = ChannelShape(x);

        // The roundings follow PyTorch's CPU kernel (batch_norm_kernel.cpp: double sums, a float mean, a float variance
        // sum, y = fma(x, α, β) with α = w/σ and β = fma(−μ, α, b)), so that the global batch gives one process's
        // numbers, mostly to the bit: a ReLU after the layer turns the smallest difference at 0 into another gradient.
        var totals = new double[channels + 1];
        x.sum(dims, type: ScalarType.Float64).data<double>().CopyTo(totals, 0);
        totals[channels] = x.numel() / channels;
        communicator.AllreduceSum(totals);
        double count = totals[channels];
        if (count <= 1) throw new ArgumentException($"batch norm in training needs more than one value per channel over all ranks, got {count}");
        var mean = tensor(totals[..(int)channels]).div_(count).to(ScalarType.Float32);
        var centred = x - mean.view(shape);
        var squares = centred.square().sum(dims, type: ScalarType.Float64).data<double>().ToArray();
        communicator.AllreduceSum(squares);
        var varianceSum = tensor(squares).to(ScalarType.Float32);
        var invstd = varianceSum.div(count).to(ScalarType.Float64).add_(layer.eps).sqrt_().reciprocal_().to(ScalarType.Float32);

        var alpha = weight is null ? invstd : invstd * weight;
        var y = Affine(x, alpha, bias, mean, shape);
        UpdateRunningStatistics(layer, mean, varianceSum, count);

        ctx.save_for_backward([centred, invstd, weight!]);
        ctx.save_data("count", count);
        ctx.save_data("bias", bias is not null);
        ctx.save_data("communicator", communicator);
        ctx.save_data("thread", Environment.CurrentManagedThreadId);
        return y;
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        if ((int)ctx.get_data("thread") != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException("synchronised batch norm: backward ran on another thread than forward, but MPI may only be called from the main thread");
        var saved = ctx.get_saved_variables();
        var (centred, invstd, weight) = (saved[0], saved[1], saved[2]);
        double count = (double)ctx.get_data("count");
        var communicator = (ICommunicator)ctx.get_data("communicator");
        long channels = centred.shape[1];
        var dims = ReducedDims(centred);
        var shape = ChannelShape(centred);

        var sumDy = gradOutput.sum(dims, type: ScalarType.Float64);
        var sumDyCentred = (gradOutput * centred).sum(dims, type: ScalarType.Float64);
        var totals = new double[2 * channels];
        sumDy.data<double>().CopyTo(totals, 0);
        sumDyCentred.data<double>().CopyTo(totals, (int)channels);
        communicator.AllreduceSum(totals);
        var meanDy = tensor(totals[..(int)channels]).div_(count).to(centred.dtype);
        var projection = tensor(totals[(int)channels..]).div_(count).to(centred.dtype).mul_(invstd).mul_(invstd);

        var scale = weight is null || weight.IsInvalid ? invstd : invstd * weight;
        var dx = (gradOutput - meanDy.view(shape) - centred * projection.view(shape)).mul_(scale.view(shape));
        Tensor? dWeight = weight is null || weight.IsInvalid ? null : sumDyCentred.to(centred.dtype).mul_(invstd);
        Tensor? dBias = (bool)ctx.get_data("bias") ? sumDy.to(centred.dtype) : null;
        return [dx, dWeight!, dBias!, null!, null!];
    }

    /// <summary>Elements per block of <see cref="Affine"/>: bounds its double-precision temporaries to 32 MiB.</summary>
    const long AffineBlock = 1 << 22;

    /// <summary>
    /// y = x·α + β with β = b − μα, each a fused multiply-add as PyTorch's kernel computes it (one rounding: the product
    /// of two floats is exact in double), in blocks of rows so the double temporaries stay small.
    /// </summary>
    static Tensor Affine(Tensor x, Tensor alpha, Tensor? bias, Tensor mean, long[] shape)
    {
        var alphaD = alpha.to(ScalarType.Float64);
        var betaD = (bias is null ? zeros_like(alphaD) : bias.to(ScalarType.Float64)).sub_(mean.to(ScalarType.Float64) * alphaD)
            .to(ScalarType.Float32).to(ScalarType.Float64).view(shape);
        alphaD = alphaD.view(shape);
        var y = empty_like(x);
        long rows = x.shape[0], perRow = Math.Max(1, x.numel() / Math.Max(1, rows)), block = Math.Max(1, AffineBlock / perRow);
        for (long start = 0; start < rows; start += block)
        {
            long n = Math.Min(block, rows - start);
            using var part = x.narrow(0, start, n).to(ScalarType.Float64).mul_(alphaD).add_(betaD);
            y.narrow(0, start, n).copy_(part);
        }
        return y;
    }

    /// <summary>
    /// PyTorch's update: running = m·batch + (1 − m)·running in double, with m the momentum (or 1/batches for the cumulative
    /// average when it is null) and the unbiased variance Σ(x − μ)²/(n − 1).
    /// </summary>
    static void UpdateRunningStatistics(BatchNorm layer, Tensor mean, Tensor varianceSum, double count)
    {
        if (!layer.track_running_stats || layer.running_mean is not { } runningMean || layer.running_var is not { } runningVar) return;
        layer.num_batches_tracked?.add_(1);
        double factor = layer.momentum ?? 1.0 / Math.Max(1, layer.num_batches_tracked?.item<long>() ?? 1);
        var unbiased = varianceSum.div(count - 1);
        runningMean.copy_(runningMean.to(ScalarType.Float64).mul_(1 - factor).add_(mean.to(ScalarType.Float64), alpha: factor));
        runningVar.copy_(runningVar.to(ScalarType.Float64).mul_(1 - factor).add_(unbiased.to(ScalarType.Float64), alpha: factor));
    }

    /// <summary>Every dimension but the channels' (1).</summary>
    static long[] ReducedDims(Tensor x) => Enumerable.Range(0, (int)x.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();

    /// <summary>[1, C, 1, …]: a per-channel vector broadcast over the input.</summary>
    static long[] ChannelShape(Tensor x) => Enumerable.Range(0, (int)x.dim()).Select(d => d == 1 ? x.shape[1] : 1L).ToArray();
}
