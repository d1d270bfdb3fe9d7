using System.Buffers.Binary;
using System.IO.Compression;

namespace PartRobust.Data.Formats;

/// <summary>
/// A managed reader for single-channel integer TIFF label maps: classic TIFF in either byte order (<c>II</c>/<c>MM</c>),
/// the first image (IFD) only, strips or tiles, compression none, LZW (with or without the horizontal predictor),
/// Deflate (8 and the old 32946) and PackBits, 8/16/32-bit unsigned or signed samples, one sample per pixel.
/// That covers Pillow's mode-I TIFFs (what the paper's code writes with <c>Image.fromarray(int32).save("*.tif")</c>,
/// any of its compressions) and the Cityscapes-Panoptic-Parts <c>*_gtFinePanopticParts.tif</c> uid maps.
/// Every malformed or truncated input gives a one-line <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class TiffReader
{
    /// <summary>Largest image accepted (pixels), so a corrupt header cannot ask for an absurd allocation.</summary>
    public const long MaxPixels = 1L << 28;

    const int TagWidth = 256, TagHeight = 257, TagBitsPerSample = 258, TagCompression = 259, TagFillOrder = 266,
        TagStripOffsets = 273, TagSamplesPerPixel = 277, TagRowsPerStrip = 278, TagStripByteCounts = 279,
        TagPredictor = 317, TagTileWidth = 322, TagTileLength = 323, TagTileOffsets = 324, TagTileByteCounts = 325,
        TagSampleFormat = 339;

    static readonly HashSet<int> Wanted =
    [
        TagWidth, TagHeight, TagBitsPerSample, TagCompression, TagFillOrder, TagStripOffsets, TagSamplesPerPixel,
        TagRowsPerStrip, TagStripByteCounts, TagPredictor, TagTileWidth, TagTileLength, TagTileOffsets,
        TagTileByteCounts, TagSampleFormat,
    ];

    /// <summary>Reads the TIFF file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a TIFF this reader supports, or is corrupt or truncated.</exception>
    public static TiffImage ReadFile(string path) => Read(File.ReadAllBytes(path), path);

    /// <summary>Reads a TIFF from its bytes; <paramref name="name"/> (usually the path) prefixes every error message.</summary>
    /// <exception cref="InvalidDataException">Not a supported TIFF, or corrupt or truncated.</exception>
    public static TiffImage Read(byte[] data, string name)
    {
        try { return new Parser(data, name).Read(); }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidOperationException)
        {
            // A safety net: every known malformation has its own check; anything else still reports the file in one line.
            throw new InvalidDataException($"{name}: malformed TIFF ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
    }

    sealed class Parser(byte[] data, string name)
    {
        bool _big;

        InvalidDataException Bad(string what) => new($"{name}: {what}");

        ushort U16(long at) => _big ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan((int)at, 2)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan((int)at, 2));
        uint U32(long at) => _big ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan((int)at, 4)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at, 4));

        public TiffImage Read()
        {
            if (data.Length < 8) throw Bad($"file has {data.Length} bytes, too short for a TIFF header (expected at least 8)");
            if (data[0] == (byte)'I' && data[1] == (byte)'I') _big = false;
            else if (data[0] == (byte)'M' && data[1] == (byte)'M') _big = true;
            else throw Bad("not a TIFF file (expected the byte-order mark 'II' or 'MM')");
            int version = U16(2);
            if (version == 43) throw Bad("BigTIFF is not supported (expected classic TIFF, version 42)");
            if (version != 42) throw Bad($"unknown TIFF version {version} (expected 42)");
            long ifd = U32(4);
            if (ifd < 8 || ifd + 2 > data.Length) throw Bad($"first IFD offset {ifd} is outside the file ({data.Length} bytes)");
            int entries = U16(ifd);
            if (entries == 0) throw Bad("first IFD has no entries");
            if (ifd + 2 + 12L * entries > data.Length) throw Bad($"first IFD ({entries} entries at offset {ifd}) runs past the end of the file ({data.Length} bytes)");

            var tags = new Dictionary<int, long[]>();
            for (int i = 0; i < entries; i++)
            {
                long e = ifd + 2 + 12L * i;
                int tag = U16(e);
                if (Wanted.Contains(tag)) tags[tag] = ReadValues(tag, U16(e + 2), U32(e + 4), e + 8);
            }
            return Decode(tags);
        }

        long[] ReadValues(int tag, int type, uint count, long valueField)
        {
            int size = type switch { 1 or 6 or 7 => 1, 3 or 8 => 2, 4 or 9 or 13 => 4, _ => 0 };
            if (size == 0) throw Bad($"tag {tag} has field type {type} (expected an integer type BYTE, SHORT or LONG)");
            if (count == 0) throw Bad($"tag {tag} has no values");
            long bytes = (long)count * size;
            long at = bytes <= 4 ? valueField : U32(valueField);
            if (at + bytes > data.Length) throw Bad($"tag {tag} ({count} values at offset {at}) runs past the end of the file ({data.Length} bytes)");
            var values = new long[count];
            for (long i = 0; i < count; i++)
            {
                long p = at + i * size;
                values[i] = type switch
                {
                    1 or 7 => data[p],
                    6 => (sbyte)data[p],
                    3 => U16(p),
                    8 => (short)U16(p),
                    9 => (int)U32(p),
                    _ => U32(p),
                };
            }
            return values;
        }

        long Scalar(Dictionary<int, long[]> tags, int tag, string what, long? fallback)
        {
            if (tags.TryGetValue(tag, out var v)) return v[0];
            return fallback ?? throw Bad($"{what} tag ({tag}) is missing");
        }

        TiffImage Decode(Dictionary<int, long[]> tags)
        {
            long width = Scalar(tags, TagWidth, "ImageWidth", null), height = Scalar(tags, TagHeight, "ImageLength", null);
            if (width <= 0 || height <= 0) throw Bad($"image size {width}x{height} (expected positive width and height)");
            if (width * height > MaxPixels) throw Bad($"image size {width}x{height} exceeds {MaxPixels} pixels");
            int w = (int)width, h = (int)height;

            long spp = Scalar(tags, TagSamplesPerPixel, "SamplesPerPixel", 1);
            if (spp != 1) throw Bad($"{spp} samples per pixel (expected a single-channel image)");
            long bps = Scalar(tags, TagBitsPerSample, "BitsPerSample", 1);
            if (bps is not (8 or 16 or 32)) throw Bad($"{bps} bits per sample (expected 8, 16 or 32)");
            long format = Scalar(tags, TagSampleFormat, "SampleFormat", 1);
            if (format is not (1 or 2))
                throw Bad($"sample format {format}{(format == 3 ? " (floating point)" : "")} is not supported (expected 1 unsigned or 2 signed integer)");
            long compression = Scalar(tags, TagCompression, "Compression", 1);
            if (compression is not (1 or 5 or 8 or 32946 or 32773))
                throw Bad($"compression {compression} is not supported (expected 1 none, 5 LZW, 8/32946 Deflate or 32773 PackBits)");
            long predictor = Scalar(tags, TagPredictor, "Predictor", 1);
            if (predictor is not (1 or 2)) throw Bad($"predictor {predictor} is not supported (expected 1 none or 2 horizontal differencing)");
            if (Scalar(tags, TagFillOrder, "FillOrder", 1) != 1) throw Bad("fill order 2 (LSB-first bytes) is not supported (expected 1)");

            int bytesPerSample = (int)bps / 8;
            var layout = Layout(tags, w, h, compression, bytesPerSample);
            var pixels = new int[(long)w * h];
            var sample = new SampleFormat(bytesPerSample, format == 2, predictor == 2, _big);
            byte[]? buffer = compression == 1 ? null : new byte[layout.BlockWidth * layout.BlockHeight * bytesPerSample];
            for (int b = 0; b < layout.Offsets.Length; b++)
            {
                int x0 = layout.BlockWidth * (b % layout.Across), y0 = layout.BlockHeight * (b / layout.Across);
                if (y0 >= h) break;
                // Strips cover whole rows and the last one may be short; tiles always hold full (padded) blocks.
                int rows = layout.IsTiled ? layout.BlockHeight : Math.Min(layout.BlockHeight, h - y0);
                int expected = rows * layout.BlockWidth * bytesPerSample;
                long offset = layout.Offsets[b], count = layout.Counts[b];
                string what = layout.IsTiled ? $"tile {b}" : $"strip {b}";
                if (offset < 0 || count < 0 || offset + count > data.Length)
                    throw Bad($"{what} ({count} bytes at offset {offset}) runs past the end of the file ({data.Length} bytes)");
                var src = data.AsSpan((int)offset, (int)count);
                ReadOnlySpan<byte> raw;
                if (compression == 1)
                {
                    if (count < expected) throw Bad($"{what} has {count} bytes (expected {expected})");
                    raw = src[..expected];
                }
                else
                {
                    int got = Decompress(compression, src, buffer.AsSpan(0, expected), what);
                    if (got < expected) throw Bad($"{what} decodes to {got} bytes (expected {expected}; truncated or corrupt data)");
                    raw = buffer.AsSpan(0, expected);
                }
                Place(raw, sample, layout.BlockWidth, rows, x0, y0, w, h, pixels);
            }
            return new TiffImage(w, h, pixels);
        }

        int Decompress(long compression, ReadOnlySpan<byte> src, Span<byte> dst, string what)
        {
            try
            {
                switch (compression)
                {
                    case 5: return TiffLzw.Decode(src, dst);
                    case 32773: return TiffPackBits.Decode(src, dst);
                    default:
                        using (var z = new ZLibStream(new MemoryStream(src.ToArray(), writable: false), CompressionMode.Decompress))
                        {
                            int total = 0, n;
                            while (total < dst.Length && (n = z.Read(dst[total..])) > 0) total += n;
                            return total;
                        }
                }
            }
            catch (InvalidDataException e) { throw Bad($"{what}: {e.Message.Split('\n')[0]}"); }
        }

        sealed record BlockLayout(bool IsTiled, int BlockWidth, int BlockHeight, int Across, long[] Offsets, long[] Counts);

        BlockLayout Layout(Dictionary<int, long[]> tags, int w, int h, long compression, int bytesPerSample)
        {
            if (tags.ContainsKey(TagTileWidth) || tags.ContainsKey(TagTileOffsets))
            {
                long tw = Scalar(tags, TagTileWidth, "TileWidth", null), th = Scalar(tags, TagTileLength, "TileLength", null);
                if (tw <= 0 || th <= 0 || tw * th > MaxPixels) throw Bad($"tile size {tw}x{th} (expected positive and at most {MaxPixels} pixels)");
                long across = (w + tw - 1) / tw, down = (h + th - 1) / th;
                var offsets = tags.GetValueOrDefault(TagTileOffsets) ?? throw Bad($"TileOffsets tag ({TagTileOffsets}) is missing");
                var counts = tags.GetValueOrDefault(TagTileByteCounts) ?? throw Bad($"TileByteCounts tag ({TagTileByteCounts}) is missing");
                if (offsets.Length < across * down || counts.Length < across * down)
                    throw Bad($"{offsets.Length} tile offsets and {counts.Length} byte counts (expected {across * down} tiles of {tw}x{th})");
                return new BlockLayout(true, (int)tw, (int)th, (int)across, offsets[..(int)(across * down)], counts);
            }
            long rps = Scalar(tags, TagRowsPerStrip, "RowsPerStrip", h);
            if (rps <= 0 || rps > h) rps = h; // 2^32-1 (the default) and any value past the height mean one strip
            long strips = (h + rps - 1) / rps;
            var stripOffsets = tags.GetValueOrDefault(TagStripOffsets) ?? throw Bad($"StripOffsets tag ({TagStripOffsets}) is missing");
            if (stripOffsets.Length < strips) throw Bad($"{stripOffsets.Length} strip offsets (expected {strips} strips of {rps} rows)");
            var stripCounts = tags.GetValueOrDefault(TagStripByteCounts);
            if (stripCounts is null)
            {
                // Some writers leave out StripByteCounts for a single uncompressed strip; its size is then implied.
                if (compression != 1 || strips != 1) throw Bad($"StripByteCounts tag ({TagStripByteCounts}) is missing");
                stripCounts = [(long)w * h * bytesPerSample];
            }
            if (stripCounts.Length < strips) throw Bad($"{stripCounts.Length} strip byte counts (expected {strips})");
            return new BlockLayout(false, w, (int)rps, 1, stripOffsets[..(int)strips], stripCounts);
        }

        void Place(ReadOnlySpan<byte> raw, SampleFormat s, int blockWidth, int rows, int x0, int y0, int w, int h, int[] pixels)
        {
            int rowBytes = blockWidth * s.Bytes;
            int cols = Math.Min(blockWidth, w - x0);
            for (int r = 0; r < rows && y0 + r < h; r++)
            {
                var row = raw.Slice(r * rowBytes, rowBytes);
                int dst = (y0 + r) * w + x0;
                uint acc = 0;
                for (int c = 0; c < blockWidth; c++)
                {
                    uint v = s.Raw(row, c);
                    if (s.Predictor) { v = (acc + v) & s.Mask; acc = v; }
                    else if (c >= cols) break;
                    if (c >= cols) continue;
                    int value = s.ToInt32(v, out bool ok);
                    if (!ok) throw Bad($"value {v} at ({x0 + c},{y0 + r}) does not fit a 32-bit signed integer");
                    pixels[dst + c] = value;
                }
            }
        }
    }

    readonly record struct SampleFormat(int Bytes, bool Signed, bool Predictor, bool BigEndian)
    {
        public uint Mask => Bytes == 4 ? uint.MaxValue : (1u << (8 * Bytes)) - 1;

        public uint Raw(ReadOnlySpan<byte> row, int c) => Bytes switch
        {
            1 => row[c],
            2 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(row[(2 * c)..]) : BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * c)..]),
            _ => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(row[(4 * c)..]) : BinaryPrimitives.ReadUInt32LittleEndian(row[(4 * c)..]),
        };

        public int ToInt32(uint v, out bool ok)
        {
            ok = true;
            if (Signed) return Bytes switch { 1 => (sbyte)v, 2 => (short)v, _ => unchecked((int)v) };
            if (v > int.MaxValue) { ok = false; return 0; }
            return (int)v;
        }
    }
}
