using PartRobust.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Tests.TestSupport;

/// <summary>Flatten then one affine layer: logits = W·x + b, so worst cases are analytic.</summary>
public sealed class AffineClassifier : nn.Module<Tensor, Tensor>
{
    readonly Linear fc;

    public AffineClassifier(int inputs, int classes, Tensor? weight = null, Tensor? bias = null) : base(nameof(AffineClassifier))
    {
        fc = nn.Linear(inputs, classes);
        if (weight is not null) using (no_grad()) fc.weight!.copy_(weight);
        if (bias is not null) using (no_grad()) fc.bias!.copy_(bias);
        RegisterComponents();
    }

    public Tensor Weight => fc.weight!;
    public Tensor Bias => fc.bias!;

    public override Tensor forward(Tensor x) => fc.call(x.flatten(1));
}

/// <summary>A tiny conv net classifier for property tests and training smoke tests.</summary>
public sealed class TinyConvClassifier : nn.Module<Tensor, Tensor>
{
    readonly Sequential body;

    public TinyConvClassifier(int classes, int width = 8) : base(nameof(TinyConvClassifier))
    {
        body = nn.Sequential(nn.Conv2d(3, width, 3, padding: 1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x);
}

/// <summary>A tiny part model: 1×1 conv segmenter, pooled masks to classes.</summary>
public sealed class TinyPartModel : nn.Module<Tensor, Tensor>, IBottomUpPartModel
{
    readonly Sequential seg;
    readonly Linear head;

    public TinyPartModel(int classes, int segLabels) : base(nameof(TinyPartModel))
    {
        seg = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.ReLU(), nn.Conv2d(8, segLabels, 1));
        head = nn.Linear(segLabels, classes);
        RegisterComponents();
    }

    public (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images)
    {
        var parts = seg.call(images);
        return (ClassifyParts(parts), parts);
    }

    public Tensor ClassifyParts(Tensor partLogits) => head.call(partLogits.softmax(1).mean(new long[] { 2, 3 }));

    public override Tensor forward(Tensor x) => ForwardWithParts(x).ClassLogits;
}

/// <summary>
/// A part model that is affine end to end: a 1×1 conv segmenter (part logits = S·x_pixel + s) and a linear head on
/// the spatial mean of the part logits, so class logits are affine in the image and worst cases are analytic.
/// </summary>
public sealed class AffinePartModel : nn.Module<Tensor, Tensor>, IBottomUpPartModel
{
    readonly Conv2d seg;
    readonly Linear head;

    public AffinePartModel(int classes, int segLabels, Generator g) : base(nameof(AffinePartModel))
    {
        seg = nn.Conv2d(3, segLabels, 1);
        head = nn.Linear(segLabels, classes);
        using (no_grad())
        {
            seg.weight!.copy_(randn(seg.weight!.shape, generator: g));
            seg.bias!.copy_(randn(seg.bias!.shape, generator: g) * 0.1);
            head.weight!.copy_(randn(head.weight!.shape, generator: g));
            head.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>d logits / d x per class: [C,3] (the same for every pixel, divided by H·W).</summary>
    public Tensor ChannelGradient()
    {
        using var _ = no_grad();
        return head.weight!.matmul(seg.weight!.flatten(1));
    }

    public (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images)
    {
        var parts = seg.call(images);
        return (ClassifyParts(parts), parts);
    }

    public Tensor ClassifyParts(Tensor partLogits) => head.call(partLogits.mean(new long[] { 2, 3 }));

    public override Tensor forward(Tensor x) => ForwardWithParts(x).ClassLogits;
}

/// <summary>
/// A tiny multi-task part model: a shared conv feature, a 1×1 segmentation head and a class head on the pooled feature,
/// so it is a part model whose class does not come from the mask (like the two-headed model).
/// </summary>
public sealed class TinyTwoHeadModel : nn.Module<Tensor, Tensor>, IPartModel
{
    readonly Sequential body;
    readonly Conv2d seg;
    readonly Linear head;

    public TinyTwoHeadModel(int classes, int segLabels) : base(nameof(TinyTwoHeadModel))
    {
        body = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.ReLU());
        seg = nn.Conv2d(8, segLabels, 1);
        head = nn.Linear(8, classes);
        RegisterComponents();
    }

    public (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images)
    {
        var f = body.call(images);
        return (head.call(f.mean(new long[] { 2, 3 })), seg.call(f));
    }

    public override Tensor forward(Tensor x) => ForwardWithParts(x).ClassLogits;
}

/// <summary>Always predicts class <c>k</c>: its accuracy on any set is the fraction of label k, known in advance.</summary>
public sealed class ConstantClassifier : nn.Module<Tensor, Tensor>
{
    readonly int _classes, _k;

    public ConstantClassifier(int classes, int k) : base(nameof(ConstantClassifier)) { (_classes, _k) = (classes, k); RegisterComponents(); }

    public override Tensor forward(Tensor x) => nn.functional.one_hot(full(x.shape[0], (long)_k, dtype: ScalarType.Int64, device: x.device), _classes).to_type(ScalarType.Float32);
}

/// <summary>
/// Predicts class 1 when the image's mean is above <c>threshold</c>, else 0: a model whose accuracy a brightness or
/// contrast change moves in a known direction.
/// </summary>
public sealed class MeanThresholdClassifier : nn.Module<Tensor, Tensor>
{
    readonly double _threshold;
    readonly int _classes;

    public MeanThresholdClassifier(int classes, double threshold) : base(nameof(MeanThresholdClassifier)) { (_classes, _threshold) = (classes, threshold); RegisterComponents(); }

    public override Tensor forward(Tensor x)
    {
        var bright = x.mean(new long[] { 1, 2, 3 }).gt(_threshold).to_type(ScalarType.Int64);
        return nn.functional.one_hot(bright, _classes).to_type(ScalarType.Float32);
    }
}
