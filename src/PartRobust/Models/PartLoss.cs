using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// The paper's joint loss (SemiSumLoss): (1 − c)·CE(class) + c·mean-over-pixels CE(parts), per sample, then
/// averaged over the batch. Pixels labelled −1 are ignored, and a sample with no labelled pixel contributes
/// its class term only (its segmentation term is 0), as for images whose mask was dropped.
/// </summary>
public static class PartLoss
{
    /// <summary>Ignored mask label.</summary>
    public const long IgnoreLabel = -1;

    /// <summary>The joint loss; <paramref name="partLogits"/> may be null for a plain classifier (then CE only).</summary>
    /// <param name="classLogits">[B,C].</param>
    /// <param name="labels">[B] class labels.</param>
    /// <param name="partLogits">[B,K,H,W] or null.</param>
    /// <param name="masks">[B,H,W] part labels with −1 = ignore; required with <paramref name="partLogits"/>.</param>
    /// <param name="segWeight">c in [0,1].</param>
    /// <param name="labelSmoothing">Label smoothing of the class cross-entropy (0 = none, the default and the paper's).</param>
    public static Tensor Compute(Tensor classLogits, Tensor labels, Tensor? partLogits, Tensor? masks, double segWeight, double labelSmoothing = 0)
    {
        using var scope = NewDisposeScope();
        return PerSample(classLogits, labels, partLogits, masks, segWeight, labelSmoothing).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The joint loss of each sample [B] (what <see cref="Compute"/> averages); attacks maximise it per sample.</summary>
    public static Tensor PerSample(Tensor classLogits, Tensor labels, Tensor? partLogits, Tensor? masks, double segWeight, double labelSmoothing = 0)
    {
        if (segWeight < 0 || segWeight > 1) throw new ArgumentOutOfRangeException(nameof(segWeight), "c_seg must be in [0,1]");
        using var scope = NewDisposeScope();
        var classLoss = nn.functional.cross_entropy(classLogits, labels, reduction: nn.Reduction.None, label_smoothing: labelSmoothing);
        if (partLogits is null || segWeight == 0)
            return classLoss.MoveToOuterDisposeScope();
        if (masks is null) throw new ArgumentNullException(nameof(masks), "part logits need masks");
        var total = classLoss * (1 - segWeight) + SegmentationPerSample(partLogits, masks) * segWeight;
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>Mean pixel cross-entropy of each sample [B] over its labelled pixels (0 for a sample with none).</summary>
    public static Tensor SegmentationPerSample(Tensor partLogits, Tensor masks)
    {
        using var scope = NewDisposeScope();
        var pixelLoss = nn.functional.cross_entropy(partLogits, masks, ignore_index: IgnoreLabel, reduction: nn.Reduction.None);
        var valid = masks.ne(IgnoreLabel).to_type(pixelLoss.dtype);
        return (pixelLoss.flatten(1).sum(1) / valid.flatten(1).sum(1).clamp_min(1.0)).MoveToOuterDisposeScope();
    }
}
