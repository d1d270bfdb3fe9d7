using System.Buffers.Binary;
using System.IO.Compression;

namespace PartRobust.Data.Formats;

/// <summary>
/// Writes a label map as a classic single-channel TIFF of 32-bit signed integers (BitsPerSample 32, SampleFormat 2,
/// MinIsBlack): the layout of Pillow's mode-I TIFFs, readable by Pillow (<c>np.array(Image.open(f))</c> gives int32),
/// libtiff, tifffile and <see cref="TiffReader"/>. Used to export masks and to build test fixtures in the raw format.
/// </summary>
public static class TiffWriter
{
    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/>.</summary>
    public static void WriteFile(string path, TiffImage image, TiffWriteOptions? options = null) =>
        File.WriteAllBytes(path, Write(image, options));

    /// <summary>The TIFF file bytes of <paramref name="image"/>.</summary>
    /// <exception cref="ArgumentException">The pixel count differs from Width·Height, a size is not positive, or the options are inconsistent.</exception>
    public static byte[] Write(TiffImage image, TiffWriteOptions? options = null)
    {
        options ??= new TiffWriteOptions();
        int w = image.Width, h = image.Height;
        if (w <= 0 || h <= 0 || image.Pixels.Length != (long)w * h)
            throw new ArgumentException($"TIFF image: {image.Pixels.Length} pixels for {w}x{h} (expected positive sizes and Width*Height pixels)");
        if (options.Predictor && options.Compression is not (TiffCompression.Lzw or TiffCompression.Deflate))
            throw new ArgumentException("TIFF options: the predictor is only written with LZW or Deflate compression");
        if (options.RowsPerStrip < 0) throw new ArgumentException($"TIFF options: RowsPerStrip {options.RowsPerStrip} (expected 0 = automatic, or positive)");
        bool big = options.BigEndian;
        int rowBytes = 4 * w;
        int rps = options.RowsPerStrip > 0 ? Math.Min(options.RowsPerStrip, h) : Math.Clamp(65536 / rowBytes, 1, h);
        int strips = (h + rps - 1) / rps;

        var file = new MemoryStream();
        file.Write(big ? "MM"u8 : "II"u8);
        WriteU16(file, 42, big);
        WriteU32(file, 0, big); // IFD offset, patched at the end
        var offsets = new uint[strips];
        var counts = new uint[strips];
        var raw = new byte[rps * rowBytes];
        for (int s = 0; s < strips; s++)
        {
            int rows = Math.Min(rps, h - s * rps);
            var strip = raw.AsSpan(0, rows * rowBytes);
            for (int r = 0; r < rows; r++)
            {
                int y = s * rps + r;
                int prev = 0;
                for (int x = 0; x < w; x++)
                {
                    int v = image.Pixels[y * w + x];
                    int stored = options.Predictor ? unchecked(v - prev) : v;
                    prev = v;
                    var at = strip.Slice(r * rowBytes + 4 * x, 4);
                    if (big) BinaryPrimitives.WriteInt32BigEndian(at, stored); else BinaryPrimitives.WriteInt32LittleEndian(at, stored);
                }
            }
            byte[] encoded = options.Compression switch
            {
                TiffCompression.None => strip.ToArray(),
                TiffCompression.Lzw => TiffLzw.Encode(strip),
                TiffCompression.PackBits => TiffPackBits.Encode(strip),
                TiffCompression.Deflate => Zlib(strip),
                _ => throw new ArgumentException($"TIFF options: compression {options.Compression} cannot be written"),
            };
            offsets[s] = (uint)file.Position;
            counts[s] = (uint)encoded.Length;
            file.Write(encoded);
            if (file.Position % 2 == 1) file.WriteByte(0); // TIFF wants values on word boundaries
        }

        // Arrays that do not fit an entry's 4 value bytes go before the IFD.
        uint offsetsAt = 0, countsAt = 0;
        if (strips > 1)
        {
            offsetsAt = (uint)file.Position; foreach (uint o in offsets) WriteU32(file, o, big);
            countsAt = (uint)file.Position; foreach (uint c in counts) WriteU32(file, c, big);
        }
        uint ifd = (uint)file.Position;
        var entries = new List<(ushort Tag, ushort Type, uint Count, uint Value)>
        {
            (256, 4, 1, (uint)w), (257, 4, 1, (uint)h), (258, 3, 1, 32), (259, 3, 1, (uint)options.Compression),
            (262, 3, 1, 1), (273, 4, (uint)strips, strips > 1 ? offsetsAt : offsets[0]), (277, 3, 1, 1),
            (278, 4, 1, (uint)rps), (279, 4, (uint)strips, strips > 1 ? countsAt : counts[0]), (284, 3, 1, 1),
        };
        if (options.Predictor) entries.Add((317, 3, 1, 2));
        entries.Add((339, 3, 1, 2));
        WriteU16(file, (ushort)entries.Count, big);
        foreach (var (tag, type, count, value) in entries)
        {
            WriteU16(file, tag, big); WriteU16(file, type, big); WriteU32(file, count, big);
            if (type == 3 && count == 1) { WriteU16(file, (ushort)value, big); WriteU16(file, 0, big); } // SHORT sits in the first 2 bytes
            else WriteU32(file, value, big);
        }
        WriteU32(file, 0, big); // no next IFD
        var bytes = file.ToArray();
        if (big) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ifd); else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ifd);
        return bytes;
    }

    static byte[] Zlib(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return output.ToArray();
    }

    static void WriteU16(Stream s, ushort v, bool big)
    {
        Span<byte> b = stackalloc byte[2];
        if (big) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    static void WriteU32(Stream s, uint v, bool big)
    {
        Span<byte> b = stackalloc byte[4];
        if (big) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }
}
