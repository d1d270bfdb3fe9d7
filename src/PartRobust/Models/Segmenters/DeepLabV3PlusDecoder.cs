using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// smp 0.3.0's <c>DeepLabV3PlusDecoder</c> (decoders/deeplabv3/decoder.py): <c>aspp</c> = Sequential(separable
/// <see cref="Aspp"/>, separable 3×3 conv, BN, ReLU) on the last encoder feature, upsampled ×4 (×2 at output stride 8)
/// bilinearly with align_corners=True (smp's <c>nn.UpsamplingBilinear2d</c>); <c>block1</c> = 1×1 conv → 48 channels
/// –BN–ReLU on the stride-4 feature (smp's <c>features[-4]</c>, layer1's output); concatenation [aspp, block1] →
/// <c>block2</c> = separable 3×3 conv (out+48 → out)–BN–ReLU. Default PyTorch initialisation (smp 0.3.0's
/// DeepLabV3Plus never calls its <c>initialize()</c>).
/// </summary>
public sealed class DeepLabV3PlusDecoder : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Channels of the stride-4 projection, "proposed by the authors of the paper" (smp).</summary>
    public const int HighResChannels = 48;

    private readonly Sequential aspp;
    private readonly Sequential block1;
    private readonly Sequential block2;
    private readonly int upScale;

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Creates the decoder.</summary>
    /// <param name="highChannels">Channels of the last encoder feature (<c>encoder_channels[-1]</c>).</param>
    /// <param name="lowChannels">Channels of the stride-4 feature (<c>encoder_channels[-4]</c>).</param>
    /// <param name="outChannels">ASPP and decoder channels (256).</param>
    /// <param name="atrousRates">ASPP rates ((12, 24, 36)).</param>
    /// <param name="outputStride">Encoder output stride, 8 or 16.</param>
    public DeepLabV3PlusDecoder(int highChannels, int lowChannels, int outChannels, IReadOnlyList<int> atrousRates, int outputStride)
        : base(nameof(DeepLabV3PlusDecoder))
    {
        if (outputStride is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(outputStride), $"output stride should be 8 or 16, got {outputStride}");
        OutChannels = outChannels;
        upScale = outputStride == 8 ? 2 : 4;
        aspp = Sequential(
            ("0", new Aspp(highChannels, outChannels, atrousRates, separable: true)),
            ("1", SeparableConv2d.Create(outChannels, outChannels, 3, padding: 1, bias: false)),
            ("2", BatchNorm2d(outChannels)),
            ("3", ReLU()));
        block1 = Sequential(
            ("0", Conv2d(lowChannels, HighResChannels, 1, bias: false)),
            ("1", BatchNorm2d(HighResChannels)),
            ("2", ReLU()));
        block2 = Sequential(
            ("0", SeparableConv2d.Create(HighResChannels + outChannels, outChannels, 3, padding: 1, bias: false)),
            ("1", BatchNorm2d(outChannels)),
            ("2", ReLU()));
        RegisterComponents();
    }

    /// <summary>Fused features [B,out,H/4,W/4] from the last encoder feature and the stride-4 feature.</summary>
    public override Tensor forward(Tensor high, Tensor low)
    {
        using var scope = torch.NewDisposeScope();
        var context = aspp.call(high);
        context = functional.interpolate(context, new[] { context.shape[2] * upScale, context.shape[3] * upScale },
            mode: InterpolationMode.Bilinear, align_corners: true);
        var highRes = block1.call(low);
        return block2.call(torch.cat(new[] { context, highRes }, 1)).MoveToOuterDisposeScope();
    }
}
