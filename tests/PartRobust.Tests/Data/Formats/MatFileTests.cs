using System.IO.Compression;
using PartRobust.Data.Formats;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Data.Formats;

public sealed class MatFileTests
{
    static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    static byte[] Header(string endian = "IM")
    {
        var h = new byte[128];
        Array.Fill(h, (byte)' ', 0, 116);
        "MATLAB 5.0 MAT-file, hand-made"u8.ToArray().CopyTo(h, 0);
        Array.Clear(h, 116, 8);
        h[124] = 0; h[125] = 1; h[126] = (byte)endian[0]; h[127] = (byte)endian[1];
        return h;
    }

    // Written by hand from the MAT-file format description, independent of MatFileWriter:
    //   x = 3.5 (double), m = uint8([1 2 3; 4 5 6]) (column-major 1 4 2 5 3 6), k = uint8(7) with small-element data.
    static readonly byte[] HandMade =
    [
        .. Header(),
        .. Hex("0E000000 38000000"),                                            // miMATRIX, 56 bytes
        .. Hex("06000000 08000000 06000000 00000000"),                          // flags: mxDOUBLE_CLASS
        .. Hex("05000000 08000000 01000000 01000000"),                          // dims 1x1
        .. Hex("01000100 78000000"),                                            // name 'x' (small element)
        .. Hex("09000000 08000000 0000000000000C40"),                           // miDOUBLE 3.5
        .. Hex("0E000000 38000000"),
        .. Hex("06000000 08000000 09000000 00000000"),                          // mxUINT8_CLASS
        .. Hex("05000000 08000000 02000000 03000000"),                          // dims 2x3
        .. Hex("01000100 6D000000"),                                            // 'm'
        .. Hex("02000000 06000000 010402050306 0000"),                          // miUINT8, column-major, padded
        .. Hex("0E000000 30000000"),
        .. Hex("06000000 08000000 09000000 00000000"),
        .. Hex("05000000 08000000 01000000 01000000"),
        .. Hex("01000100 6B000000"),                                            // 'k'
        .. Hex("02000100 07000000"),                                            // small miUINT8 data: 7
    ];

    [Fact]
    public void HandMadeFile_ReadsValuesColumnMajorAndSmallElements()
    {
        var vars = MatFile.Read(HandMade, "hand.mat");
        Assert.Equal(new[] { "k", "m", "x" }, vars.Keys.Order());
        var x = Assert.IsType<MatArray>(vars["x"]);
        Assert.Equal((MatClass.Double, MatDataType.Double, 3.5), (x.Class, x.StoredType, x.Scalar()));
        var m = Assert.IsType<MatArray>(vars["m"]);
        Assert.Equal(new[] { 2, 3 }, m.Dimensions);
        Assert.Equal((2, 3), (m.Rows, m.Columns));
        Assert.Equal(4.0, m.At(1, 0));
        Assert.Equal(2.0, m.At(0, 1));
        Assert.Equal(4.0, m[1]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, m.ToRowMajorBytes());
        Assert.Equal(7.0, Assert.IsType<MatArray>(vars["k"]).Scalar());
    }

    [Fact]
    public void Writer_StoresColumnMajorAndUsesSmallElementsForShortNames()
    {
        var bytes = MatFileWriter.Write(false, ("m", MatNode.UInt8(new byte[,] { { 1, 2, 3 }, { 4, 5, 6 } })));
        Assert.Equal(HandMade.AsSpan(128 + 64, 64).ToArray(), bytes.AsSpan(128).ToArray());
    }

