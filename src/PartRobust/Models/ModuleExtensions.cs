using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>Small helpers on TorchSharp modules.</summary>
public static class ModuleExtensions
{
    /// <summary>Number of trainable parameters (elements of parameters with <c>requires_grad</c>), BN weight and bias included.</summary>
    public static long ParameterCount(this Module module) =>
        module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>
    /// Stores every 2-D convolution's weight channels-last (NHWC strides, the same NCHW shape and values), so libtorch's
    /// oneDNN convolutions run in NHWC and their outputs, and so every activation after them, stay NHWC. Call before
    /// creating an optimizer: the weights become new <see cref="TorchSharp.Modules.Parameter"/> objects. A model with a
    /// convolution narrower than <see cref="MinChannelsLastChannels"/> (other than an RGB stem) is left as it is.
    /// </summary>
    public static T ToChannelsLast<T>(this T module) where T : Module
    {
        var convs = module.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.Conv2d>().ToList();
        // libtorch 2.10's oneDNN 1×1 weight-gradient kernel (jit_avx2_1x1_convolution_bwd_weights) never returns for
        // an NHWC convolution from 4 channels; narrow models are test-sized, so they keep NCHW.
        if (convs.Any(c => c.in_channels != 3 && Math.Min(c.in_channels, c.out_channels) < MinChannelsLastChannels)) return module;
        using var _ = no_grad();
        foreach (var conv in convs)
        {
            if (conv.weight is not { } w || IsChannelsLast(w)) continue;
            conv.weight = new TorchSharp.Modules.Parameter(ChannelsLast(w.detach()), w.requires_grad);
        }
        return module;
    }

    /// <summary>Narrowest convolution (channels in or out) with which <see cref="ToChannelsLast"/> converts a model.</summary>
    public const int MinChannelsLastChannels = 8;

    /// <summary>A copy of a 4-D tensor with channels-last strides (what PyTorch's <c>memory_format=torch.channels_last</c> gives).</summary>
    public static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// True when a 4-D tensor's memory is channels-last (PyTorch's <c>is_contiguous(memory_format=torch.channels_last)</c>:
    /// dimensions of size 1 are ignored, so e.g. a 1×1 convolution's weight is both NCHW and NHWC).
    /// </summary>
    public static bool IsChannelsLast(Tensor t)
    {
        if (t.dim() != 4) return false;
        long expected = 1;
        foreach (int d in new[] { 1, 3, 2, 0 })
        {
            if (t.shape[d] == 1) continue;
            if (t.stride(d) != expected) return false;
            expected *= t.shape[d];
        }
        return true;
    }
}
