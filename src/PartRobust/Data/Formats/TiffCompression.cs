namespace PartRobust.Data.Formats;

/// <summary>The TIFF compression schemes <see cref="TiffReader"/> decodes and <see cref="TiffWriter"/> can write (values = TIFF tag 259 codes).</summary>
public enum TiffCompression
{
    /// <summary>Uncompressed (1).</summary>
    None = 1,
    /// <summary>LZW (5), as written by libtiff and Pillow's <c>compression="tiff_lzw"</c>.</summary>
    Lzw = 5,
    /// <summary>Deflate/zlib (8, "Adobe Deflate"); the reader also accepts the old code 32946.</summary>
    Deflate = 8,
    /// <summary>PackBits run-length coding (32773).</summary>
    PackBits = 32773,
}
