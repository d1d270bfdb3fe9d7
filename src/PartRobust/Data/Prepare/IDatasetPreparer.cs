namespace PartRobust.Data.Prepare;

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
