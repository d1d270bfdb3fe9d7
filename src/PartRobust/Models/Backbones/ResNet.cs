using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// torchvision's ResNet (v1.5) for depths 18 and 34 (<see cref="BasicBlock"/>, [2,2,2,2] / [3,4,6,3]) and 50
/// (<see cref="Bottleneck"/>, [3,4,6,3]), with parameter and buffer names exactly torchvision's state_dict
/// (<c>conv1, bn1, layer1..layer4.N.{conv1,bn1,conv2,bn2,conv3,bn3,downsample.0,downsample.1}, fc</c>), plus options:
/// a first-stage width (64 = torchvision), a small stem for small images, the number of input channels, an output
/// stride of 16 or 8 (or lower) obtained by dilation in torchvision's or smp's style, no classifier (a feature
/// extractor, as smp's encoder and torchvision's segmentation backbones), and ImageNet normalisation inside.
/// Initialisation as torchvision: Kaiming-normal (fan-out, ReLU) convolutions, BN weight 1 / bias 0, default Linear.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>
{
    private readonly ImageNormalization? normalize;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear? fc;

    /// <summary>Largest image side (pixels) for which <see cref="UsesSmallStem(int)"/> picks the small stem.</summary>
    public const int SmallStemMaxImageSize = 64;

    /// <summary>The stem used by default for an image size: the small stem for inputs of at most 64 px.</summary>
    public static bool UsesSmallStem(int imageSize) => imageSize <= SmallStemMaxImageSize;

    /// <summary>The supported depths.</summary>
    public static IReadOnlyList<int> Depths { get; } = new[] { 18, 34, 50 };

    /// <summary>18, 34 or 50.</summary>
    public int Depth { get; }

    /// <summary>Channels of the stem and <c>planes</c> of layer1 (64 = torchvision).</summary>
    public int Width { get; }

    /// <summary>Block expansion: 1 (BasicBlock) or 4 (Bottleneck).</summary>
    public int Expansion { get; }

    /// <summary>True when the small-input stem (3×3 stride-1 conv, no max-pool) is used.</summary>
    public bool SmallStem { get; }

    /// <summary>How strides were replaced by dilation (matters only when <see cref="OutputStride"/> is below the natural one).</summary>
    public ResNetDilationStyle DilationStyle { get; }

    /// <summary>True when images in [0,1] are normalised (ImageNet statistics) inside the forward.</summary>
    public bool NormalizesInput => normalize is not null;

    /// <summary>Channels of each stage's output (width·e, 2·width·e, 4·width·e, 8·width·e with e the expansion).</summary>
    public IReadOnlyList<int> StageChannels { get; }

    /// <summary>Total stride of each stage's output relative to the input.</summary>
    public IReadOnlyList<int> StageStrides { get; }

    /// <summary>Dilation of each stage's 3×3 convolutions after its first block (1 for undilated stages).</summary>
    public IReadOnlyList<int> StageDilations { get; }

    /// <summary>Total stride of the last stage's output.</summary>
    public int OutputStride => StageStrides[^1];

    /// <summary>Channels of the last stage's output (512 for ResNet-18/34, 2048 for ResNet-50 at width 64).</summary>
    public int OutChannels => StageChannels[^1];

    /// <summary>The final linear layer, or null for a feature extractor.</summary>
    public Linear? Fc => fc;

    /// <summary>Creates the network.</summary>
    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="numClasses">Outputs of <c>fc</c>; null = no avg-pool/fc (the forward returns layer4's feature map).</param>
    /// <param name="width">Channels of the stem and planes of layer1 (64 = torchvision).</param>
    /// <param name="smallStem">3×3 stride-1 stem without max-pool (natural output stride 8) instead of 7×7 stride-2 + max-pool (32).</param>
    /// <param name="inChannels">Input channels of conv1.</param>
    /// <param name="outputStride">Output stride; null = the natural one. Each halving dilates one more stage from the end (at most 3).</param>
    /// <param name="dilationStyle">torchvision's or smp's way of dilating.</param>
    /// <param name="normalizeInput">Normalise images in [0,1] with ImageNet statistics first (non-persistent buffers, no state_dict keys).</param>
    public ResNet(int depth, int? numClasses = 1000, int width = 64, bool smallStem = false, int inChannels = 3,
        int? outputStride = null, ResNetDilationStyle dilationStyle = ResNetDilationStyle.Torchvision, bool normalizeInput = false)
        : base(nameof(ResNet))
    {
        int[] blocks = depth switch
        {
            18 => new[] { 2, 2, 2, 2 },
            34 or 50 => new[] { 3, 4, 6, 3 },
            _ => throw new ArgumentOutOfRangeException(nameof(depth), $"ResNet depth {depth} is not supported; expected 18, 34 or 50"),
        };
        if (numClasses is < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), "need at least one class");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), "width must be positive");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), "need at least one input channel");
        int natural = smallStem ? 8 : 32;
        int os = outputStride ?? natural;
        if (os < natural / 8 || os > natural || (os & (os - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(outputStride),
                $"output stride {os} is not possible with the {(smallStem ? "small" : "ImageNet")} stem; expected a power of two from {natural / 8} to {natural}");

        Depth = depth;
        Width = width;
        Expansion = depth == 50 ? Bottleneck.Expansion : BasicBlock.Expansion;
        SmallStem = smallStem;
        DilationStyle = dilationStyle;
        bool smp = dilationStyle == ResNetDilationStyle.Smp;
        int dilatedStages = System.Numerics.BitOperations.Log2((uint)(natural / os));

        // Construction order (which decides what the seeded default inits consume before the Kaiming pass) is the one
        // of this project's first ResNet, so the demo's seeded initial weights did not change: each block builds its
        // projection after its own convs, and fc is built after the Kaiming pass. (torchvision builds the projection
        // first and fc before the pass; matching PyTorch's RNG stream bit for bit is not a goal.)
        if (normalizeInput) normalize = new ImageNormalization();
        conv1 = smallStem
            ? Conv2d(inChannels, width, 3, stride: 1, padding: 1, bias: false)
            : Conv2d(inChannels, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(width);
        if (!smallStem) maxpool = MaxPool2d(3, stride: 2, padding: 1);

        var layers = new Sequential[4];
        var channels = new int[4];
        var strides = new int[4];
        var dilations = new int[4];
        int inPlanes = width, dilation = 1, total = smallStem ? 1 : 4;
        for (int i = 0; i < 4; i++)
        {
            int planes = width << i, outPlanes = planes * Expansion;
            int stride = i == 0 ? 1 : 2;
            bool dilate = i >= 4 - dilatedStages;
            int previousDilation = dilation;
            if (dilate) dilation *= 2;
            else total *= stride;
            int blockStride = dilate ? 1 : stride;
            // smp dilates a stage built with its stride, so the projection exists whenever the undilated one would.
            bool project = (smp ? stride : blockStride) != 1 || inPlanes != outPlanes;
            int pointwiseDilation = smp && dilate ? dilation : 1;
            var stage = new List<(string, Module<Tensor, Tensor>)>
            {
                ("0", Block(inPlanes, planes, blockStride, smp ? dilation : previousDilation, project, pointwiseDilation)),
            };
            for (int b = 1; b < blocks[i]; b++)
                stage.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), Block(outPlanes, planes, 1, dilation, false, pointwiseDilation)));
            layers[i] = Sequential(stage);
            channels[i] = outPlanes;
            strides[i] = total;
            dilations[i] = dilation;
            inPlanes = outPlanes;
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        StageChannels = channels;
        StageStrides = strides;
        StageDilations = dilations;
        foreach (var m in new Module[] { conv1, bn1, layer1, layer2, layer3, layer4 }) InitializeWeights(m);
        if (numClasses is int c) fc = Linear(inPlanes, c);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Block(int inPlanes, int planes, int stride, int dilation, bool project, int pointwiseDilation) =>
        Expansion == 1
            ? new BasicBlock(inPlanes, planes, stride, dilation, project, pointwiseDilation)
            : new Bottleneck(inPlanes, planes, stride, dilation, project, pointwiseDilation);

    /// <summary>
    /// A classifier as the model registry builds it: normalisation inside, the small stem for images of at most 64 px,
    /// state_dict keys exactly torchvision's.
    /// </summary>
    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="numClasses">C.</param>
    /// <param name="width">First-stage width (64 = torchvision).</param>
    /// <param name="imageSize">Input side in pixels; chooses the stem.</param>
    public static ResNet Classifier(int depth, int numClasses, int width = 64, int imageSize = 224) =>
        new(depth, numClasses, width, UsesSmallStem(imageSize), normalizeInput: true);

    /// <summary>torchvision's ResNet initialisation: Kaiming-normal (fan-out, ReLU) convs, BN weight 1 and bias 0.</summary>
    internal static void InitializeWeights(Module module)
    {
        using var noGrad = torch.no_grad();
        var modules = module.named_modules().Select(x => x.module).Where(m => !ReferenceEquals(m, module)).Prepend(module);
        foreach (var m in modules)
        {
            switch (m)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    if (conv.bias is not null) init.zeros_(conv.bias);
                    break;
                case BatchNorm2d bn:
                    init.ones_(bn.weight!);
                    init.zeros_(bn.bias!);
                    break;
            }
        }
    }

    /// <summary>The stem and the four stage outputs (input as for <see cref="forward"/>).</summary>
    public ResNetFeatures Features(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        if (normalize is not null) x = normalize.call(x);
        var stem = functional.relu(bn1.call(conv1.call(x)));
        var y = maxpool is null ? stem : maxpool.call(stem);
        var f1 = layer1.call(y);
        var f2 = layer2.call(f1);
        var f3 = layer3.call(f2);
        var f4 = layer4.call(f3);
        foreach (var t in new[] { stem, f1, f2, f3, f4 }) t.MoveToOuterDisposeScope();
        return new ResNetFeatures(stem, f1, f2, f3, f4);
    }

    /// <summary>The four stage outputs layer1..layer4 (input as for <see cref="forward"/>).</summary>
    public Tensor[] Stages(Tensor x) => Features(x).Stages;

    /// <summary>
    /// Class logits [B,C] (global average pool → fc); without a classifier, layer4's feature map. The input is images in
    /// [0,1] when <see cref="NormalizesInput"/>, otherwise already normalised (or not images at all, e.g. part masks).
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var features = Features(x).Layer4;
        if (fc is null) return features.MoveToOuterDisposeScope();
        return fc.call(features.mean(new long[] { 2, 3 })).MoveToOuterDisposeScope();
    }
}