    static MatNode Anno() => MatNode.Struct(
        ("imname", MatNode.Char("2008_000001")),
        ("objects", MatNode.StructArray(["class", "class_ind", "mask", "parts"],
            [MatNode.Char("dog", MatDataType.Utf8), MatNode.Double(12, MatDataType.UInt8),
             MatNode.UInt8(new byte[,] { { 0, 1, 1 }, { 0, 0, 1 } }),
             MatNode.StructArray(["part_name", "mask"],
                 [MatNode.Char("head"), MatNode.UInt8(new byte[,] { { 0, 1, 0 }, { 0, 0, 0 } })],
                 [MatNode.Char("lfleg", MatDataType.UInt8), MatNode.UInt8(new byte[,] { { 0, 0, 1 }, { 0, 0, 1 } }, logical: true)])],
            [MatNode.Char("chair"), MatNode.Double(9), MatNode.UInt8(new byte[,] { { 1, 0, 0 }, { 1, 1, 0 } }), MatNode.Empty()])),
        ("extra", MatNode.Cell(MatNode.Doubles(new double[,] { { -1.5, 2 }, { 1e10, 0 } }), MatNode.Char(""),
            MatNode.Doubles(new double[,] { { -3, 300 } }, MatDataType.Int16))));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTrip_StructArraysCharsNumbersCellsEmpties(bool compress)
    {
        var bytes = MatFileWriter.Write(compress, ("anno", Anno()), ("n", MatNode.Double(-2.25)));
        Assert.Equal(compress, BitConverter.ToUInt32(bytes, 128) == 15);
        var vars = MatFile.Read(bytes, "rt.mat");
        Assert.Equal(-2.25, ((MatArray)vars["n"]).Scalar());
        var anno = Assert.IsType<MatStruct>(vars["anno"]);
        Assert.Equal(new[] { "imname", "objects", "extra" }, anno.FieldNames);
        Assert.Equal("2008_000001", ((MatChar)anno.Field("imname")).Text);
        var objects = Assert.IsType<MatStruct>(anno.Field("objects"));
        Assert.Equal(new[] { 1, 2 }, objects.Dimensions);
        Assert.Equal("anno.objects", objects.Path);
        Assert.Equal("dog", ((MatChar)objects[0, "class"]).Text);
        Assert.Equal("chair", ((MatChar)objects[1, "class"]).Text);
        var classInd = (MatArray)objects[0, "class_ind"];
        Assert.Equal((MatClass.Double, MatDataType.UInt8, 12.0), (classInd.Class, classInd.StoredType, classInd.Scalar()));
        Assert.Equal(new byte[] { 0, 1, 1, 0, 0, 1 }, ((MatArray)objects[0, "mask"]).ToRowMajorBytes());
        Assert.Equal(new byte[] { 1, 0, 0, 1, 1, 0 }, ((MatArray)objects[1, "mask"]).ToRowMajorBytes());
        var parts = (MatStruct)objects[0, "parts"];
        Assert.Equal("anno.objects(1).parts", parts.Path);
        Assert.Equal(new[] { "head", "lfleg" }, new[] { ((MatChar)parts[0, "part_name"]).Text, ((MatChar)parts[1, "part_name"]).Text });
        var leg = (MatArray)parts[1, "mask"];
        Assert.True(leg.IsLogical);
        Assert.Equal(new byte[] { 0, 0, 1, 0, 0, 1 }, leg.ToRowMajorBytes());
        Assert.True(objects[1, "parts"].IsEmpty);
        var extra = Assert.IsType<MatCell>(anno.Field("extra"));
        Assert.Equal(new[] { -1.5, 1e10, 2, 0 }, ((MatArray)extra[0]).ToDoubles());
        Assert.Equal("", ((MatChar)extra[1]).Text);
        var shorts = (MatArray)extra[2];
        Assert.Equal((MatDataType.Int16, -3.0, 300.0), (shorts.StoredType, shorts.At(0, 0), shorts.At(0, 1)));
        var ex = Assert.Throws<InvalidDataException>(() => shorts.ToRowMajorBytes());
        Assert.StartsWith("rt.mat: anno.extra{3}: value -3", ex.Message);
        Assert.Contains("expected a field 'mask'", Assert.Throws<InvalidDataException>(() => anno.Field("mask")).Message);
    }

    [Fact]
    public void CharArrays_MultiRowAndUtf8()
    {
        var vars = MatFile.Read(MatFileWriter.Write(true, ("s", MatNode.Char("héllo wörld", MatDataType.Utf8))), "c.mat");
        Assert.Equal("héllo wörld", ((MatChar)vars["s"]).Text);
    }

