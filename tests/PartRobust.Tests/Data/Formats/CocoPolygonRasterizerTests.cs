using PartRobust.Data.Formats;
using Xunit;

namespace PartRobust.Tests.Data.Formats;

// Expected masks are worked out by hand from maskApi.c's rleFrPoly (vertices ×5 and rounded; an edge step that enters
// column u contributes a boundary where (u−2) is a multiple of 5, i.e. at pixel x = (u−2)/5, with row
// ceil((min v + .5)/5 − .5) clamped to 0..h); each was also checked against the compiled C code of cocodataset/cocoapi.
public class CocoPolygonRasterizerTests
{
    static byte[,] Grid(CocoRle rle)
    {
        var m = rle.Decode();
        var g = new byte[rle.Height, rle.Width];
        for (int y = 0; y < rle.Height; y++)
            for (int x = 0; x < rle.Width; x++) g[y, x] = m[y * rle.Width + x];
        return g;
    }

    [Fact]
    public void Rectangle_WithIntegerCorners_CoversPixelsFromLowToHighExclusive()
    {
        // (1,1)-(4,4) scaled: (5,5)-(20,20). Top edge: boundaries at x=1,2,3, row ceil(0.6)=1; bottom edge (walked
        // backwards): x=3,2,1, row ceil(3.6)=4. Column-major positions x*6+y: 7,10,13,16,19,22 (+36) → runs 7,3,3,3,3,3,14.
        var rle = CocoPolygonRasterizer.Rasterize([1, 1, 4, 1, 4, 4, 1, 4], 6, 6);
        Assert.Equal(new uint[] { 7, 3, 3, 3, 3, 3, 14 }, rle.Counts);
        var g = Grid(rle);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                Assert.Equal(x is >= 1 and <= 3 && y is >= 1 and <= 3 ? 1 : 0, g[y, x]);
        Assert.Equal(9, rle.Area);
    }

    [Fact]
    public void Triangle_MatchesTheHandDerivedPycocotoolsMask()
    {
        // (1,1),(4,1),(1,4): the top edge gives (1,1),(2,1),(3,1); the diagonal (20,5)->(5,20) walked with s=-1 gives
        // (3,1),(2,2),(1,3) [rows ceil(1.0)=1, ceil(2.0)=2, ceil(3.0)=3]; (3,1) twice cancels. Positions 7,9,13,14 (+36):
        // runs 7,2,4,1,22, i.e. pixels (x=1,y=1),(1,2),(2,1).
        var rle = CocoPolygonRasterizer.Rasterize([1, 1, 4, 1, 1, 4], 6, 6);
        Assert.Equal(new uint[] { 7, 2, 4, 1, 22 }, rle.Counts);
        var g = Grid(rle);
        var ones = new List<(int, int)>();
        for (int y = 0; y < 6; y++) for (int x = 0; x < 6; x++) if (g[y, x] == 1) ones.Add((x, y));
        Assert.Equal(new[] { (1, 1), (2, 1), (1, 2) }, ones);
    }

    [Fact]
    public void PolygonBeyondTheImage_IsClippedToTheGrid()
    {
        // (-1,-1),(10,-1),(-1,10) in a 5x4 image covers it: top edge rows clamp to 0 (positions 0,5,10,15), the
        // diagonal's rows clamp to h=5 (positions 5,10,15,20); pairs cancel, leaving runs 0,20 (all ones).
        var rle = CocoPolygonRasterizer.Rasterize([-1, -1, 10, -1, -1, 10], 5, 4);
        Assert.Equal(new uint[] { 0, 20 }, rle.Counts);
    }

    [Fact]
    public void TwoPointPolygon_EnclosesNothing()
    {
        // The 4-number polygon [0,0,3,3]: both edges give the same boundary points, which cancel pairwise.
        Assert.Equal(new uint[] { 20 }, CocoPolygonRasterizer.Rasterize([0, 0, 3, 3], 5, 4).Counts);
        Assert.Equal(new uint[] { 20 }, CocoPolygonRasterizer.Rasterize([2, 2], 5, 4).Counts);
        Assert.Equal(new uint[] { 20 }, CocoPolygonRasterizer.Rasterize([], 5, 4).Counts);
    }

    [Fact]
    public void FractionalVertices_IncludeAColumnWhenTheEdgeIsLeftOfItsCentre()
    {
        // Left edge x = 1.49 -> (int)(7.45+.5) = 7: the top edge's steps leave u = 7 (xd = 7 = 5·1+2), so column 1 is
        // in; x = 1.5 -> (int)(8.0) = 8: the walk starts right of 7 and column 1 is out. Pixel 1's centre is x = 1.5.
        var inside = CocoPolygonRasterizer.Rasterize([1.49, 0, 3, 0, 3, 2, 1.49, 2], 2, 4);
        var outside = CocoPolygonRasterizer.Rasterize([1.5, 0, 3, 0, 3, 2, 1.5, 2], 2, 4);
        Assert.Equal(new uint[] { 2, 4, 2 }, inside.Counts);
        Assert.Equal(new byte[] { 0, 1, 1, 0, 0, 1, 1, 0 }, inside.Decode());
        Assert.Equal(new uint[] { 4, 2, 2 }, outside.Counts);
        Assert.Equal(new byte[] { 0, 0, 1, 0, 0, 0, 1, 0 }, outside.Decode());
    }

    [Fact]
    public void RepeatedVertex_DoesNotChangeTheMask() =>
        Assert.Equal(CocoPolygonRasterizer.Rasterize([1, 1, 4, 1, 1, 4], 6, 6).Counts,
            CocoPolygonRasterizer.Rasterize([1, 1, 1, 1, 4, 1, 4, 1, 1, 4], 6, 6).Counts);

    [Fact]
    public void HugeCoordinate_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CocoPolygonRasterizer.Rasterize([0, 0, 1e9, 0, 0, 3], 4, 4));
}
