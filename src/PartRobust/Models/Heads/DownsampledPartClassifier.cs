using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The paper's "Downsampled" head (<c>PoolingModel</c>, experiment <c>part-pooling-N-semi</c>): part logits
/// [B,K,H,W] → softmax over K → AdaptiveAvgPool2d(N) → Conv2d(K, 5K, N×N) → BatchNorm2d(5K) → ReLU → Flatten →
/// Linear(5K,50) → BatchNorm1d(50) → ReLU → Linear(50,C). Output: class logits [B,C].
/// <para>By default the background channel is kept (as the paper's scripts effectively do). With
/// <c>background: false</c> channel 0 of the softmaxed masks is dropped before pooling (softmax still over all K), so
/// the layers see K' = K−1 channels: Conv2d(K', 5K', N×N), BatchNorm2d(5K'), Linear(5K',50) — the reference's
/// <c>nobg</c> option, which its <c>no_bg</c> scripts never switched on.</para>
/// </summary>
public sealed class DownsampledPartClassifier : Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d pool;
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn2d;
    private readonly Linear fc1;
    private readonly BatchNorm1d bn1d;
    private readonly Linear fc2;

    /// <summary>Number of segmentation labels K the head expects.</summary>
    public int NumSegLabels { get; }

    /// <summary>Whether the background channel is fed to the layers (false: K−1 input channels).</summary>
    public bool Background { get; }

    /// <summary>N of the N×N pooling grid.</summary>
    public int PoolSize { get; }

    /// <summary>The Conv2d(K', 5K', N×N) layer (exposed for tests and inspection).</summary>
    public Conv2d Conv => conv;

    /// <summary>BatchNorm2d(5K').</summary>
    public BatchNorm2d Bn2d => bn2d;

    /// <summary>Linear(5K', 50).</summary>
    public Linear Fc1 => fc1;

    /// <summary>BatchNorm1d(50).</summary>
    public BatchNorm1d Bn1d => bn1d;

    /// <summary>Linear(50, C).</summary>
    public Linear Fc2 => fc2;

    /// <summary>Creates the head.</summary>
    /// <param name="numSegLabels">K (parts + background).</param>
    /// <param name="numClasses">C.</param>
    /// <param name="poolSize">N (the paper uses 4).</param>
    /// <param name="background">Keep the background channel (default); false drops it (needs K ≥ 2).</param>
    public DownsampledPartClassifier(int numSegLabels, int numClasses, int poolSize = 4, bool background = true) : base(nameof(DownsampledPartClassifier))
    {
        if (numSegLabels < (background ? 1 : 2)) throw new ArgumentOutOfRangeException(nameof(numSegLabels), background ? "need ≥ 1 label" : "need background + ≥ 1 part to drop the background");
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses));
        if (poolSize < 1) throw new ArgumentOutOfRangeException(nameof(poolSize));
        NumSegLabels = numSegLabels;
        PoolSize = poolSize;
        Background = background;
        int k = background ? numSegLabels : numSegLabels - 1;
        pool = AdaptiveAvgPool2d(poolSize);
        conv = Conv2d(k, 5 * k, poolSize);
        bn2d = BatchNorm2d(5 * k);
        fc1 = Linear(5 * k, 50);
        bn1d = BatchNorm1d(50);
        fc2 = Linear(50, numClasses);
        RegisterComponents();
    }

    /// <summary>Softmax masks pooled to [B,K',N,N] (K' = K, or K−1 without the background).</summary>
    public Tensor PooledMasks(Tensor partLogits)
    {
        if (partLogits.dim() != 4 || partLogits.shape[1] != NumSegLabels)
            throw new ArgumentException($"expected part logits [B,{NumSegLabels},H,W], got [{string.Join(",", partLogits.shape)}]");
        using var scope = torch.NewDisposeScope();
        var masks = functional.softmax(partLogits, 1);
        if (!Background) masks = masks.narrow(1, 1, NumSegLabels - 1);
        return pool.call(masks).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [B,C] for part logits [B,K,H,W].</summary>
    public override Tensor forward(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn2d.call(conv.call(PooledMasks(partLogits))));
        y = y.flatten(1);
        y = functional.relu(bn1d.call(fc1.call(y)));
        return fc2.call(y).MoveToOuterDisposeScope();
    }
}