    [Fact]
    public void Header_BadTextBigEndianV73AndShortFiles_AreRefused()
    {
        string Message(byte[] b) => Assert.Throws<InvalidDataException>(() => MatFile.Read(b, "f.mat")).Message;
        Assert.Equal("f.mat: 10 bytes, too short for a MAT-file (expected a 128-byte header)", Message(new byte[10]));
        var big = HandMade.ToArray(); big[126] = (byte)'M'; big[127] = (byte)'I';
        Assert.Contains("big-endian", Message(big));
        var odd = HandMade.ToArray(); odd[126] = 0;
        Assert.Contains("expected 'IM'", Message(odd));
        var text = HandMade.ToArray(); "MATLAB 7.3 MAT-file"u8.ToArray().CopyTo(text, 0);
        Assert.Contains("7.3 (HDF5)", Message(text));
        var garbage = new byte[300]; new Random(1).NextBytes(garbage);
        Assert.StartsWith("f.mat: not a Level-5 MAT-file", Message(garbage));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryTruncation_GivesOneLineInvalidData(bool compress)
    {
        var bytes = MatFileWriter.Write(compress, ("anno", Anno()));
        for (int n = 0; n < bytes.Length; n++)
        {
            if (n == 128) continue; // a bare header is a valid file with no variables
            var ex = Assert.Throws<InvalidDataException>(() => MatFile.Read(bytes[..n], "t.mat"));
            Assert.StartsWith("t.mat: ", ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
        Assert.Empty(MatFile.Read(bytes[..128], "t.mat"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CorruptBytes_ReadOrGiveInvalidData_NeverAnotherException(bool compress)
    {
        var bytes = MatFileWriter.Write(compress, ("anno", Anno()));
        var rng = new Random(5);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var b = bytes.ToArray();
            int flips = 1 + rng.Next(3);
            for (int k = 0; k < flips; k++) b[128 + rng.Next(b.Length - 128)] = (byte)rng.Next(256);
            try { MatFile.Read(b, "c.mat"); }
            catch (InvalidDataException e) { Assert.StartsWith("c.mat: ", e.Message); failures++; }
        }
        Assert.True(failures > 100, $"only {failures} corruptions detected");
    }

    [Fact]
    public void CorruptZlib_NamesTheCompressedElement()
    {
        var bytes = MatFileWriter.Write(true, ("anno", Anno()));
        bytes[136] ^= 0xFF; // the zlib header
        var ex = Assert.Throws<InvalidDataException>(() => MatFile.Read(bytes, "z.mat"));
        Assert.StartsWith("z.mat: compressed element at byte 128: ", ex.Message);
    }

    [Fact]
    public void HugeClaimedSizes_AreRefusedWithoutAllocating()
    {
        // A compressed element whose inner tag claims 4 GB.
        var inner = new byte[16];
        BitConverter.GetBytes(14u).CopyTo(inner, 0);
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(inner, 4);
        var z = new MemoryStream();
        using (var zl = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zl.Write(inner);
        byte[] file = [.. Header(), .. BitConverter.GetBytes(15u), .. BitConverter.GetBytes((uint)z.Length), .. z.ToArray()];
        Assert.Contains("more than", Assert.Throws<InvalidDataException>(() => MatFile.Read(file, "h.mat")).Message);
        // A struct array claiming 2^30 elements in a few bytes.
        var s = MatFileWriter.Write(false, ("s", MatNode.StructArray(["a"], [MatNode.Double(1)])));
        BitConverter.GetBytes(1 << 30).CopyTo(s, 128 + 8 + 16 + 12);
        Assert.Contains("cannot fit", Assert.Throws<InvalidDataException>(() => MatFile.Read(s, "h.mat")).Message);
    }

    [Fact]
    public void DeepNesting_IsRefused()
    {
        MatNode node = MatNode.Double(1);
        for (int i = 0; i < MatFile.MaxDepth + 5; i++) node = MatNode.Cell(node);
        var ex = Assert.Throws<InvalidDataException>(() => MatFile.Read(MatFileWriter.Write(false, ("c", node)), "d.mat"));
        Assert.Contains("nested more than", ex.Message);
    }

    [Fact]
    public void SparseArrays_AreRefusedByName()
    {
        var bytes = MatFileWriter.Write(false, ("m", MatNode.Double(1)));
        bytes[128 + 16] = 5; // class byte of the array flags: mxSPARSE_CLASS
        Assert.Equal("s.mat: m: sparse arrays are not supported (expected struct, cell, char, numeric or logical)",
            Assert.Throws<InvalidDataException>(() => MatFile.Read(bytes, "s.mat")).Message);
    }

    [PascalPartFixtureFact]
    public void RealPascalPartFile_Decodes()
    {
        string path = Path.Combine(PascalPartFixtureFactAttribute.Folder!, "2008_000019.mat");
        var anno = Assert.IsType<MatStruct>(MatFile.Read(path)["anno"]);
        Assert.Equal("2008_000019", ((MatChar)anno.Field("imname")).Text);
        var objects = (MatStruct)anno.Field("objects");
        Assert.Equal(new[] { "class", "class_ind", "mask", "parts" }, objects.FieldNames);
        Assert.Equal(3, objects.Count);
        var areas = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("dog", ((MatChar)objects[i, "class"]).Text);
            var ind = (MatArray)objects[i, "class_ind"];
            Assert.Equal((MatClass.Double, MatDataType.UInt8, 12.0), (ind.Class, ind.StoredType, ind.Scalar()));
            var mask = (MatArray)objects[i, "mask"];
            Assert.Equal(new[] { 272, 480 }, mask.Dimensions);
            var rowMajor = mask.ToRowMajorBytes();
            Assert.All(rowMajor, v => Assert.True(v <= 1));
            areas.Add(rowMajor.Count(v => v != 0));
            Assert.True(((MatStruct)objects[i, "parts"]).Count > 0);
        }
        Assert.Equal(new long[] { 6137, 8722, 17473 }, areas.Order());
    }
}
