using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// Counts the multiply-accumulates of a forward pass in convolutions and linear layers (the bulk of the cost
/// of every model here) by hooking them during one pass. Element-wise ops and pooling are not counted, so
/// achieved GFLOP/s computed from this is a slight underestimate.
/// </summary>
public static class FlopCounter
{
    /// <summary>FLOPs (2 × MACs) of one forward pass per image at the given input size.</summary>
    public static double ForwardFlopsPerImage(nn.Module<Tensor, Tensor> model, int imageSize, int batch = 2)
    {
        double macs = 0;
        var removers = new List<Action>();
        foreach (var (_, m) in model.named_modules())
        {
            if (m is Conv2d conv)
            {
                var h = conv.register_forward_hook((mod, input, output) =>
                {
                    macs += (double)output.numel() * (conv.weight!.numel() / conv.weight.shape[0]);
                    return output;
                });
                removers.Add(() => h.remove());
            }
            else if (m is Linear lin)
            {
                var h = lin.register_forward_hook((mod, input, output) =>
                {
                    macs += (double)output.numel() * lin.weight!.shape[1];
                    return output;
                });
                removers.Add(() => h.remove());
            }
        }
        try
        {
            using var mode = EvalMode.Enter(model);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            model.call(rand(batch, 3, imageSize, imageSize));
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return 2 * macs / batch;
    }
}
