using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The plain ResNet-18 classification baseline: image normalisation → <see cref="ResNetBackbone"/> →
/// global average pool → linear layer. Takes images [B,3,H,W] in [0,1] and returns class logits [B,C].
/// </summary>
public sealed class ResNetClassifier : Module<Tensor, Tensor>
{
    private readonly ImageNormalization normalize;
    private readonly ResNetBackbone backbone;
    private readonly Linear fc;

    /// <summary>The feature extractor.</summary>
    public ResNetBackbone Backbone => backbone;

    /// <summary>The final linear layer (8·width → C).</summary>
    public Linear Fc => fc;

    /// <summary>Creates the classifier.</summary>
    /// <param name="numClasses">Number of classes C.</param>
    /// <param name="width">First-stage width (64 = standard).</param>
    /// <param name="smallStem">Small-input stem (3×3 stride 1, no max-pool) instead of the ImageNet stem.</param>
    public ResNetClassifier(int numClasses, int width, bool smallStem) : base(nameof(ResNetClassifier))
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses));
        normalize = new ImageNormalization();
        backbone = new ResNetBackbone(width, smallStem);
        fc = Linear(backbone.OutChannels, numClasses);
        RegisterComponents();
    }

    /// <summary>
    /// ResNet-18 (BasicBlock, [2,2,2,2]) for <paramref name="imageSize"/>-pixel inputs: the ImageNet stem
    /// (7×7 stride-2 conv + max-pool) above 64 px, the small-input stem (3×3 stride-1 conv, no max-pool) otherwise.
    /// </summary>
    /// <param name="numClasses">Number of classes C.</param>
    /// <param name="width">First-stage width (64 = standard ResNet-18; the demo uses 16).</param>
    /// <param name="imageSize">Input side in pixels; chooses the stem.</param>
    public static ResNetClassifier ResNet18(int numClasses, int width = 64, int imageSize = 224) =>
        new(numClasses, width, ResNetBackbone.UsesSmallStem(imageSize));

    /// <summary>Class logits [B,C] for images [B,3,H,W] in [0,1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var features = backbone.call(normalize.call(images));
        var pooled = features.mean(new long[] { 2, 3 });
        return fc.call(pooled).MoveToOuterDisposeScope();
    }
}
