using PartRobust.Data.Formats;
using Xunit;

namespace PartRobust.Tests.Data.Formats;

public class CocoRleTests
{
    [Fact]
    public void Decode_UncompressedCounts_AreColumnMajor()
    {
        // 3x2 (h=3, w=2): counts 1,3,2 = column 0 [0,1,1], column 1 [1,0,0].
        var rle = new CocoRle(3, 2, [1, 3, 2]);
        Assert.Equal(new byte[] { 0, 1, 1, 0, 1, 0 }, rle.Decode()); // rows (x0,x1): [0,1],[1,0],[1,0]
        Assert.Equal(3, rle.Area);
    }

    [Fact]
    public void Decode_LeadingZeroCount_StartsWithOnes() =>
        Assert.Equal(new byte[] { 1, 0, 1, 0 }, new CocoRle(2, 2, [0, 2, 2]).Decode());

    [Fact]
    public void Counts_NotCoveringTheMask_AreRejected()
    {
        Assert.Contains("add up to 5", Assert.Throws<InvalidDataException>(() => new CocoRle(2, 3, [1, 4])).Message);
        Assert.Throws<InvalidDataException>(() => new CocoRle(2, 3, [1, 4, 2]));
    }

    [Fact]
    public void FromString_DecodesAHandEncodedString()
    {
        // counts 40,2,100,1,57 (10x20). 40 = 8 + 1·32 -> '0'+(8|0x20) = 'X', '0'+1 = '1'; 2 -> '2'; 100 = 4 + 3·32 -> 'T','3';
        // from index 3 on deltas to the count two back: 1−2 = −1 -> low 5 bits 31 with sign bit 0x10 -> 'O';
        // 57−100 = −43 -> 21 (0x10 set, more follows since −43>>5 = −2 ≠ −1) -> 'e', then −2 -> 30 -> 'N'.
        var rle = CocoRle.FromString("X12T3OeN", 10, 20);
        Assert.Equal(new uint[] { 40, 2, 100, 1, 57 }, rle.Counts);
        Assert.Equal("X12T3OeN", rle.ToCompressedString());
    }

    [Fact]
    public void ToCompressedString_OfTheRectangle_IsTheCocoString()
    {
        // 7,3,3 then deltas 0,0,0 and 14−3 = 11 -> '0'+11 = ';'.
        Assert.Equal("733000;", new CocoRle(6, 6, [7, 3, 3, 3, 3, 3, 14]).ToCompressedString());
        Assert.Equal(new uint[] { 7, 3, 3, 3, 3, 3, 14 }, CocoRle.FromString("733000;", 6, 6).Counts);
    }

    [Theory]
    [InlineData("7 ", "character")]
    [InlineData("X", "ends inside")]
    [InlineData("7", "add up to")]
    public void FromString_Malformed_IsRejected(string s, string expected) =>
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => CocoRle.FromString(s, 6, 6)).Message);

    [Fact]
    public void Union_OfTwoRectangles_IsTheirPixelwiseOr()
    {
        // (1,1)-(4,4) covers x,y in 1..3; (3,3)-(6,6) covers x,y in 3..5. Column-major union runs:
        // 7 zeros, col1 rows1-3, 3 zeros, col2 rows1-3, 3 zeros, col3 rows1-5, then col4 and col5 rows 3-5.
        var a = CocoPolygonRasterizer.Rasterize([1, 1, 4, 1, 4, 4, 1, 4], 6, 6);
        var b = CocoPolygonRasterizer.Rasterize([3, 3, 6, 3, 6, 6, 3, 6], 6, 6);
        var u = CocoRle.Union([a, b]);
        Assert.Equal(new uint[] { 7, 3, 3, 3, 3, 5, 3, 3, 3, 3 }, u.Counts);
        var da = a.Decode(); var db = b.Decode(); var du = u.Decode();
        for (int i = 0; i < du.Length; i++) Assert.Equal(da[i] | db[i], du[i]);
    }

    [Fact]
    public void Paint_SetsOnlyOnePixels()
    {
        var target = new byte[] { 5, 5, 5, 5, 5, 5 };
        new CocoRle(3, 2, [1, 3, 2]).Paint(target, 9);
        Assert.Equal(new byte[] { 5, 9, 9, 5, 9, 5 }, target);
    }
}
