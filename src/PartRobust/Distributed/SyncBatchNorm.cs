using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// Makes every <c>BatchNorm1d/2d/3d</c> of a model a synchronised batch norm while the model trains (PyTorch's
/// <c>SyncBatchNorm</c>), without changing the model's classes: in training mode each layer normalises with the mean and
/// variance of the global batch (every rank's rows), updates its running averages with them as PyTorch does (momentum,
/// unbiased variance over the global count), and back-propagates through the global statistics
/// (<see cref="SyncBatchNormFunction"/>). In evaluation mode the layers are untouched. N ranks each holding a block of the
/// batch then compute what one process computes on the whole batch, up to float summation order.
/// The layers are called through <c>call</c> (as every model here does), so a forward pre-hook and hook swap the
/// computation: the pre-hook puts the layer in evaluation mode and hands its own forward one row (cheap, and it updates
/// no running statistic), the hook replaces that output with the synchronised one of the real input.
/// Every rank must run the same layers in the same order (the same model and code), as the collectives require.
/// </summary>
public sealed class SyncBatchNorm : IDisposable
{
    readonly List<Action> removers = [];

    SyncBatchNorm() { }

    /// <summary>The number of batch-norm layers synchronised.</summary>
    public int Layers { get; private set; }

    /// <summary>Hooks every batch-norm layer of <paramref name="model"/>; dispose to remove the hooks.</summary>
    public static SyncBatchNorm Install(nn.Module model, ICommunicator communicator)
    {
        var sync = new SyncBatchNorm();
        foreach (var module in model.modules().Prepend(model).Distinct())
        {
            if (module is not BatchNorm bn) continue;
            var layer = new Layer(bn, communicator);
            var pre = bn.register_forward_pre_hook(layer.Before);
            var post = bn.register_forward_hook(layer.After);
            sync.removers.Add(pre.remove);
            sync.removers.Add(post.remove);
            sync.Layers++;
        }
        return sync;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var remove in removers) remove();
        removers.Clear();
    }

    /// <summary>One hooked layer: the input held from the pre-hook to the hook of the same call.</summary>
    sealed class Layer(BatchNorm module, ICommunicator communicator)
    {
        Tensor? input;

        public Tensor Before(nn.Module<Tensor, Tensor> _, Tensor x)
        {
            if (!module.training) return x;
            input = x;
            module.train(false);
            // With running statistics the evaluation-mode forward needs one row only; without them it normalises with the
            // batch's own statistics, so it gets the whole input (a BatchNorm1d refuses one row then).
            bool running = module.running_mean is not null && module.running_var is not null;
            return running && x.shape[0] > 1 ? x.narrow(0, 0, 1) : x;
        }

        public Tensor After(nn.Module<Tensor, Tensor> _, Tensor __, Tensor output)
        {
            if (input is null) return output;
            var x = input;
            input = null;
            module.train(true);
            return SyncBatchNormFunction.apply(x, module.weight, module.bias, module, communicator);
        }
    }
}
