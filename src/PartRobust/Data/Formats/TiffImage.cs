namespace PartRobust.Data.Formats;

/// <summary>
/// A single-channel integer image as read from or written to a TIFF file: row-major H×W 32-bit signed values
/// (8- and 16-bit and unsigned samples are widened). This is the form of label maps such as Cityscapes-Panoptic-Parts
/// uid maps and the masks the paper's code saved with <c>PIL.Image.fromarray(int32 array).save("*.tif")</c>.
/// </summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Pixels">Row-major values, <c>Pixels[y * Width + x]</c>; length Width·Height.</param>
public sealed record TiffImage(int Width, int Height, int[] Pixels)
{
    /// <summary>The value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public int this[int x, int y] => Pixels[y * Width + x];
}
