using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// torchvision's DeepLabv3 as the paper's code builds it (<c>deeplabv3_resnet50</c> with
/// <c>classifier = DeepLabHead(2048, K)</c>, <c>aux_classifier = None</c>), with its module names:
/// <c>backbone.*</c> (ResNet without avgpool/fc, <c>replace_stride_with_dilation=[False, True, True]</c>, output
/// stride 8) and <c>classifier</c> = Sequential(<see cref="Aspp"/>(rates 12, 24, 36; ordinary 3×3 convs),
/// 3×3 conv 256–BN–ReLU, 1×1 conv to K with bias), then bilinear resize to the input with align_corners=False
/// (<c>_SimpleSegmentationModel</c>). The ResNet-18/34 variants use the same layout with a 512-channel head input;
/// torchvision itself refuses dilation in BasicBlock, so there both 3×3 convolutions of a block take its dilation.
/// Features for <see cref="IPartSegmenter"/>: the 256-channel map after the head's 3×3 conv–BN–ReLU (stride 8, what
/// the final 1×1 conv reads) and the backbone's layer4 (stride 8).
/// </summary>
public sealed class DeepLabV3Segmenter : Module<Tensor, Tensor>, IPartSegmenter
{
    /// <summary>torchvision's DeepLabHead rates.</summary>
    public static readonly IReadOnlyList<int> AtrousRates = new[] { 12, 24, 36 };

    /// <summary>ASPP and head channels.</summary>
    public const int Channels = 256;

    private readonly ResNet backbone;
    private readonly Sequential classifier;

    /// <summary>The backbone (torchvision-style dilation, output stride 8).</summary>
    public ResNet Backbone => backbone;

    /// <inheritdoc/>
    public int NumSegLabels { get; }

    /// <inheritdoc/>
    public int EncoderChannels => backbone.OutChannels;

    /// <inheritdoc/>
    public int EncoderStride => backbone.OutputStride;

    /// <inheritdoc/>
    public int DecoderChannels => Channels;

    /// <inheritdoc/>
    public int DecoderStride => backbone.OutputStride;

    /// <summary>Creates the segmenter.</summary>
    /// <param name="depth">Backbone depth: 18, 34 or 50.</param>
    /// <param name="numSegLabels">K (parts + background).</param>
    public DeepLabV3Segmenter(int depth, int numSegLabels) : base(nameof(DeepLabV3Segmenter))
    {
        if (numSegLabels < 2) throw new ArgumentOutOfRangeException(nameof(numSegLabels), "need background + ≥ 1 part");
        NumSegLabels = numSegLabels;
        backbone = new ResNet(depth, numClasses: null, width: 64, smallStem: false, outputStride: 8, dilationStyle: ResNetDilationStyle.Torchvision);
        classifier = Sequential(
            ("0", new Aspp(backbone.OutChannels, Channels, AtrousRates, separable: false)),
            ("1", Conv2d(Channels, Channels, 3, padding: 1, bias: false)),
            ("2", BatchNorm2d(Channels)),
            ("3", ReLU()),
            ("4", Conv2d(Channels, numSegLabels, 1)));
        RegisterComponents();
    }

    /// <summary>Part logits [B,K,H,W] for a normalised image batch [B,3,H,W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return ForwardFeatures(x).Logits.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public SegmenterOutput ForwardFeatures(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long h = x.shape[^2], w = x.shape[^1];
        var encoded = backbone.call(x);
        var y = encoded;
        for (int i = 0; i < 4; i++) y = classifier[i].call(y);
        var logits = classifier[4].call(y);
        logits = functional.interpolate(logits, new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        return new SegmenterOutput(logits.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), encoded.MoveToOuterDisposeScope());
    }
}
