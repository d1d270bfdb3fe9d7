using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace PartRobust.Models;

/// <summary>
/// smp's <c>SeparableConv2d</c> (decoders/deeplabv3/decoder.py): a <c>Sequential</c> of a depthwise k×k convolution
/// (groups = in, no bias) as <c>0</c> and a pointwise 1×1 convolution as <c>1</c>.
/// </summary>
public static class SeparableConv2d
{
    /// <summary>Builds the two-convolution Sequential.</summary>
    /// <param name="inChannels">Input channels (and depthwise groups).</param>
    /// <param name="outChannels">Output channels of the pointwise convolution.</param>
    /// <param name="kernelSize">Depthwise kernel size.</param>
    /// <param name="padding">Depthwise padding.</param>
    /// <param name="dilation">Depthwise dilation.</param>
    /// <param name="bias">Bias of the pointwise convolution (smp's DeepLabV3+ always passes false).</param>
    public static Sequential Create(long inChannels, long outChannels, long kernelSize, long padding = 0, long dilation = 1, bool bias = true) =>
        Sequential(
            ("0", Conv2d(inChannels, inChannels, kernelSize, padding: padding, dilation: dilation, groups: inChannels, bias: false)),
            ("1", Conv2d(inChannels, outChannels, 1, bias: bias)));
}
