using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The paper's "Bounding-Box" head (<c>WeightedBBoxModel</c> with <c>norm_img</c>, experiment
/// <c>part-wbbox-norm_img-semi</c>). From part logits [B,K,H,W] (channel 0 = background) it computes per part
/// k = 1..K−1 the features [s_k, x̄_k, ȳ_k, σx_k, σy_k] (see <see cref="Features"/>), flattens them part by part to
/// 5(K−1) values and applies BatchNorm1d(5(K−1)) → Linear(5(K−1),50) → ReLU → BatchNorm1d(50) → Linear(50,C).
/// <para>Background: the features are per part k ≥ 1 only, so the head never takes the background channel as a part;
/// it uses the background logit only in the foreground weight, and the softmax runs over all K labels. The model
/// option <c>background = false</c> (<see cref="ModelSpec.Background"/>) therefore changes nothing here, as in the
/// reference, whose <c>wbbox</c> model ignores <c>nobg</c>.</para>
/// <para>The features are the reference's formula exactly (<c>weighted_bbox_model.py</c>): 1e-6 is added to every
/// row/column marginal and to the mass, and there is no epsilon inside the square root (the marginal epsilon keeps every
/// variance positive when H, W &gt; 1). For a part absent from the image (most of PartImageNet's 40 parts in any one
/// image) this matters: its marginals are all ≈ 1e-6, so its centroid is ≈ Σx = W(W−1)/2 and its spread large, values
/// the trained head relies on; dropping the marginal epsilon would put it at 0 instead. The one deviation: x uses
/// <c>arange(W)</c> and y <c>arange(H)</c> (the reference uses <c>arange(H)</c> for both, so it only works for H = W);
/// x is normalised by W and y by H, as in the reference.</para>
/// </summary>
public sealed class BoundingBoxPartClassifier : Module<Tensor, Tensor>
{
    /// <summary>Added to each part's mass Σ p_k and to each of its row/column marginals (the reference's 1e-6), and the clamp on the foreground normaliser.</summary>
    public const double MassEpsilon = 1e-6;

    private readonly BatchNorm1d bn_in;
    private readonly Linear fc1;
    private readonly BatchNorm1d bn_hidden;
    private readonly Linear fc2;

    /// <summary>Number of segmentation labels K the head expects.</summary>
    public int NumSegLabels { get; }

    /// <summary>Creates the head.</summary>
    /// <param name="numSegLabels">K (parts + background), at least 2.</param>
    /// <param name="numClasses">C.</param>
    public BoundingBoxPartClassifier(int numSegLabels, int numClasses) : base(nameof(BoundingBoxPartClassifier))
    {
        if (numSegLabels < 2) throw new ArgumentOutOfRangeException(nameof(numSegLabels), "need background + ≥ 1 part");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses));
        NumSegLabels = numSegLabels;
        int d = 5 * (numSegLabels - 1);
        bn_in = BatchNorm1d(d);
        fc1 = Linear(d, 50);
        bn_hidden = BatchNorm1d(50);
        fc2 = Linear(50, numClasses);
        RegisterComponents();
    }

    /// <summary>
    /// Per-part features [B, K−1, 5] = [s, x̄, ȳ, σx, σy] for part logits [B,K,H,W]:
    /// <list type="number">
    /// <item>p = softmax(logits, dim 1)[:, 1:] (background dropped);</item>
    /// <item>fg = sigmoid(Σ_{k≥1} logit_k − logit_0), divided by its sum over pixels (clamped ≥ 1e-6);</item>
    /// <item>s_k = Σ_pixels logit_k · fg;</item>
    /// <item>m_k = Σ_pixels p_k + 1e-6; column marginals u_k(x) = Σ_y p_k + 1e-6 and row marginals v_k(y) likewise;
    /// x̄_k = Σ_x x·u_k(x)/m_k with x = 0..W−1, ȳ_k likewise with y = 0..H−1 and v_k;
    /// σx_k = sqrt(Σ_x (x−x̄_k)²·u_k(x)/m_k), σy_k likewise;</item>
    /// <item>norm_img: x̄ → x̄/W·2−1, ȳ → ȳ/H·2−1, σx → σx/W·2, σy → σy/H·2.</item>
    /// </list>
    /// </summary>
    public Tensor Features(Tensor partLogits)
    {
        if (partLogits.dim() != 4) throw new ArgumentException($"expected part logits [B,K,H,W], got [{string.Join(",", partLogits.shape)}]");
        if (partLogits.shape[1] != NumSegLabels) throw new ArgumentException($"expected K = {NumSegLabels} channels, got {partLogits.shape[1]}");
        long h = partLogits.shape[2], w = partLogits.shape[3];
        // With one row or column the variance is exactly 0 and the square root has no gradient there.
        if (h < 2 || w < 2) throw new ArgumentException($"expected part logits at least 2×2, got {h}×{w}");
        using var scope = torch.NewDisposeScope();
        var masks = functional.softmax(partLogits, 1).narrow(1, 1, NumSegLabels - 1);     // [B,K-1,H,W]
        var partLogitsNoBg = partLogits.narrow(1, 1, NumSegLabels - 1);
        var fg = torch.sigmoid(partLogitsNoBg.sum(1, keepdim: true) - partLogits.narrow(1, 0, 1)); // [B,1,H,W]
        fg = fg / fg.sum(new long[] { 2, 3 }, keepdim: true).clamp_min(MassEpsilon);
        var scores = (partLogitsNoBg * fg).sum(new long[] { 2, 3 });                        // [B,K-1]

        var mass = masks.sum(new long[] { 2, 3 }) + MassEpsilon;                            // [B,K-1]
        var marginalX = masks.sum(2) + MassEpsilon;                                         // [B,K-1,W]
        var marginalY = masks.sum(3) + MassEpsilon;                                         // [B,K-1,H]
        var gridX = torch.arange(w, dtype: partLogits.dtype, device: partLogits.device);
        var gridY = torch.arange(h, dtype: partLogits.dtype, device: partLogits.device);
        var centerX = (marginalX * gridX).sum(2) / mass;
        var centerY = (marginalY * gridY).sum(2) / mass;
        var varX = (marginalX * (gridX - centerX.unsqueeze(-1)).square()).sum(2) / mass;
        var varY = (marginalY * (gridY - centerY.unsqueeze(-1)).square()).sum(2) / mass;
        var sdX = varX.sqrt();
        var sdY = varY.sqrt();

        centerX = centerX / w * 2 - 1;
        centerY = centerY / h * 2 - 1;
        sdX = sdX / w * 2;
        sdY = sdY / h * 2;
        return torch.stack(new[] { scores, centerX, centerY, sdX, sdY }, 2).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [B,C] for part logits [B,K,H,W].</summary>
    public override Tensor forward(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        var y = Features(partLogits).flatten(1);
        y = bn_in.call(y);
        y = functional.relu(fc1.call(y));
        y = bn_hidden.call(y);
        return fc2.call(y).MoveToOuterDisposeScope();
    }
}
