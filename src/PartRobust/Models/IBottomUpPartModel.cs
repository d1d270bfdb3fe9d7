using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// A bottom-up part model: its class prediction is a function of the part logits alone (a "tiny classifier" on the
/// mask), as in the Downsampled, Bounding-Box and Pixel models. The attacks that work through the mask
/// (seg-guided, seg-inverse) need this; a multi-task model whose class head reads segmenter features
/// (<see cref="TwoHeadedPartModel"/>) is a part model but not a bottom-up one.
/// </summary>
public interface IBottomUpPartModel : IPartModel
{
    /// <summary>The tiny classifier alone: class logits [B,C] for part logits [B,K,H,W].</summary>
    Tensor ClassifyParts(Tensor partLogits);
}
