using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// The part ground truth a part-aware attack needs besides the class labels.
/// </summary>
/// <param name="Masks">True part masks [B,H,W] of the attacked images (−1 = ignore), aligned with the batch.</param>
/// <param name="GuideMasks">A pool of part masks [P,H,W] of labelled images (e.g. the whole evaluation set) from which
/// <see cref="SegGuidedAttack"/> draws the mask of another class to steer towards.</param>
/// <param name="GuideLabels">Class labels [P] of <paramref name="GuideMasks"/>.</param>
public sealed record PartTruth(Tensor Masks, Tensor GuideMasks, Tensor GuideLabels)
{
    /// <summary>The same truth for the rows <paramref name="index"/> of the batch (the guide pool is kept whole).</summary>
    public PartTruth Select(Tensor index) => this with { Masks = Masks.index_select(0, index) };
}
