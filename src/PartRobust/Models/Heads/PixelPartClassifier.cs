using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>How <see cref="PixelPartClassifier"/> turns per-class logit maps into class logits.</summary>
public enum PixelMode
{
    /// <summary>Spatial mean of each class's summed part logits (the reference's default).</summary>
    Mean,

    /// <summary>Foreground-weighted sum of the softmax over classes of the class logit maps (reference token <c>softmax_mask</c>).</summary>
    ForegroundSoftmax,

    /// <summary>Foreground-weighted sum of the raw class logit maps (reference token <c>logits_mask</c>).</summary>
    ForegroundLogits,
}

/// <summary>
/// The paper's "Pixel" head (<c>PixelCountModel</c>, experiment <c>part-pixel[-softmax_mask|-logits_mask]-semi</c>); it has
/// no learned parameters. From part logits [B,K,H,W] (channel 0 = background) it sums the part logits of each class,
/// z_c = Σ_{k: class(k) = c} logit_k, giving class logit maps [B,C,H,W], and returns class logits [B,C]:
/// <list type="bullet">
/// <item><see cref="PixelMode.Mean"/>: out_c = mean over pixels of z_c;</item>
/// <item>foreground modes: fg = sigmoid(Σ_{k≥1} logit_k − logit_0), divided by its sum over pixels (clamped ≥ 1e-6);
/// out_c = Σ_pixels m_c·fg with m = softmax over the C classes of z (<see cref="PixelMode.ForegroundSoftmax"/>) or
/// m = z (<see cref="PixelMode.ForegroundLogits"/>).</item>
/// </list>
/// Background labels (class −1) belong to no class; a class without parts gets logit 0 (mean mode).
/// </summary>
public sealed class PixelPartClassifier : Module<Tensor, Tensor>
{
    /// <summary>Clamp on the foreground normaliser (the reference's 1e-6).</summary>
    public const double MassEpsilon = 1e-6;

    private readonly Tensor partToClass;

    /// <summary>Number of segmentation labels K the head expects.</summary>
    public int NumSegLabels { get; }

    /// <summary>Number of classes C.</summary>
    public int NumClasses { get; }

    /// <summary>The pooling mode.</summary>
    public PixelMode Mode { get; }

    /// <summary>Creates the head.</summary>
    /// <param name="partClass">For each of the K labels its class in 0..C−1, or −1 for background; label 0 must be background.</param>
    /// <param name="numClasses">C.</param>
    /// <param name="mode">How class logit maps become class logits.</param>
    /// <exception cref="ArgumentException">A part-to-class map that is not of that form.</exception>
    public PixelPartClassifier(IReadOnlyList<int> partClass, int numClasses, PixelMode mode = PixelMode.Mean) : base(nameof(PixelPartClassifier))
    {
        ArgumentNullException.ThrowIfNull(partClass);
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses));
        if (partClass.Count < 2) throw new ArgumentException($"the Pixel head needs background + ≥ 1 part labels, got {partClass.Count}");
        if (partClass[0] != -1) throw new ArgumentException($"the Pixel head needs label 0 to be background (class −1), got class {partClass[0]}");
        for (int k = 0; k < partClass.Count; k++)
            if (partClass[k] < -1 || partClass[k] >= numClasses)
                throw new ArgumentException($"part_class[{k}] = {partClass[k]}: expected −1 (background) or a class in 0..{numClasses - 1}");
        NumSegLabels = partClass.Count;
        NumClasses = numClasses;
        Mode = mode;
        var matrix = new float[partClass.Count * numClasses];   // [K,C] one-hot rows; background rows are zero
        for (int k = 0; k < partClass.Count; k++)
            if (partClass[k] >= 0) matrix[k * numClasses + partClass[k]] = 1f;
        partToClass = torch.tensor(matrix).reshape(partClass.Count, numClasses);
        partToClass.DetachFromDisposeScope();
        // A constant of the dataset, rebuilt from the model spec: not part of checkpoints.
        register_buffer(nameof(partToClass), partToClass, persistent: false);
        RegisterComponents();
    }

    /// <summary>Per-class logit maps [B,C,H,W]: the sum of each class's part logits.</summary>
    public Tensor ClassLogitMaps(Tensor partLogits)
    {
        if (partLogits.dim() != 4) throw new ArgumentException($"expected part logits [B,K,H,W], got [{string.Join(",", partLogits.shape)}]");
        if (partLogits.shape[1] != NumSegLabels) throw new ArgumentException($"expected K = {NumSegLabels} channels, got {partLogits.shape[1]}");
        using var scope = torch.NewDisposeScope();
        var m = partToClass.to(partLogits.dtype, partLogits.device);
        return torch.einsum("bkhw,kc->bchw", partLogits, m).MoveToOuterDisposeScope();
    }

    /// <summary>The foreground weight [B,1,H,W]: sigmoid(Σ_{k≥1} logit_k − logit_0), summing to 1 over the pixels.</summary>
    public Tensor ForegroundWeight(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        var fg = torch.sigmoid(partLogits.narrow(1, 1, partLogits.shape[1] - 1).sum(1, keepdim: true) - partLogits.narrow(1, 0, 1));
        return (fg / fg.sum(new long[] { 2, 3 }, keepdim: true).clamp_min(MassEpsilon)).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [B,C] for part logits [B,K,H,W].</summary>
    public override Tensor forward(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        var z = ClassLogitMaps(partLogits);
        if (Mode == PixelMode.Mean) return z.mean(new long[] { 2, 3 }).MoveToOuterDisposeScope();
        var classMask = Mode == PixelMode.ForegroundSoftmax ? functional.softmax(z, 1) : z;
        return (classMask * ForegroundWeight(partLogits)).sum(new long[] { 2, 3 }).MoveToOuterDisposeScope();
    }
}
