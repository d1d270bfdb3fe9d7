using System.IO.Compression;
using PartRobust.Data.Formats;
using Xunit;
using static PartRobust.Tests.Data.Formats.TiffBytes;

namespace PartRobust.Tests.Data.Formats;

public class TiffReaderTests
{
    // 4x5 values that exercise sign and width: row-major, rows of 4.
    static long[] Values(int bits, bool signed)
    {
        long min = signed ? -(1L << (bits - 1)) : 0, max = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
        if (bits == 32 && !signed) max = int.MaxValue; // unsigned 32-bit values above int.MaxValue are refused (tested below)
        var v = new long[20];
        for (int i = 0; i < 20; i++) v[i] = min + (max - min) * i / 19;
        v[7] = signed ? -1 : 1;
        return v;
    }

    public static TheoryData<bool, int, bool> Layouts()
    {
        var d = new TheoryData<bool, int, bool>();
        foreach (bool big in new[] { false, true })
            foreach (int bits in new[] { 8, 16, 32 })
                foreach (bool signed in new[] { false, true })
                    d.Add(big, bits, signed);
        return d;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Uncompressed_strips_of_two_rows_in_both_byte_orders(bool big, int bits, bool signed)
    {
        var v = Values(bits, signed);
        // 5 rows, RowsPerStrip 2: strips of 2, 2 and 1 rows.
        var strips = new[] { v[..8], v[8..16], v[16..] }.Select(s => Samples(s, bits, big)).ToList();
        var tif = Image(big, 4, 5, bits, signed ? 2 : 1, 1, strips, rowsPerStrip: 2);
        var img = TiffReader.Read(tif, "t.tif");
        Assert.Equal((4, 5), (img.Width, img.Height));
        Assert.Equal(v.Select(x => (int)x), img.Pixels);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Deflate_with_horizontal_predictor_in_both_byte_orders(bool big, int bits, bool signed)
    {
        var v = Values(bits, signed);
        long mask = bits == 32 ? 0xffffffffL : (1L << bits) - 1;
        // Predictor 2: each sample stores the difference to its left neighbour, modulo 2^bits, row by row.
        var diffs = v.Select((x, i) => i % 4 == 0 ? x & mask : (x - v[i - 1]) & mask);
        var strip = Zlib(Samples(diffs, bits, big));
        foreach (int code in new[] { 8, 32946 })
        {
            var img = TiffReader.Read(Image(big, 4, 5, bits, signed ? 2 : 1, code, [strip], predictor: 2), "t.tif");
            Assert.Equal(v.Select(x => (int)x), img.Pixels);
        }
    }

    [Fact]
    public void Lzw_hand_coded_streams_including_the_KwKwK_case()
    {
        // 4 bytes of 7: Clear, 7, 258 ("77"), 7, EOI.
        var a = PackCodes((256, 9), (7, 9), (258, 9), (7, 9), (257, 9));
        Assert.Equal([7, 7, 7, 7], TiffReader.Read(Image(false, 4, 1, 8, 1, 5, [a]), "a.tif").Pixels);
        // 3 bytes of 7: the second code (258) is the entry being defined (KwKwK).
        var b = PackCodes((256, 9), (7, 9), (258, 9), (257, 9));
        Assert.Equal([7, 7, 7], TiffReader.Read(Image(false, 3, 1, 8, 1, 5, [b]), "b.tif").Pixels);
        // A Clear in the middle resets the table; 16-bit big-endian samples 0x0102, 0x0102 = bytes 1 2 1 2 → Clear 1 2 Clear 1 2 EOI.
        var c = PackCodes((256, 9), (1, 9), (2, 9), (256, 9), (1, 9), (2, 9), (257, 9));
        Assert.Equal([0x0102, 0x0102], TiffReader.Read(Image(true, 2, 1, 16, 1, 5, [c]), "c.tif").Pixels);
    }

    [Fact]
    public void Lzw_codes_widen_early_and_the_table_resets_as_libtiff_writes()
    {
        // Our encoder follows libtiff's code-width and reset rules; 40 KB of mixed data passes 9..12 bits and several Clears.
        var rng = new Random(5);
        var data = new byte[40_000];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i % 3000 < 1500 ? rng.Next(256) : (i / 7) % 5);
        var encoded = TiffLzw.Encode(data);
        var back = new byte[data.Length];
        Assert.Equal(data.Length, TiffLzw.Decode(encoded, back));
        Assert.Equal(data, back);
        foreach (int n in new[] { 0, 1, 2, 253, 254, 255, 256, 510, 511, 1021, 3000 })
        {
            var d = data[..n];
            var o = new byte[n];
            Assert.Equal(n, TiffLzw.Decode(TiffLzw.Encode(d), o));
            Assert.Equal(d, o);
        }
    }

    [Fact]
    public void A_single_uncompressed_strip_may_leave_out_its_byte_count()
    {
        // Some writers omit StripByteCounts (279) for one raw strip; its size is then W*H*bytes.
        var tif = RemoveTag(Image(true, 2, 2, 16, 2, 1, [Samples([-3, 4, 5, -6], 16, true)]), 279);
        Assert.Equal([-3, 4, 5, -6], TiffReader.Read(tif, "n.tif").Pixels);
        var lzw = RemoveTag(Image(false, 3, 1, 8, 1, 5, [PackCodes((256, 9), (7, 9), (258, 9), (257, 9))]), 279);
        Assert.Contains("StripByteCounts tag (279) is missing", Assert.Throws<InvalidDataException>(() => TiffReader.Read(lzw, "l.tif")).Message);
    }

    [Fact]
    public void PackBits_hand_coded_runs()
    {
        // literal 3 (n=2), repeat 9 four times (n=-3), no-op (-128), literal 1 (n=0).
        byte[] strip = [2, 1, 2, 3, 0xFD, 9, 0x80, 0, 4];
        Assert.Equal([1, 2, 3, 9, 9, 9, 9, 4], TiffReader.Read(Image(false, 8, 1, 8, 1, 32773, [strip]), "p.tif").Pixels);
    }

    [Fact]
    public void Tiles_are_clipped_to_the_image()
    {
        // 3x3 image in 2x2 tiles (2 across, 2 down); padding samples are 99 and must not appear.
        byte[] T(params int[] v) => Samples(v.Select(x => (long)x), 8, false);
        var tiles = new[] { T(0, 1, 3, 4), T(2, 99, 5, 99), T(6, 7, 99, 99), T(8, 99, 99, 99) };
        var img = TiffReader.Read(Image(false, 3, 3, 8, 1, 1, tiles, tileSize: (2, 2)), "t.tif");
        Assert.Equal(Enumerable.Range(0, 9), img.Pixels);
    }

    static readonly string[] RealFileNames = ["PillowNone", "PillowLzw", "PillowDeflate", "PillowPackBits",
        "LibtiffBigEndianLzwPredictorStrips", "LibtiffBigEndianDeflatePredictorTiles", "LibtiffPackBitsStrips"];

    public static TheoryData<string> RealFiles() => new(RealFileNames);

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Reads_int32_files_written_by_Pillow_and_libtiff(string fixture)
    {
        var bytes = (byte[])typeof(TiffFixtures).GetProperty(fixture)!.GetValue(null)!;
        var img = TiffReader.Read(bytes, fixture);
        Assert.Equal((TiffFixtures.Width, TiffFixtures.Height), (img.Width, img.Height));
        Assert.Equal(TiffFixtures.Int32Pattern(), img.Pixels);
    }

    [Fact]
    public void Reads_8_and_16_bit_files_with_predictor_written_by_libtiff()
    {
        Assert.Equal(TiffFixtures.UInt16Pattern(), TiffReader.Read(TiffFixtures.LibtiffBigEndianUInt16LzwPredictor, "u16").Pixels);
        Assert.Equal(TiffFixtures.UInt8Pattern(), TiffReader.Read(TiffFixtures.LibtiffUInt8LzwPredictor, "u8").Pixels);
    }

    public static TheoryData<string, string> BadHeaders() => new()
    {
        { "", "too short" },
        { "4949", "too short" },
        { "89504e470d0a1a0a0000", "expected the byte-order mark" },
        { "49492b00080000000000", "BigTIFF is not supported" },
        { "4d4d002b0008000000000000", "BigTIFF is not supported" },
        { "49492900080000000000", "unknown TIFF version 41" },
        { "49492a00ff0000000000", "first IFD offset 255 is outside the file" },
        { "49492a000800000005000001", "runs past the end of the file" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Bad_headers_give_one_line_messages_naming_the_file(string hex, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => TiffReader.Read(Convert.FromHexString(hex), "bad.tif"));
        Assert.StartsWith("bad.tif: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    public static TheoryData<string, string> Unsupported() => new()
    {
        { "float", "sample format 3 (floating point) is not supported" },
        { "rgb", "3 samples per pixel" },
        { "1bit", "1 bits per sample" },
        { "jpeg", "compression 7 is not supported" },
        { "predictor3", "predictor 3 is not supported" },
        { "uint32-too-big", "does not fit a 32-bit signed integer" },
        { "old-lzw", "old-style" },
        { "short-strip", "strip 0 has 8 bytes (expected 16)" },
        { "bad-lzw-code", "LZW code 300 is not in the table" },
        { "truncated-deflate", "strip 0" },
        { "no-offsets", "StripOffsets tag (273) is missing" },
        { "no-width", "ImageWidth tag (256) is missing" },
        { "huge", "exceeds" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Unsupported_or_corrupt_content_is_refused_with_a_reason(string kind, string expected)
    {
        byte[] four = Samples([1, 2, 3, 4], 32, false);
        byte[] tif = kind switch
        {
            "float" => Image(false, 4, 1, 32, 3, 1, [four]),
            "rgb" => TiffBytes.Build(false, [four], [Long(256, 4), Long(257, 1), Short(258, 8, 8, 8), Short(277, 3), Long(278, 1)], false),
            "1bit" => Image(false, 4, 1, 1, 1, 1, [four]),
            "jpeg" => Image(false, 4, 1, 32, 1, 7, [four]),
            "predictor3" => Image(false, 4, 1, 32, 1, 8, [Zlib(four)], predictor: 3),
            "uint32-too-big" => Image(false, 4, 1, 32, 1, 1, [Samples([1, 2, 3, 0x80000000L], 32, false)]),
            "old-lzw" => Image(false, 4, 1, 8, 1, 5, [[0x00, 0x01, 0x02, 0x03]]),
            "short-strip" => Image(false, 4, 1, 32, 1, 1, [four[..8]]),
            "bad-lzw-code" => Image(false, 4, 1, 8, 1, 5, [PackCodes((256, 9), (7, 9), (300, 9))]),
            "truncated-deflate" => Image(false, 4, 1, 32, 1, 8, [Zlib(four)[..6]]),
            "no-offsets" => RemoveTag(Image(false, 4, 1, 32, 1, 1, [four]), 273),
            "no-width" => RemoveTag(Image(false, 4, 1, 32, 1, 1, [four]), 256),
            "huge" => Image(false, 1 << 16, 1 << 14, 32, 1, 1, [four]),
            _ => throw new ArgumentException(kind),
        };
        var e = Assert.Throws<InvalidDataException>(() => TiffReader.Read(tif, $"{kind}.tif"));
        Assert.StartsWith($"{kind}.tif: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Every_truncation_and_random_corruption_of_real_files_gives_InvalidDataException_or_a_result()
    {
        var rng = new Random(11);
        foreach (string name in RealFileNames.Append("LibtiffBigEndianUInt16LzwPredictor"))
        {
            var bytes = (byte[])typeof(TiffFixtures).GetProperty(name)!.GetValue(null)!;
            for (int n = 0; n < bytes.Length; n++)
                Survives(bytes[..n], name);
            for (int k = 0; k < 300; k++)
            {
                var copy = (byte[])bytes.Clone();
                for (int f = 0; f < 1 + k % 4; f++) copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                Survives(copy, name);
            }
        }

        static void Survives(byte[] data, string name)
        {
            try { TiffReader.Read(data, name); }
            catch (InvalidDataException e) { Assert.StartsWith(name + ": ", e.Message); Assert.DoesNotContain('\n', e.Message); }
        }
    }

    [Fact]
    public void Truncated_strip_data_names_the_strip()
    {
        var bytes = TiffFixtures.PillowLzw;
        // Pillow writes strips first and the IFD last: cut out the middle of the strip data, keeping the IFD.
        var img = TiffReader.Read(bytes, "ok");
        Assert.Equal(TiffFixtures.Int32Pattern(), img.Pixels);
        var broken = (byte[])bytes.Clone();
        Array.Clear(broken, 8, 300); // zeros decode as old-style LZW or bad codes
        var e = Assert.Throws<InvalidDataException>(() => TiffReader.Read(broken, "x.tif"));
        Assert.Contains("strip 0", e.Message);
    }

    static byte[] Zlib(byte[] data)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    // Renames a tag in the IFD (to 65000, which readers ignore), as if it were missing.
    static byte[] RemoveTag(byte[] tif, ushort tag)
    {
        bool big = tif[0] == 'M';
        uint ifd = big ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(tif.AsSpan(4)) : BitConverter.ToUInt32(tif, 4);
        int n = big ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(tif.AsSpan((int)ifd)) : BitConverter.ToUInt16(tif, (int)ifd);
        var copy = (byte[])tif.Clone();
        for (int i = 0; i < n; i++)
        {
            int at = (int)ifd + 2 + 12 * i;
            int id = big ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(at)) : BitConverter.ToUInt16(copy, at);
            if (id == tag) { copy[at] = 0xFD; copy[at + 1] = 0xE8; }
        }
        return copy;
    }
}
