using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The paper's ResNet-on-masks head (<c>PartMaskModel</c>, part_mask_model.py, experiment token <c>mask</c>): part logits
/// [B,K,H,W] → softmax over K → (background channel 0 dropped unless <see cref="Background"/>) → a ResNet whose conv1
/// takes the K or K−1 mask channels and whose fc outputs the C classes. The masks are not normalised. Parameter names:
/// <c>resnet.*</c>, torchvision's ResNet names below that (the authors' <c>core_model.*</c>).
/// </summary>
public sealed class MaskResNetPartClassifier : Module<Tensor, Tensor>
{
    private readonly ResNet resnet;

    /// <summary>K, the number of segmentation labels the head expects (background included).</summary>
    public int NumSegLabels { get; }

    /// <summary>Whether the background mask is part of the ResNet's input.</summary>
    public bool Background { get; }

    /// <summary>The ResNet on the masks.</summary>
    public ResNet ResNet => resnet;

    /// <summary>Creates the head.</summary>
    /// <param name="numSegLabels">K (parts + background; background is label 0).</param>
    /// <param name="numClasses">C.</param>
    /// <param name="width">First-stage width of the ResNet (64 = torchvision).</param>
    /// <param name="imageSize">Mask side in pixels; chooses the stem as for the image classifiers.</param>
    /// <param name="background">Keep the background mask (false drops channel 0, the authors' <c>nobg</c>).</param>
    /// <param name="depth">ResNet depth (the paper's <c>--arch</c>; 18 here by default).</param>
    public MaskResNetPartClassifier(int numSegLabels, int numClasses, int width, int imageSize, bool background = true, int depth = 18)
        : base(nameof(MaskResNetPartClassifier))
    {
        if (numSegLabels < 2) throw new ArgumentOutOfRangeException(nameof(numSegLabels), "need background + ≥ 1 part");
        NumSegLabels = numSegLabels;
        Background = background;
        resnet = new ResNet(depth, numClasses, width, ResNet.UsesSmallStem(imageSize), inChannels: background ? numSegLabels : numSegLabels - 1);
        RegisterComponents();
    }

    /// <summary>The ResNet's input: softmax masks [B,K,H,W], or [B,K−1,H,W] without background.</summary>
    public Tensor Masks(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        var masks = functional.softmax(partLogits, 1);
        if (!Background) masks = masks[.., 1..];
        return masks.MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [B,C] for part logits [B,K,H,W].</summary>
    public override Tensor forward(Tensor partLogits)
    {
        using var scope = torch.NewDisposeScope();
        return resnet.call(Masks(partLogits)).MoveToOuterDisposeScope();
    }
}
