namespace PartRobust.Data;

/// <summary>One sample at its stored resolution: planar RGB bytes [3,H,W], mask bytes [H,W] (255 = no label), class.</summary>
/// <param name="Image">Planar RGB, 3·W·H bytes.</param>
/// <param name="Mask">Row-major seg labels, W·H bytes; 255 = no label (−1).</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Label">Class index.</param>
public sealed record RawPartSample(byte[] Image, byte[] Mask, int Width, int Height, int Label);

/// <summary>
/// The one dataset abstraction behind training and evaluation: indexed samples (image in [0,1] as bytes, part mask with
/// −1 = no label, class) with the class and part tables. <see cref="PreparedSplit"/> reads a prepared real dataset (or an
/// exported PartShapes split) lazily from disk; <see cref="InMemoryPartSource"/> wraps a generated <see cref="PartDataset"/>.
/// Reads are thread-safe, so a loader can decode samples in parallel.
/// </summary>
public interface IPartSampleSource
{
    /// <summary>Classes, segmentation labels and the part → class map (<see cref="PartTaxonomy.PartClass"/>).</summary>
    PartTaxonomy Taxonomy { get; }

    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>The class of sample <paramref name="index"/>, without decoding it.</summary>
    int LabelOf(int index);

    /// <summary>Decodes sample <paramref name="index"/>; a one-line <see cref="InvalidDataException"/> naming the file if it is unreadable.</summary>
    RawPartSample Read(int index);
}
