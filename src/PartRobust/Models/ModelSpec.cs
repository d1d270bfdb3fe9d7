namespace PartRobust.Models;

/// <summary>Everything needed to build a model by name from the model registry.</summary>
/// <param name="Name">Registry name, e.g. <c>resnet18</c>, <c>part-downsampled</c>, <c>part-bbox</c>.</param>
/// <param name="NumClasses">Number of classes C.</param>
/// <param name="NumSegLabels">Number of segmentation labels K (parts + background); ignored by plain classifiers.</param>
/// <param name="ImageSize">Input height = width in pixels.</param>
/// <param name="Width">Channels of the first backbone stage (64 for a standard ResNet-18).</param>
/// <param name="PoolSize">N of the Downsampled head's N×N pooling (the paper uses 4).</param>
public sealed record ModelSpec(string Name, int NumClasses, int NumSegLabels, int ImageSize, int Width = 16, int PoolSize = 4);
