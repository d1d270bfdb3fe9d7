using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// What a part segmenter gives besides its logits: the decoder output (read by the two-headed model's class head) and
/// the encoder's last feature map (read by its encoder-side variant). Tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Logits">Part logits [B,K,H,W] at the input size.</param>
/// <param name="Decoder">The decoder output the 1×1 segmentation head reads [B,DecoderChannels,H/DecoderStride,W/DecoderStride].</param>
/// <param name="Encoder">The encoder's last stage [B,EncoderChannels,H/EncoderStride,W/EncoderStride].</param>
public readonly record struct SegmenterOutput(Tensor Logits, Tensor Decoder, Tensor Encoder);

/// <summary>
/// A part segmenter: <b>normalised</b> images [B,3,H,W] → part logits [B,K,H,W] (its ordinary forward), plus the
/// intermediate features some part-model heads use. Built by name from <see cref="SegmenterRegistry"/>.
/// </summary>
public interface IPartSegmenter
{
    /// <summary>K, the number of segmentation labels including background.</summary>
    int NumSegLabels { get; }

    /// <summary>Channels of <see cref="SegmenterOutput.Encoder"/>.</summary>
    int EncoderChannels { get; }

    /// <summary>Input pixels per encoder-feature pixel (the output stride).</summary>
    int EncoderStride { get; }

    /// <summary>Channels of <see cref="SegmenterOutput.Decoder"/>.</summary>
    int DecoderChannels { get; }

    /// <summary>Input pixels per decoder-output pixel.</summary>
    int DecoderStride { get; }

    /// <summary>Logits and intermediate features for a normalised image batch.</summary>
    SegmenterOutput ForwardFeatures(Tensor normalizedImages);
}
