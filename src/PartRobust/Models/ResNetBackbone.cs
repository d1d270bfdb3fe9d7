using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// The ResNet basic block (two 3×3 convolutions with batch norm and an identity or 1×1-projection shortcut),
/// as in torchvision's <c>BasicBlock</c>, with optional dilation.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates a block mapping <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the first convolution (and of the shortcut projection).</param>
    /// <param name="dilation">Dilation (and padding) of both 3×3 convolutions.</param>
    public BasicBlock(long inChannels, long outChannels, long stride = 1, long dilation = 1) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: dilation, dilation: dilation, bias: false);
        bn2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            downsample = Sequential(
                ("0", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("1", BatchNorm2d(outChannels)));
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(y.add_(identity)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ResNet-18 feature extractor (BasicBlock, [2,2,2,2]) with a configurable first-stage width and stem, and an
/// optional output stride: stages whose stride would take the total stride past <see cref="OutputStride"/> use
/// dilation instead (DeepLab style). State-dict names follow torchvision (<c>conv1, bn1, layer1..layer4</c>).
/// </summary>
public sealed class ResNetBackbone : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    /// <summary>Largest image side (pixels) for which <see cref="UsesSmallStem(int)"/> picks the small stem.</summary>
    public const int SmallStemMaxImageSize = 64;

    /// <summary>Channels of each stage's output (width, 2·width, 4·width, 8·width).</summary>
    public IReadOnlyList<int> StageChannels { get; }

    /// <summary>Total stride of each stage's output relative to the input.</summary>
    public IReadOnlyList<int> StageStrides { get; }

    /// <summary>Total stride of the last stage's output.</summary>
    public int OutputStride => StageStrides[^1];

    /// <summary>Channels of the last stage's output (8·width).</summary>
    public int OutChannels => StageChannels[^1];

    /// <summary>True when the small-input stem (3×3 stride-1 conv, no max-pool) is used.</summary>
    public bool SmallStem { get; }

    /// <summary>The stem used by default for an image size: the small stem for inputs of at most 64 px.</summary>
    public static bool UsesSmallStem(int imageSize) => imageSize <= SmallStemMaxImageSize;

    /// <summary>Creates the backbone.</summary>
    /// <param name="width">Channels of the first stage (64 = standard ResNet-18).</param>
    /// <param name="smallStem">3×3 stride-1 stem without max-pool (small inputs) instead of 7×7 stride-2 + max-pool.</param>
    /// <param name="outputStride">Maximum total stride; null = no dilation (8 with the small stem, 32 with the standard one).</param>
    public ResNetBackbone(int width, bool smallStem, int? outputStride = null) : base(nameof(ResNetBackbone))
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width));
        SmallStem = smallStem;
        int stemStride = smallStem ? 1 : 4;
        int maxStride = outputStride ?? stemStride * 8;
        if (maxStride < stemStride || (maxStride & (maxStride - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(outputStride), $"output stride must be a power of two ≥ {stemStride}");

        conv1 = smallStem
            ? Conv2d(3, width, 3, stride: 1, padding: 1, bias: false)
            : Conv2d(3, width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(width);
        if (!smallStem) maxpool = MaxPool2d(3, stride: 2, padding: 1);

        var channels = new[] { width, width * 2, width * 4, width * 8 };
        var strides = new int[4];
        var layers = new Sequential[4];
        int total = stemStride, dilation = 1, inCh = width;
        for (int i = 0; i < 4; i++)
        {
            int stride = i == 0 ? 1 : 2;
            int firstDilation = dilation;
            if (stride == 2 && total * 2 > maxStride) { dilation *= 2; stride = 1; }
            else total *= stride;
            strides[i] = total;
            // torchvision: the first block of a dilated stage keeps the previous dilation.
            layers[i] = Sequential(
                ("0", new BasicBlock(inCh, channels[i], stride, firstDilation)),
                ("1", new BasicBlock(channels[i], channels[i], 1, dilation)));
            inCh = channels[i];
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        StageChannels = channels;
        StageStrides = strides;
        RegisterComponents();
        InitializeWeights(this);
    }

    /// <summary>torchvision's ResNet initialisation: Kaiming-normal (fan-out, ReLU) convs, BN weight 1 and bias 0.</summary>
    internal static void InitializeWeights(Module module)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, m) in module.named_modules())
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

    /// <summary>Output of every stage (layer1..layer4) for a normalised image batch.</summary>
    public Tensor[] Stages(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));
        if (maxpool is not null) y = maxpool.call(y);
        var f1 = layer1.call(y);
        var f2 = layer2.call(f1);
        var f3 = layer3.call(f2);
        var f4 = layer4.call(f3);
        var result = new[] { f1, f2, f3, f4 };
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>Last-stage features [B, 8·width, H/s, W/s] for a normalised image batch.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return Stages(x)[^1].MoveToOuterDisposeScope();
    }
}
