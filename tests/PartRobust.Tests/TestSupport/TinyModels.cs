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
public sealed class TinyPartModel : nn.Module<Tensor, Tensor>, IPartModel
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
        var pooled = parts.softmax(1).mean(new long[] { 2, 3 });
        return (head.call(pooled), parts);
    }

    public override Tensor forward(Tensor x) => ForwardWithParts(x).ClassLogits;
}
