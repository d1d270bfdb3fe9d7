namespace PartRobust.Data.Prepare;

/// <summary>Options of <c>partrobust data prepare</c>.</summary>
public sealed class PrepareOptions
{
    /// <summary>Consider only the first N source items in the preparer's (sorted) processing order; null = all.</summary>
    public int? Limit { get; init; }

    /// <summary><c>paper</c> (the authors' seeded 80/10/10 re-split) or <c>original</c> (the dataset's own split, where it has one).</summary>
    public string Split { get; init; } = "paper";

    /// <summary>Decode/encode parallelism.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}

/// <summary>An image as it is stored: its encoded bytes and their extension (<c>.jpg</c> for a copied original, <c>.png</c> otherwise).</summary>
/// <param name="Bytes">The file's bytes.</param>
/// <param name="Extension">File extension with the dot.</param>
public sealed record EncodedImage(byte[] Bytes, string Extension);

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

/// <summary>Turns one dataset's official download into prepared samples.</summary>
public interface IDatasetPreparer
{
    /// <summary>Name used on the command line: <c>partimagenet</c>, <c>cityscapes</c> or <c>pascal-part</c>.</summary>
    string Name { get; }

    /// <summary>Classes (index = label), segmentation labels (0 = background) and the part → class map.</summary>
    PartTaxonomy Taxonomy { get; }

    /// <summary>
    /// Reads the download in <paramref name="sourceDir"/> and adds every sample to <paramref name="writer"/> (from any
    /// thread); each unusable file is reported with <see cref="PreparedDatasetWriter.Skip"/>. Throws
    /// <see cref="ArgumentException"/> or <see cref="InvalidDataException"/> (one line) only when the whole source is unusable.
    /// </summary>
    void Prepare(string sourceDir, PreparedDatasetWriter writer, PrepareOptions options, IProgressSink progress);
}
