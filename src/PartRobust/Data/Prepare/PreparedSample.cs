namespace PartRobust.Data.Prepare;

/// <summary>One prepared sample, as a preparer hands it to <see cref="PreparedDatasetWriter"/>.</summary>
/// <param name="Split"><c>train</c>, <c>val</c> or <c>test</c>.</param>
/// <param name="Label">Class index in the preparer's taxonomy.</param>
/// <param name="Stem">File name without extension, unique within its split and class.</param>
/// <param name="Image">The encoded image.</param>
/// <param name="Width">Image width (the mask's too).</param>
/// <param name="Height">Image height.</param>
/// <param name="Mask">Row-major H×W segmentation labels 0..K−1; 255 = no label.</param>
/// <param name="Source">The raw file(s) it came from.</param>
public sealed record PreparedSample(string Split, int Label, string Stem, EncodedImage Image, int Width, int Height, byte[] Mask, string Source);
