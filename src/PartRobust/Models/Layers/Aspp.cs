using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// Atrous spatial pyramid pooling as in torchvision (models/segmentation/deeplabv3.py) and smp 0.3.0
/// (decoders/deeplabv3/decoder.py), which share the layout: <c>convs.0</c> = 1×1 conv–BN–ReLU; <c>convs.1..n</c> =
/// one 3×3 conv–BN–ReLU per rate (smp's DeepLabV3+ uses <see cref="SeparableConv2d"/> there, so <c>convs.i.0.{0,1}</c>);
/// <c>convs.n+1</c> = image pooling (AdaptiveAvgPool2d(1) → 1×1 conv → BN → ReLU, then bilinear resize back with
/// align_corners=False); concatenation → <c>project</c> = 1×1 conv–BN–ReLU–Dropout(0.5).
/// Note: the pooling branch applies batch norm to a 1×1 map, so training mode needs batches of at least 2.
/// </summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> convs;
    private readonly Sequential project;

    /// <summary>Creates the module.</summary>
    /// <param name="inChannels">Channels of the input feature map.</param>
    /// <param name="outChannels">Channels of every branch and of the output (256 in both references).</param>
    /// <param name="atrousRates">Dilation rates of the 3×3 branches (12, 24, 36 in both references).</param>
    /// <param name="separable">Depthwise-separable 3×3 branches (smp's DeepLabV3+), instead of ordinary ones.</param>
    public Aspp(long inChannels, long outChannels, IReadOnlyList<int> atrousRates, bool separable) : base(nameof(Aspp))
    {
        ArgumentNullException.ThrowIfNull(atrousRates);
        if (atrousRates.Count == 0) throw new ArgumentException("ASPP needs at least one atrous rate", nameof(atrousRates));
        var branches = new List<Module<Tensor, Tensor>>
        {
            Sequential(("0", Conv2d(inChannels, outChannels, 1, bias: false)), ("1", BatchNorm2d(outChannels)), ("2", ReLU())),
        };
        foreach (int rate in atrousRates)
        {
            Module<Tensor, Tensor> conv = separable
                ? SeparableConv2d.Create(inChannels, outChannels, 3, padding: rate, dilation: rate, bias: false)
                : Conv2d(inChannels, outChannels, 3, padding: rate, dilation: rate, bias: false);
            branches.Add(Sequential(("0", conv), ("1", BatchNorm2d(outChannels)), ("2", ReLU())));
        }
        branches.Add(Sequential(
            ("0", AdaptiveAvgPool2d(1)),
            ("1", Conv2d(inChannels, outChannels, 1, bias: false)),
            ("2", BatchNorm2d(outChannels)),
            ("3", ReLU())));
        convs = ModuleList(branches.ToArray());
        project = Sequential(
            ("0", Conv2d(branches.Count * outChannels, outChannels, 1, bias: false)),
            ("1", BatchNorm2d(outChannels)),
            ("2", ReLU()),
            ("3", Dropout(0.5)));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var size = new[] { x.shape[2], x.shape[3] };
        var results = new Tensor[convs.Count];
        for (int i = 0; i < convs.Count; i++)
        {
            var y = convs[i].call(x);
            // The pooling branch (last) is resized back to the input size.
            results[i] = i == convs.Count - 1
                ? functional.interpolate(y, size, mode: InterpolationMode.Bilinear, align_corners: false)
                : y;
        }
        return project.call(torch.cat(results, 1)).MoveToOuterDisposeScope();
    }
}
