using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>
/// Builds models by name from a <see cref="ModelSpec"/>. Every model maps images [B,3,H,W] in [0,1] to class
/// logits [B,C]; part models also implement <see cref="IPartModel"/>, and those whose class depends on the part mask
/// alone also <see cref="IBottomUpPartModel"/>. To add a model, add one entry to the table below.
/// </summary>
public static class ModelRegistry
{
    private sealed record Entry(string DisplayName, bool IsPartModel, Func<ModelSpec, Module<Tensor, Tensor>> Factory);

    private static readonly NamedRegistry<Entry> Entries = new("model",
        ("resnet18", new Entry("ResNet-18", false,
            s => ResNet.Classifier(18, s.NumClasses, s.Width, s.ImageSize))),
        ("part-downsampled", new Entry("Downsampled part model", true,
            s => new PartModel(Segmenter(s), new DownsampledPartClassifier(s.NumSegLabels, s.NumClasses, s.PoolSize, s.Background)))),
        ("part-bbox", new Entry("Bounding-Box part model", true,
            s => new PartModel(Segmenter(s), new BoundingBoxPartClassifier(s.NumSegLabels, s.NumClasses)))),
        ("part-pixel", new Entry("Pixel part model", true,
            s => new PartModel(Segmenter(s), new PixelPartClassifier(PartClass(s), s.NumClasses, PixelMode.Mean)))),
        ("part-pixel-fg-softmax", new Entry("Pixel part model (foreground-weighted softmax)", true,
            s => new PartModel(Segmenter(s), new PixelPartClassifier(PartClass(s), s.NumClasses, PixelMode.ForegroundSoftmax)))),
        ("part-pixel-fg-logits", new Entry("Pixel part model (foreground-weighted logits)", true,
            s => new PartModel(Segmenter(s), new PixelPartClassifier(PartClass(s), s.NumClasses, PixelMode.ForegroundLogits)))),
        ("part-2heads-d", new Entry("Two-headed part model (decoder)", true,
            s => new TwoHeadedPartModel(Segmenter(s), s.NumClasses, s.ImageSize, TwoHeadedVariant.Decoder))),
        ("part-2heads-e", new Entry("Two-headed part model (encoder)", true,
            s => new TwoHeadedPartModel(Segmenter(s), s.NumClasses, s.ImageSize, TwoHeadedVariant.Encoder))),
        ("resnet34", new Entry("ResNet-34", false,
            s => ResNet.Classifier(34, s.NumClasses, s.Width, s.ImageSize))),
        ("resnet50", new Entry("ResNet-50", false,
            s => ResNet.Classifier(50, s.NumClasses, s.Width, s.ImageSize))),
        ("part-mask", new Entry("ResNet-on-masks part model", true,
            s => new PartModel(Segmenter(s), new MaskResNetPartClassifier(s.NumSegLabels, s.NumClasses, s.Width, s.ImageSize, s.Background)))));

    private static Module<Tensor, Tensor> Segmenter(ModelSpec s) => SegmenterRegistry.Create(s);

    /// <summary>The spec's part-to-class map, checked against K (the Pixel heads group parts by class).</summary>
    private static int[] PartClass(ModelSpec s)
    {
        if (s.PartClass is null)
            throw new ArgumentException($"model {s.Name} groups parts by class and needs the dataset's part_class map (ModelSpec.PartClass), which is missing");
        if (s.PartClass.Length != s.NumSegLabels)
            throw new ArgumentException($"model {s.Name}: part_class has {s.PartClass.Length} entries, expected one per segmentation label (K = {s.NumSegLabels})");
        return s.PartClass;
    }

    /// <summary>
    /// Suffix of a run's control arm, <c>NAME:no-part-labels</c>: part model NAME trained with c_seg = 0 (see <c>Runs.ModelArm</c>).
    /// </summary>
    public const string NoPartLabelsSuffix = ":no-part-labels";

    /// <summary>All registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names => Entries.Names;

    private static Entry Find(string name) => Entries[name];

    /// <summary>True when the named model is a part model (segmenter + head, implements <see cref="IPartModel"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static bool IsPartModel(string name) => Find(name).IsPartModel;

    /// <summary>Human-readable name, e.g. "ResNet-18", "Downsampled part model", "Bounding-Box part model".</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static string DisplayName(string name) => Find(name).DisplayName;

    /// <summary>
    /// Builds the model described by <paramref name="spec"/>, its convolution weights stored channels-last
    /// (<see cref="ModuleExtensions.ToChannelsLast"/>; same values, NHWC strides).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown <see cref="ModelSpec.Name"/>.</exception>
    public static Module<Tensor, Tensor> Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // oneDNN's NHWC convolutions are about twice as fast as NCHW ones for the narrow layers of small models on CPU
        // (docs/benchmarks.md); a convolution with a channels-last weight runs NHWC whatever its input's layout.
        return Find(spec.Name).Factory(spec).ToChannelsLast();
    }
}
