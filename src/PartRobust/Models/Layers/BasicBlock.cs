using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// torchvision's ResNet <c>BasicBlock</c> (expansion 1): 3×3 conv (stride) → BN → ReLU → 3×3 conv → BN, plus the
/// identity or a 1×1-conv + BN <c>downsample</c> projection, then ReLU. Parameter names: <c>conv1, bn1, conv2, bn2,
/// downsample.0, downsample.1</c>. Unlike torchvision (which rejects dilation &gt; 1 here) both 3×3 convolutions
/// take the block's dilation, which is what smp's <c>replace_strides_with_dilation</c> does to this block.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (1).</summary>
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of conv1 (and of the projection).</param>
    /// <param name="dilation">Dilation (and padding) of both 3×3 convolutions.</param>
    /// <param name="project">Use a projection shortcut instead of the identity.</param>
    /// <param name="projectionDilation">Dilation recorded on the 1×1 projection (no effect on the output; smp sets it).</param>
    public BasicBlock(long inPlanes, long planes, long stride, long dilation = 1, bool project = false, long projectionDilation = 1)
        : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: 1, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        if (project) downsample = Projection(inPlanes, planes * Expansion, stride, projectionDilation);
        RegisterComponents();
    }

    /// <summary>torchvision's shortcut projection: <c>Sequential(conv1x1(stride), BatchNorm2d)</c>.</summary>
    internal static Sequential Projection(long inPlanes, long outPlanes, long stride, long dilation) => Sequential(
        ("0", Conv2d(inPlanes, outPlanes, 1, stride: stride, dilation: dilation, bias: false)),
        ("1", BatchNorm2d(outPlanes)));

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(y.add_(identity)).MoveToOuterDisposeScope();
    }
}
