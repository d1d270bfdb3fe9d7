using PartRobust.Attacks;
using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// The paper's TRADES objective (<c>SemiSegTRADESLoss</c>; <c>TRADESLoss</c> for a plain classifier), on a forward pass of
/// the batch [x_clean; x_adv]:
/// L = (1 − c)·CE(f(x_clean), y) + c·CE_seg(M(x_adv), S) + β·KL(softmax f(x_clean) ‖ softmax f(x_adv)),
/// with the KL summed over classes and averaged over the batch (PyTorch's <c>batchmean</c>), not scaled by 1 − c, and the
/// segmentation term on the adversarial half only. Without part logits (or with c = 0) it is CE(clean) + β·KL.
/// The segmentation term is <see cref="PartLoss.SegmentationPerSample"/> averaged over the batch, so a sample whose mask
/// was dropped (<c>--semi-label</c>) adds 0, as in <see cref="PartLoss"/>; the reference averages it over the labelled
/// samples only, which differs only when labels are dropped.
/// </summary>
public static class TradesLoss
{
    /// <summary>The loss (a scalar).</summary>
    /// <param name="cleanLogits">f(x_clean) [B,C].</param>
    /// <param name="advLogits">f(x_adv) [B,C].</param>
    /// <param name="labels">[B].</param>
    /// <param name="advPartLogits">M(x_adv) [B,K,H,W], or null for a plain classifier.</param>
    /// <param name="masks">[B,H,W] part labels (−1 = ignore); required with <paramref name="advPartLogits"/>.</param>
    /// <param name="segWeight">c in [0,1].</param>
    /// <param name="beta">β ≥ 0.</param>
    /// <param name="labelSmoothing">Label smoothing of the class cross-entropy (0 = none).</param>
    public static Tensor Compute(Tensor cleanLogits, Tensor advLogits, Tensor labels, Tensor? advPartLogits, Tensor? masks,
        double segWeight, double beta, double labelSmoothing = 0)
    {
        if (segWeight < 0 || segWeight > 1) throw new ArgumentOutOfRangeException(nameof(segWeight), "c_seg must be in [0,1]");
        if (beta < 0 || double.IsNaN(beta)) throw new ArgumentOutOfRangeException(nameof(beta), "β must be ≥ 0");
        using var scope = NewDisposeScope();
        var classLoss = nn.functional.cross_entropy(cleanLogits, labels, label_smoothing: labelSmoothing);
        var kl = TradesAttack.KlPerSample(cleanLogits, advLogits).mean(); // batchmean: Σ over classes, mean over samples
        Tensor loss;
        if (advPartLogits is null || segWeight == 0)
        {
            loss = classLoss + kl * beta;
        }
        else
        {
            if (masks is null) throw new ArgumentNullException(nameof(masks), "part logits need masks");
            var seg = PartLoss.SegmentationPerSample(advPartLogits, masks).mean();
            loss = classLoss * (1 - segWeight) + seg * segWeight + kl * beta;
        }
        return loss.MoveToOuterDisposeScope();
    }
}
