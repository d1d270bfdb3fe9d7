namespace PartRobust.Data.Formats;

/// <summary>How <see cref="TiffWriter"/> lays out a 32-bit label map.</summary>
public sealed record TiffWriteOptions
{
    /// <summary>Compression of every strip; Deflate by default (label maps shrink a lot, and every TIFF reader has zlib).</summary>
    public TiffCompression Compression { get; init; } = TiffCompression.Deflate;

    /// <summary>Write big-endian (<c>MM</c>) instead of little-endian (<c>II</c>).</summary>
    public bool BigEndian { get; init; }

    /// <summary>Rows per strip; 0 = strips of about 64 KiB of raw samples, as Pillow and libtiff write.</summary>
    public int RowsPerStrip { get; init; }

    /// <summary>Apply the horizontal-differencing predictor (2) before LZW or Deflate.</summary>
    public bool Predictor { get; init; }
}
