using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// torchvision's ResNet <c>Bottleneck</c> (ResNet v1.5, expansion 4): 1×1 conv → BN → ReLU → 3×3 conv (<b>stride
/// here</b>, dilation) → BN → ReLU → 1×1 conv to 4·planes → BN, plus the identity or the <c>downsample</c> projection,
/// then ReLU (the projection is a 1×1 conv with the block's stride + BN). Parameter names: <c>conv1, bn1, conv2, bn2, conv3, bn3, downsample.0, downsample.1</c>.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (4).</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    /// <summary>Creates the block (groups 1, base width 64, so the inner width equals <paramref name="planes"/>).</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Inner channels; the output has 4·planes.</param>
    /// <param name="stride">Stride of the 3×3 conv2 (and of the projection).</param>
    /// <param name="dilation">Dilation (and padding) of the 3×3 conv2.</param>
    /// <param name="project">Use a projection shortcut instead of the identity.</param>
    /// <param name="pointwiseDilation">Dilation recorded on the 1×1 convolutions and the projection (no effect on the output; smp sets it).</param>
    public Bottleneck(long inPlanes, long planes, long stride, long dilation = 1, bool project = false, long pointwiseDilation = 1)
        : base(nameof(Bottleneck))
    {
        conv1 = Conv2d(inPlanes, planes, 1, dilation: pointwiseDilation, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, dilation: pointwiseDilation, bias: false);
        bn3 = BatchNorm2d(planes * Expansion);
        if (project) downsample = BasicBlock.Projection(inPlanes, planes * Expansion, stride, pointwiseDilation);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = functional.relu(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(y.add_(identity)).MoveToOuterDisposeScope();
    }
}
