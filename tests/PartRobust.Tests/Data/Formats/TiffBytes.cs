using System.Buffers.Binary;

namespace PartRobust.Tests.Data.Formats;

/// <summary>Builds TIFF files byte by byte for the reader tests: a header, the given strip/tile payloads, then one IFD with the given tags.</summary>
static class TiffBytes
{
    public record struct Tag(ushort Id, ushort Type, uint[] Values);

    public static Tag Short(ushort id, params uint[] v) => new(id, 3, v);
    public static Tag Long(ushort id, params uint[] v) => new(id, 4, v);

    /// <summary>A single-channel image with the given sample layout and payload blocks (strips, or tiles when tileSize is set).</summary>
    public static byte[] Image(bool big, int width, int height, int bitsPerSample, int sampleFormat, int compression,
        IReadOnlyList<byte[]> blocks, int rowsPerStrip = 0, int predictor = 1, (int W, int H)? tileSize = null, IEnumerable<Tag>? extra = null)
    {
        var tags = new List<Tag>
        {
            Long(256, (uint)width), Long(257, (uint)height), Short(258, (uint)bitsPerSample), Short(259, (uint)compression),
            Short(262, 1), Short(277, 1), Short(339, (uint)sampleFormat),
        };
        if (predictor != 1) tags.Add(Short(317, (uint)predictor));
        if (tileSize is { } t) { tags.Add(Long(322, (uint)t.W)); tags.Add(Long(323, (uint)t.H)); }
        else tags.Add(Long(278, (uint)(rowsPerStrip > 0 ? rowsPerStrip : height)));
        if (extra is not null) tags.AddRange(extra);
        return Build(big, blocks, tags, tileSize is not null);
    }

    /// <summary>Header, blocks, then an IFD whose offset/count tags (273/279 or 324/325) point at the blocks.</summary>
    public static byte[] Build(bool big, IReadOnlyList<byte[]> blocks, List<Tag> tags, bool tiled)
    {
        var file = new List<byte>();
        file.AddRange(big ? "MM"u8.ToArray() : "II"u8.ToArray());
        file.AddRange(U16(42, big));
        file.AddRange(U32(0, big));
        var offsets = new uint[blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            offsets[i] = (uint)file.Count;
            file.AddRange(blocks[i]);
            if (file.Count % 2 == 1) file.Add(0);
        }
        var all = new List<Tag>(tags)
        {
            Long(tiled ? (ushort)324 : (ushort)273, offsets),
            Long(tiled ? (ushort)325 : (ushort)279, blocks.Select(b => (uint)b.Length).ToArray()),
        };
        all.Sort((a, b) => a.Id.CompareTo(b.Id));
        // Values longer than 4 bytes go after the IFD.
        uint ifd = (uint)file.Count;
        uint extraAt = ifd + 2 + 12 * (uint)all.Count + 4;
        var extraBytes = new List<byte>();
        file.AddRange(U16((ushort)all.Count, big));
        foreach (var t in all)
        {
            int size = t.Type == 3 ? 2 : 4;
            file.AddRange(U16(t.Id, big)); file.AddRange(U16(t.Type, big)); file.AddRange(U32((uint)t.Values.Length, big));
            var payload = t.Values.SelectMany(v => size == 2 ? U16((ushort)v, big) : U32(v, big)).ToList();
            if (payload.Count <= 4) { while (payload.Count < 4) payload.Add(0); file.AddRange(payload); }
            else { file.AddRange(U32(extraAt + (uint)extraBytes.Count, big)); extraBytes.AddRange(payload); }
        }
        file.AddRange(U32(0, big));
        file.AddRange(extraBytes);
        var bytes = file.ToArray();
        if (big) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ifd); else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ifd);
        return bytes;
    }

    /// <summary>Samples of the given width (8/16/32 bits) in the given byte order.</summary>
    public static byte[] Samples(IEnumerable<long> values, int bitsPerSample, bool big) =>
        values.SelectMany(v => bitsPerSample switch
        {
            8 => [(byte)v],
            16 => U16((ushort)v, big),
            _ => U32((uint)v, big),
        }).ToArray();

    public static byte[] U16(ushort v, bool big)
    {
        var b = new byte[2];
        if (big) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    public static byte[] U32(uint v, bool big)
    {
        var b = new byte[4];
        if (big) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    /// <summary>Packs LZW codes of the given widths most-significant bit first, zero-padded to a byte.</summary>
    public static byte[] PackCodes(params (int Code, int Width)[] codes)
    {
        var bits = new List<bool>();
        foreach (var (code, width) in codes) for (int b = width - 1; b >= 0; b--) bits.Add(((code >> b) & 1) != 0);
        while (bits.Count % 8 != 0) bits.Add(false);
        var bytes = new byte[bits.Count / 8];
        for (int i = 0; i < bits.Count; i++) if (bits[i]) bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        return bytes;
    }
}
