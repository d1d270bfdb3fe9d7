using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// A part-based classifier: image normalisation → part segmenter → head that maps part logits to class logits.
/// <see cref="Module{T, TResult}.forward"/> returns class logits only (so attacks treat it like any classifier);
/// <see cref="ForwardWithParts"/> returns class and part logits for the joint segmentation/classification loss.
/// The class prediction depends on the part logits only (<see cref="IBottomUpPartModel"/>).
/// </summary>
public sealed class PartModel : Module<Tensor, Tensor>, IBottomUpPartModel
{
    private readonly ImageNormalization normalize;
    private readonly Module<Tensor, Tensor> segmenter;
    private readonly Module<Tensor, Tensor> head;

    /// <summary>The segmenter: normalised images [B,3,H,W] → part logits [B,K,H,W].</summary>
    public Module<Tensor, Tensor> Segmenter => segmenter;

    /// <summary>The head: part logits [B,K,H,W] → class logits [B,C].</summary>
    public Module<Tensor, Tensor> Head => head;

    /// <summary>Combines a segmenter and a head; normalisation (ImageNet statistics) is added in front.</summary>
    /// <param name="segmenter">Normalised images → part logits.</param>
    /// <param name="head">Part logits → class logits.</param>
    public PartModel(Module<Tensor, Tensor> segmenter, Module<Tensor, Tensor> head) : base(nameof(PartModel))
    {
        normalize = new ImageNormalization();
        this.segmenter = segmenter ?? throw new ArgumentNullException(nameof(segmenter));
        this.head = head ?? throw new ArgumentNullException(nameof(head));
        RegisterComponents();
    }

    /// <summary>Part logits [B,K,H,W] for images [B,3,H,W] in [0,1].</summary>
    public Tensor PartLogits(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return segmenter.call(normalize.call(images)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var parts = PartLogits(images);
        var classes = head.call(parts);
        return (classes.MoveToOuterDisposeScope(), parts.MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public Tensor ClassifyParts(Tensor partLogits) => head.call(partLogits);

    /// <summary>Class logits [B,C] for images [B,3,H,W] in [0,1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return head.call(PartLogits(images)).MoveToOuterDisposeScope();
    }
}
