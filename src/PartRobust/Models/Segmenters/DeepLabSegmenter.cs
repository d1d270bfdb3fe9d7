using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// A compact DeepLabv3+-style part segmenter on a ResNet-18-topology backbone. Input: a <b>normalised</b> image
/// batch [B,3,H,W]; output: part logits [B,K,H,W]. Layout (after smp's DeepLabV3Plus, scaled down):
/// <list type="number">
/// <item>backbone (<see cref="ResNet"/> (ResNet-18, no fc)): for inputs ≤ 64 px the small stem, giving output stride 8
/// (6×6 features at 48 px); for larger inputs the ImageNet stem with the last stage dilated, giving output stride 16
/// as in the paper's <c>encoder_output_stride=16</c>;</item>
/// <item>ASPP: 1×1 conv, three dilated 3×3 convs with rates scaled to the feature size, and an image-pooling
/// branch, each conv–BN–ReLU; concatenation → 1×1 projection → 3×3 conv (all with BN + ReLU);</item>
/// <item>v3+ decoder: ASPP output upsampled ×4 to the low-level feature (the stage at stride OS/4), concatenated with a
/// 1×1 projection of that feature to 48·width/64 channels, fused by a 3×3 conv;</item>
/// <item>1×1 conv to K classes and bilinear upsampling to the input size.</item>
/// </list>
/// Widths scale with the backbone width: ASPP/decoder channels = 4·width (256 at width 64, as in the paper).
/// Separable convolutions are replaced by ordinary ones (negligible cost at this size).
/// Note: the ASPP image-pooling branch uses batch norm on a 1×1 map, so training mode needs batches of ≥ 2.
/// </summary>
public sealed class DeepLabSegmenter : Module<Tensor, Tensor>, IPartSegmenter
{
    private readonly ResNet backbone;
    private readonly Sequential aspp_conv1x1;
    private readonly Sequential aspp_conv_r1;
    private readonly Sequential aspp_conv_r2;
    private readonly Sequential aspp_conv_r3;
    private readonly Sequential aspp_pool;
    private readonly Sequential aspp_project;
    private readonly Sequential low_level_project;
    private readonly Sequential decoder_fuse;
    private readonly Conv2d classifier;
    private readonly int lowLevelStage;

    /// <summary>Number of segmentation labels K (parts + background).</summary>
    public int NumSegLabels { get; }

    /// <summary>The backbone.</summary>
    public ResNet Backbone => backbone;

    /// <inheritdoc/>
    public int EncoderChannels => backbone.OutChannels;

    /// <inheritdoc/>
    public int EncoderStride => backbone.OutputStride;

    /// <inheritdoc/>
    public int DecoderChannels { get; }

    /// <inheritdoc/>
    public int DecoderStride => backbone.StageStrides[lowLevelStage];

    /// <summary>The three ASPP dilation rates in use.</summary>
    public IReadOnlyList<int> AtrousRates { get; }

    /// <summary>Creates the segmenter.</summary>
    /// <param name="numSegLabels">K, the number of segmentation labels including background.</param>
    /// <param name="width">Backbone first-stage width.</param>
    /// <param name="imageSize">Nominal input side in pixels (chooses the stem, output stride and ASPP rates).</param>
    public DeepLabSegmenter(int numSegLabels, int width, int imageSize) : base(nameof(DeepLabSegmenter))
    {
        if (numSegLabels < 2) throw new ArgumentOutOfRangeException(nameof(numSegLabels), "need background + ≥ 1 part");
        NumSegLabels = numSegLabels;
        bool small = ResNet.UsesSmallStem(imageSize);
        backbone = new ResNet(18, numClasses: null, width, small, outputStride: small ? 8 : 16);

        int os = backbone.OutputStride;
        int featureSize = Math.Max(1, imageSize / os);
        // smp uses rates (12,24,36) for 14×14..; here the rates span the feature map: 1,2,3 at 6×6.
        var rates = Enumerable.Range(1, 3).Select(i => Math.Max(1, (int)Math.Round(i * featureSize / 6.0))).ToArray();
        AtrousRates = rates;

        int inCh = backbone.OutChannels;
        int ch = 4 * width;
        DecoderChannels = ch;
        aspp_conv1x1 = ConvBnRelu(inCh, ch, 1, 1);
        aspp_conv_r1 = ConvBnRelu(inCh, ch, 3, rates[0]);
        aspp_conv_r2 = ConvBnRelu(inCh, ch, 3, rates[1]);
        aspp_conv_r3 = ConvBnRelu(inCh, ch, 3, rates[2]);
        aspp_pool = Sequential(
            ("pool", AdaptiveAvgPool2d(1)),
            ("conv", Conv2d(inCh, ch, 1, bias: false)),
            ("bn", BatchNorm2d(ch)),
            ("relu", ReLU()));
        aspp_project = Sequential(
            ("project", ConvBnRelu(5 * ch, ch, 1, 1)),
            ("conv", ConvBnRelu(ch, ch, 3, 1)));

        int lowStride = Math.Max(1, os / 4);
        lowLevelStage = Enumerable.Range(0, 4).Last(i => backbone.StageStrides[i] <= lowStride);
        int lowCh = Math.Max(8, 48 * width / 64);
        low_level_project = ConvBnRelu(backbone.StageChannels[lowLevelStage], lowCh, 1, 1);
        decoder_fuse = ConvBnRelu(ch + lowCh, ch, 3, 1);
        classifier = Conv2d(ch, numSegLabels, 1);
        RegisterComponents();
        ResNet.InitializeWeights(this);
    }

    private static Sequential ConvBnRelu(long inCh, long outCh, long kernel, long dilation) => Sequential(
        ("conv", Conv2d(inCh, outCh, kernel, padding: kernel == 1 ? 0 : dilation, dilation: dilation, bias: false)),
        ("bn", BatchNorm2d(outCh)),
        ("relu", ReLU()));

    /// <summary>Part logits [B,K,H,W] for a normalised image batch [B,3,H,W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return ForwardFeatures(x).Logits.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public SegmenterOutput ForwardFeatures(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long h = x.shape[2], w = x.shape[3];
        var stages = backbone.Stages(x);
        var high = stages[^1];
        var low = stages[lowLevelStage];

        var pooled = aspp_pool.call(high);
        pooled = functional.interpolate(pooled, new long[] { high.shape[2], high.shape[3] }, mode: InterpolationMode.Nearest);
        var aspp = torch.cat(new[] { aspp_conv1x1.call(high), aspp_conv_r1.call(high), aspp_conv_r2.call(high), aspp_conv_r3.call(high), pooled }, 1);
        var context = aspp_project.call(aspp);

        var lowProj = low_level_project.call(low);
        var up = functional.interpolate(context, new long[] { lowProj.shape[2], lowProj.shape[3] }, mode: InterpolationMode.Bilinear, align_corners: false);
        var fused = decoder_fuse.call(torch.cat(new[] { up, lowProj }, 1));
        // NCHW from here: the upsampling and the per-pixel loss of channels-last logits cost more than the
        // NHWC convolutions save (bench/StepProfile, docs/benchmarks.md).
        var logits = classifier.call(fused).contiguous();
        if (logits.shape[2] != h || logits.shape[3] != w)
            logits = functional.interpolate(logits, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        return new SegmenterOutput(logits.MoveToOuterDisposeScope(), fused.MoveToOuterDisposeScope(), high.MoveToOuterDisposeScope());
    }
}
