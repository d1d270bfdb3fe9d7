using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// Part segmenters by name (<see cref="ModelSpec.Segmenter"/>). Every entry maps normalised images to part logits at the
/// input size and implements <see cref="IPartSegmenter"/>.
/// </summary>
public static class SegmenterRegistry
{
    private sealed record Entry(string Description, Func<ModelSpec, Module<Tensor, Tensor>> Factory);

    private static readonly NamedRegistry<Entry> Entries = new("segmenter",
        ("compact", new Entry("compact DeepLabv3+-style segmenter on a ResNet-18 topology of width --width (the demo's)",
            s => new DeepLabSegmenter(s.NumSegLabels, s.Width, s.ImageSize))),
        ("deeplabv3plus-resnet18", DeepLabV3Plus(18)),
        ("deeplabv3plus-resnet34", DeepLabV3Plus(34)),
        ("deeplabv3plus-resnet50", DeepLabV3Plus(50)),
        ("deeplabv3-resnet18", DeepLabV3(18)),
        ("deeplabv3-resnet34", DeepLabV3(34)),
        ("deeplabv3-resnet50", DeepLabV3(50)));

    // The paper's segmenters are full width (64) whatever --width says; their names follow smp and torchvision.
    private static Entry DeepLabV3Plus(int depth) => new(
        $"segmentation_models_pytorch 0.3.0 DeepLabV3+ on ResNet-{depth} (output stride 16, ASPP 12/24/36, separable, 256 ch; the paper's); width 64, image side divisible by 16",
        s => s.ImageSize % 16 == 0
            ? new DeepLabV3PlusSegmenter(depth, s.NumSegLabels)
            : throw new ArgumentException($"--image-size {s.ImageSize} does not suit segmenter 'deeplabv3plus-resnet{depth}': smp's DeepLabV3+ needs a multiple of 16"));

    private static Entry DeepLabV3(int depth) => new(
        $"torchvision DeepLabv3 on ResNet-{depth} (output stride 8, DeepLabHead, no aux classifier); width 64",
        s => new DeepLabV3Segmenter(depth, s.NumSegLabels));

    /// <summary>The default segmenter name.</summary>
    public const string Default = "compact";

    /// <summary>All registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names => Entries.Names;

    private static Entry Find(string name) => Entries[name];

    /// <summary>One line describing the named segmenter.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static string Describe(string name) => Find(name).Description;

    /// <summary>Builds the segmenter <paramref name="spec"/> names, for its K and image size.</summary>
    /// <exception cref="ArgumentException">Unknown <see cref="ModelSpec.Segmenter"/>.</exception>
    public static Module<Tensor, Tensor> Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Find(spec.Segmenter).Factory(spec);
    }
}
