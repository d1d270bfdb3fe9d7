namespace PartRobust.Interop;

/// <summary>What to import.</summary>
public sealed record ModelImportRequest
{
    /// <summary>Naming of the input file.</summary>
    public required ModelImport.SourceFormat Format { get; init; }
    /// <summary>Input <c>.pt</c>/<c>.pth</c>/<c>.safetensors</c> file.</summary>
    public required string Input { get; init; }
    /// <summary>Our registry model name, e.g. <c>part-downsampled</c>, <c>part-bbox</c>, <c>resnet50</c>.</summary>
    public required string Model { get; init; }
    /// <summary>Output checkpoint stem (NAME → NAME.safetensors + NAME.json).</summary>
    public required string Out { get; init; }
    /// <summary>Segmenter of a part model (registry name).</summary>
    public string Segmenter { get; init; } = "deeplabv3plus-resnet50";
    /// <summary>PartImageNet classes the model predicts (a subset in PartImageNet's order); null = see <see cref="Dataset"/>.</summary>
    public string[]? Classes { get; init; }
    /// <summary><c>partimagenet</c> for PartImageNet's 11 classes and 40 parts; null = generic names.</summary>
    public string? Dataset { get; init; }
    /// <summary>Number of classes C; null = from the taxonomy or the file.</summary>
    public int? NumClasses { get; init; }
    /// <summary>Number of segmentation labels K (parts + background); null = from the taxonomy or the file.</summary>
    public int? NumSegLabels { get; init; }
    /// <summary>Input image size the model is meant for (recorded in the checkpoint; chooses the ResNet stem).</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>First-stage width of ResNets and the compact segmenter (64 = torchvision's).</summary>
    public int Width { get; init; } = 64;
    /// <summary>Keep the model's own <c>fc</c> instead of the file's (torchvision format, other class count).</summary>
    public bool SkipFc { get; init; }
}
