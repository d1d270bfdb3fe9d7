using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The paper's segmenter: segmentation_models_pytorch 0.3.0's <c>DeepLabV3Plus(encoder_name="resnetXX",
/// encoder_depth=5, encoder_output_stride=16, decoder_channels=256, decoder_atrous_rates=(12,24,36), classes=K,
/// upsampling=4)</c>, with its module names: <c>encoder.*</c> (torchvision ResNet without avgpool/fc, layer4 dilated
/// in smp's style), <c>decoder.*</c> (<see cref="DeepLabV3PlusDecoder"/>), <c>segmentation_head.0</c> (1×1 conv with
/// bias), then ×4 bilinear upsampling with align_corners=True. Input: <b>normalised</b> images [B,3,H,W] with H and W
/// divisible by the output stride (smp's <c>check_input_shape</c>); output: part logits [B,K,H,W].
/// Features for <see cref="IPartSegmenter"/>: the decoder output (256 channels, stride 4, what the 1×1 head reads) and
/// the encoder's layer4 (2048 channels for ResNet-50, 512 for 18/34; stride 16).
/// </summary>
public sealed class DeepLabV3PlusSegmenter : Module<Tensor, Tensor>, IPartSegmenter
{
    /// <summary>smp's default ASPP rates, which the paper keeps.</summary>
    public static readonly IReadOnlyList<int> AtrousRates = new[] { 12, 24, 36 };

    /// <summary>ASPP and decoder channels.</summary>
    public const int Channels = 256;

    /// <summary>Final upsampling factor of the segmentation head.</summary>
    public const int Upsampling = 4;

    private readonly ResNet encoder;
    private readonly DeepLabV3PlusDecoder decoder;
    private readonly Sequential segmentation_head;

    /// <summary>The encoder (a torchvision ResNet without classifier, smp-style dilation).</summary>
    public ResNet Encoder => encoder;

    /// <inheritdoc/>
    public int NumSegLabels { get; }

    /// <inheritdoc/>
    public int EncoderChannels => encoder.OutChannels;

    /// <inheritdoc/>
    public int EncoderStride => encoder.OutputStride;

    /// <inheritdoc/>
    public int DecoderChannels => Channels;

    /// <inheritdoc/>
    public int DecoderStride => encoder.StageStrides[0];

    /// <summary>Creates the segmenter.</summary>
    /// <param name="depth">Encoder depth: 18, 34 or 50.</param>
    /// <param name="numSegLabels">K (parts + background).</param>
    /// <param name="outputStride">Encoder output stride, 16 (the paper) or 8.</param>
    public DeepLabV3PlusSegmenter(int depth, int numSegLabels, int outputStride = 16) : base(nameof(DeepLabV3PlusSegmenter))
    {
        if (numSegLabels < 2) throw new ArgumentOutOfRangeException(nameof(numSegLabels), "need background + ≥ 1 part");
        if (outputStride is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(outputStride), $"encoder output stride should be 8 or 16, got {outputStride}");
        NumSegLabels = numSegLabels;
        encoder = new ResNet(depth, numClasses: null, width: 64, smallStem: false, outputStride: outputStride, dilationStyle: ResNetDilationStyle.Smp);
        decoder = new DeepLabV3PlusDecoder(encoder.StageChannels[^1], encoder.StageChannels[0], Channels, AtrousRates, outputStride);
        segmentation_head = Sequential(("0", Conv2d(Channels, numSegLabels, 1)));
        RegisterComponents();
    }

    /// <summary>Part logits [B,K,H,W] for a normalised image batch [B,3,H,W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return ForwardFeatures(x).Logits.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">H or W is not divisible by the output stride.</exception>
    public SegmenterOutput ForwardFeatures(Tensor x)
    {
        long h = x.shape[^2], w = x.shape[^1];
        int os = EncoderStride;
        if (h % os != 0 || w % os != 0)
            throw new ArgumentException($"DeepLabV3+ input is {h}×{w}; expected height and width divisible by {os} (pad or resize the images)");
        using var scope = torch.NewDisposeScope();
        var features = encoder.Features(x);
        var fused = decoder.call(features.Layer4, features.Layer1);
        var logits = segmentation_head.call(fused);
        logits = functional.interpolate(logits, new[] { logits.shape[2] * Upsampling, logits.shape[3] * Upsampling },
            mode: InterpolationMode.Bilinear, align_corners: true);
        return new SegmenterOutput(logits.MoveToOuterDisposeScope(), fused.MoveToOuterDisposeScope(), features.Layer4.MoveToOuterDisposeScope());
    }
}
