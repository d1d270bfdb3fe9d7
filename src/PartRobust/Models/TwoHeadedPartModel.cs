using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>Where the class head of a <see cref="TwoHeadedPartModel"/> reads its input.</summary>
public enum TwoHeadedVariant
{
    /// <summary>The segmenter's decoder output (reference <c>2heads_d</c>).</summary>
    Decoder,

    /// <summary>The encoder's last feature map (reference <c>2heads_e</c>).</summary>
    Encoder,
}

/// <summary>
/// The paper's "Two-headed" model (<c>TwoHeadModel</c>, experiments <c>part-2heads_d-semi</c> / <c>part-2heads_e-semi</c>):
/// multi-task, not bottom-up — a class head on segmenter features beside the segmentation head, so the class does not
/// depend on the part mask alone (it is an <see cref="IPartModel"/> but not an <see cref="IBottomUpPartModel"/>).
/// <list type="bullet">
/// <item><see cref="TwoHeadedVariant.Decoder"/>: on the decoder output [B,Dc,s,s]: Conv3×3(Dc→50, no padding) → BN → ReLU →
/// MaxPool2 → Conv1×1(50→10) → BN → ReLU → MaxPool2 → Flatten (10·t·t, t = ⌊⌊(s−2)/2⌋/2⌋) → Linear(·,100) → ReLU →
/// Linear(100,C); at 224 px with stride 4, s = 56 and 10·13·13 = 1690 features, as in the reference.</item>
/// <item><see cref="TwoHeadedVariant.Encoder"/>: on the encoder's last feature [B,Ec,h,w]: AdaptiveAvgPool2d(4) → BN(Ec) →
/// ReLU → Conv2d(Ec,64,4×4) → BN(64) → ReLU → Flatten → Linear(64,C).</item>
/// </list>
/// Images in [0,1] are normalised inside. <see cref="ForwardWithParts"/> returns (class logits of the class head, part
/// logits of the segmentation head) — the reference's <c>2heads_e</c> returned the masks as class logits (the authors' part-model code).
/// </summary>
public sealed class TwoHeadedPartModel : Module<Tensor, Tensor>, IPartModel
{
    private readonly ImageNormalization normalize;
    private readonly Module<Tensor, Tensor> segmenter;
    private readonly Sequential class_head;
    private readonly long decoderFeatures;

    /// <summary>Where the class head reads.</summary>
    public TwoHeadedVariant Variant { get; }

    /// <summary>The segmenter (normalised images → part logits, with its features).</summary>
    public Module<Tensor, Tensor> Segmenter => segmenter;

    /// <summary>The class head (segmenter features → class logits).</summary>
    public Sequential ClassHead => class_head;

    /// <summary>Builds the model on <paramref name="segmenter"/>.</summary>
    /// <param name="segmenter">A segmenter that also implements <see cref="IPartSegmenter"/>.</param>
    /// <param name="numClasses">C.</param>
    /// <param name="imageSize">Input side in pixels (fixes the decoder size the decoder head's linear layer expects).</param>
    /// <param name="variant">Where the class head reads.</param>
    /// <exception cref="ArgumentException">The segmenter exposes no features, or the decoder output is too small for the decoder head.</exception>
    public TwoHeadedPartModel(Module<Tensor, Tensor> segmenter, int numClasses, int imageSize, TwoHeadedVariant variant) : base(nameof(TwoHeadedPartModel))
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses));
        // Not kept in a field of its own: RegisterComponents would register the segmenter a second time.
        var features = segmenter as IPartSegmenter
                   ?? throw new ArgumentException($"the two-headed model needs a segmenter that exposes its features (IPartSegmenter); {segmenter.GetName()} does not");
        normalize = new ImageNormalization();
        this.segmenter = segmenter;
        Variant = variant;
        if (variant == TwoHeadedVariant.Decoder)
        {
            long s = DecoderSide(imageSize, features.DecoderStride);
            long t = (s - 2) / 2 / 2;
            if (t < 1)
                throw new ArgumentException($"the decoder-side two-headed model needs a decoder output of at least 6×6; --image-size {imageSize} gives {s}×{s}");
            decoderFeatures = 10 * t * t;
            class_head = Sequential(
                ("conv1", Conv2d(features.DecoderChannels, 50, 3)),
                ("bn1", BatchNorm2d(50)),
                ("relu1", ReLU()),
                ("pool1", MaxPool2d(2)),
                ("conv2", Conv2d(50, 10, 1)),
                ("bn2", BatchNorm2d(10)),
                ("relu2", ReLU()),
                ("pool2", MaxPool2d(2)),
                ("flatten", Flatten()),
                ("fc1", Linear(decoderFeatures, 100)),
                ("relu3", ReLU()),
                ("fc2", Linear(100, numClasses)));
        }
        else
        {
            const int pool = 4, hidden = 64;
            class_head = Sequential(
                ("pool", AdaptiveAvgPool2d(pool)),
                ("bn1", BatchNorm2d(features.EncoderChannels)),
                ("relu1", ReLU()),
                ("conv", Conv2d(features.EncoderChannels, hidden, pool)),
                ("bn2", BatchNorm2d(hidden)),
                ("relu2", ReLU()),
                ("flatten", Flatten()),
                ("fc", Linear(hidden, numClasses)));
        }
        RegisterComponents();
    }

    /// <summary>Side of the decoder output for a square input: ⌈imageSize / stride⌉ (strided convolutions with padding round up).</summary>
    public static long DecoderSide(int imageSize, int decoderStride) => (imageSize + decoderStride - 1) / decoderStride;

    /// <inheritdoc/>
    public (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var f = ((IPartSegmenter)segmenter).ForwardFeatures(normalize.call(images));
        var classes = class_head.call(HeadInput(f));
        return (classes.MoveToOuterDisposeScope(), f.Logits.MoveToOuterDisposeScope());
    }

    /// <summary>Class logits [B,C] for images [B,3,H,W] in [0,1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return ForwardWithParts(images).ClassLogits.MoveToOuterDisposeScope();
    }

    private Tensor HeadInput(SegmenterOutput f)
    {
        if (Variant == TwoHeadedVariant.Encoder) return f.Encoder;
        var d = f.Decoder;
        long t = (d.shape[2] - 2) / 2 / 2, u = (d.shape[3] - 2) / 2 / 2;
        if (10 * t * u != decoderFeatures)
            throw new ArgumentException($"the decoder-side two-headed model was built for {decoderFeatures} class-head features, " +
                                        $"but this input gives a {d.shape[2]}×{d.shape[3]} decoder output ({10 * Math.Max(0, t) * Math.Max(0, u)}); use the image size it was built for");
        return d;
    }
}
