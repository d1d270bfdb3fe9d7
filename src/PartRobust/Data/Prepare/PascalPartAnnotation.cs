namespace PartRobust.Data.Prepare;

/// <summary>One PASCAL-Part annotation file after the paper's relabelling.</summary>
/// <param name="LargestClass">VOC class of the largest object (the image's class), or null if no object has a pixel.</param>
/// <param name="LargestArea">Pixel count of that object.</param>
/// <param name="Label">Class label in <see cref="PascalPartTaxonomy"/>, or −1 if the largest object is not one of its five classes.</param>
/// <param name="Width">Mask width.</param>
/// <param name="Height">Mask height.</param>
/// <param name="PartMap">Row-major H×W seg labels 0..15 (null when <paramref name="Label"/> is −1).</param>
public sealed record PascalPartAnnotation(string? LargestClass, long LargestArea, int Label, int Width, int Height, byte[]? PartMap);
