using System.Text.Json.Nodes;
using PartRobust.Data;
using PartRobust.Data.Prepare;
using Xunit;

namespace PartRobust.Tests.Data.Prepare;

public sealed class PartImageNetPreparerTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("partrobust-pin-").FullName;
    string Src => Path.Combine(_root, "src");
    string Out => Path.Combine(_root, "out");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    PrepareSummary Prepare(PrepareOptions? options = null)
    {
        using var w = new PreparedDatasetWriter(Out, "partimagenet", PartImageNetTaxonomy.All, NullProgress.Instance);
        new PartImageNetPreparer().Prepare(Src, w, options ?? new PrepareOptions { Workers = 2 }, NullProgress.Instance);
        return w.Commit();
    }

    byte[,] Mask(string split, string cls, string stem)
    {
        var (m, w, h) = ImageIO.DecodeGray(File.ReadAllBytes(Path.Combine(Out, split, "masks", cls, stem + ".png")));
        var g = new byte[h, w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) g[y, x] = m[y * w + x];
        return g;
    }

    static byte[,] Rows(params byte[][] rows)
    {
        var g = new byte[rows.Length, rows[0].Length];
        for (int y = 0; y < rows.Length; y++) for (int x = 0; x < rows[0].Length; x++) g[y, x] = rows[y][x];
        return g;
    }

    static double[] Rect(double x0, double y0, double x1, double y1) => [x0, y0, x1, y0, x1, y1, x0, y1];

    [Fact]
    public void OriginalSplit_MasksMatchHandDerivedLabelMaps_AndImagesAreCopiedByteForByte()
    {
        var b = new PartImageNetSourceBuilder(Src);
        string quad = b.Image("train", 1, "n02085620_1.JPEG", 8, 6);
        b.Polygons("train", 1, 1, 20, Rect(1, 1, 6, 5));                                   // Quadruped Body -> 32: x 1..5, y 1..4
        b.Polygons("train", 1, 0, 12, Rect(4, 0, 8, 3));                                   // Quadruped Head -> 31 over it: x 4..7, y 0..2
        b.Polygons("train", 1, 2, 0, Rect(0, 4, 8, 6));                                    // area 0: skipped
        b.Annotation("train", 1, 3, 2, PartImageNetSourceBuilder.Rle(6, 8, 4, 2, 42));     // Tail -> 34: column 0, rows 4-5
        // Foot -> 33 at (x 7, y 5) = column-major position 47: counts 47,1 -> 47 = 15 + 1·32 -> '0'+(15|0x20) = '_', '1'; then '1'.
        b.Annotation("train", 1, 2, 1, PartImageNetSourceBuilder.Rle(6, 8, "_11"));
        b.Image("val", 4, "n02690373_4.JPEG", 6, 6);
        b.Polygons("val", 4, 33, 4.5, [1, 1, 4, 1, 1, 4]);                                 // Aeroplane Head -> 1: triangle
        b.Image("test", 9, "n04557648_9.JPEG", 5, 4);
        b.Polygons("test", 9, 39, 20, Rect(0, 0, 5, 4));                                   // Bottle Body -> 23 everywhere
        b.Polygons("test", 9, 38, 1, Rect(2, 0, 3, 1));                                    // Bottle Mouth -> 22 at (2, 0)
        b.Write();

        var s = Prepare(new PrepareOptions { Split = "original", Workers = 2 });
        Assert.Empty(s.Skipped);
        Assert.Equal(new[] { "images/Quadruped/n02085620_1.jpg,masks/Quadruped/n02085620_1.png,8,Quadruped,8,6" },
            File.ReadAllLines(Path.Combine(Out, "train", "index.csv")).Skip(1));
        Assert.Equal(File.ReadAllBytes(quad), File.ReadAllBytes(Path.Combine(Out, "train", "images", "Quadruped", "n02085620_1.jpg")));
        Assert.Equal(Rows(
            [0, 0, 0, 0, 31, 31, 31, 31],
            [0, 32, 32, 32, 31, 31, 31, 31],
            [0, 32, 32, 32, 31, 31, 31, 31],
            [0, 32, 32, 32, 32, 32, 0, 0],
            [34, 32, 32, 32, 32, 32, 0, 0],
            [34, 0, 0, 0, 0, 0, 0, 33]), Mask("train", "Quadruped", "n02085620_1"));
        Assert.Equal(Rows(
            [0, 0, 0, 0, 0, 0],
            [0, 1, 1, 0, 0, 0],
            [0, 1, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0]), Mask("val", "Aeroplane", "n02690373_4"));
        Assert.Equal(Rows(
            [23, 23, 22, 23, 23],
            [23, 23, 23, 23, 23],
            [23, 23, 23, 23, 23],
            [23, 23, 23, 23, 23]), Mask("test", "Bottle", "n04557648_9"));
        Assert.Equal(1, s.Counts["val"][0]);
        Assert.Equal(1, s.Counts["test"][5]);
    }

    [Fact]
    public void PaperSplit_OfThreeClasses_MatchesTheNumpyStreamInTheAuthorsClassOrder()
    {
        // Item i has class [Quadruped, Aeroplane, Biped][i % 3]. Expected sets: np.random.seed(0) once, then
        // shuffle per class in CLASSES order (Quadruped, Biped, ..., Aeroplane), computed independently with CPython's
        // MT19937 (random.setstate to init_genrand(0)) and NumPy's masked-rejection random_interval.
        string[] names = ["Quadruped", "Aeroplane", "Biped"];
        var classes = Enumerable.Range(0, 68).Select(i => names[i % 3]).ToList();
        var split = PartImageNetPreparer.PaperSplit(classes);
        int[] Where(string s) => Enumerable.Range(0, 68).Where(i => split[i] == s).ToArray();
        Assert.Equal(new[] { 30, 33, 37, 53, 58, 65 }, Where("val"));
        Assert.Equal(new[] { 14, 23, 42, 46, 55, 63 }, Where("test"));
        Assert.Equal(56, Where("train").Length);
    }

    [Fact]
    public void PaperSplit_PoolsTrainTestValInThatOrder_ByAscendingImageId()
    {
        // Ten Quadruped images: processing order is train.json by id (6), test.json (2), val.json (2). For n = 10,
        // np.random.seed(0); shuffle gives [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]: val = item 2, test = item 8, the rest train.
        var b = new PartImageNetSourceBuilder(Src);
        var order = new List<string>();
        foreach (var (json, ids) in new[] { ("train", new long[] { 60, 10, 50, 20, 40, 30 }), ("test", new long[] { 2, 1 }), ("val", new long[] { 7, 8 }) })
            foreach (long id in ids)
            {
                b.Image(json, id, $"n02085620_{json}{id}.JPEG", 4, 4);
                b.Polygons(json, id, 1, 4, Rect(0, 0, 2, 2));
            }
        b.Write();
        foreach (var (json, ids) in new[] { ("train", new long[] { 10, 20, 30, 40, 50, 60 }), ("test", new long[] { 1, 2 }), ("val", new long[] { 7, 8 }) })
            order.AddRange(ids.Select(id => $"n02085620_{json}{id}"));

        var s = Prepare();
        Assert.Equal((8, 1, 1), (s.Counts["train"][8], s.Counts["val"][8], s.Counts["test"][8]));
        Assert.True(File.Exists(Path.Combine(Out, "val", "masks", "Quadruped", order[2] + ".png")));
        Assert.True(File.Exists(Path.Combine(Out, "test", "masks", "Quadruped", order[8] + ".png")));
        var info = PreparedLayout.ReadInfo(Out)!;
        Assert.Contains("np.random.seed(0)", info.Provenance["split"]);
        Assert.Contains("ascending image id", info.Provenance["deviation_shuffle_order"]);
    }

    [Fact]
    public void BadInput_IsSkippedWithOneReasonPerFile_AndTheRestIsPrepared()
    {
        var b = new PartImageNetSourceBuilder(Src, "train", "test");
        b.Image("train", 1, "n01440764_1.JPEG", 6, 6);                                      // good (Fish Body)
        b.Polygons("train", 1, 10, 9, Rect(1, 1, 4, 4));
        var jpeg = PartImageNetSourceBuilder.Jpeg(6, 6);
        b.Image("train", 2, "n01440764_2.JPEG", 6, 6, jpeg[..(jpeg.Length / 2)]);          // truncated JPEG
        b.Polygons("train", 2, 10, 9, Rect(1, 1, 4, 4));
        b.Image("train", 3, "n01440764_3.JPEG", 6, 6, [1, 2, 3, 4, 5]);                     // not a JPEG at all
        b.Polygons("train", 3, 10, 9, Rect(1, 1, 4, 4));
        b.Image("train", 4, "n01440764_4.JPEG", 6, 6, []);                                  // file missing
        b.Polygons("train", 4, 10, 9, Rect(1, 1, 4, 4));
        b.Image("train", 5, "n01440764_5.JPEG", 6, 6);                                      // unknown category id
        b.Polygons("train", 5, 99, 9, Rect(1, 1, 4, 4));
        b.Image("train", 6, "n01440764_6.JPEG", 6, 6);                                      // polygon outside the image
        b.Polygons("train", 6, 10, 9, Rect(1, 1, 4, 4), Rect(20, 20, 24, 24));
        b.Image("train", 7, "n01440764_7.JPEG", 6, 6, PartImageNetSourceBuilder.Jpeg(7, 6)); // size differs from the JSON
        b.Polygons("train", 7, 10, 9, Rect(1, 1, 4, 4));
        b.Image("train", 8, "n01440764_8.JPEG", 6, 6);                                      // two super-classes
        b.Polygons("train", 8, 10, 9, Rect(1, 1, 4, 4));
        b.Polygons("train", 8, 0, 9, Rect(1, 1, 4, 4));
        b.Image("train", 9, "n01440764_9.JPEG", 6, 6);                                      // no annotation
        b.Image("train", 10, "n01440764_10.JPEG", 6, 6);                                    // RLE of another size
        b.Annotation("train", 10, 10, 1, PartImageNetSourceBuilder.Rle(6, 5, 29, 1));
        b.Image("train", 11, "n01440764_11.JPEG", 6, 6);                                    // malformed compressed RLE
        b.Annotation("train", 11, 10, 1, PartImageNetSourceBuilder.Rle(6, 6, "~~"));
        b.Image("train", 12, "n01440764_12.JPEG", 6, 6);                                    // bad area-0 polygon is never read
        b.Polygons("train", 12, 11, 0, Rect(50, 50, 60, 60));
        b.Polygons("train", 3, 10, 9, Rect(1, 1, 4, 4));
        b.Polygons("test", 77, 10, 9, Rect(1, 1, 4, 4));                                    // annotation of a missing image entry
        b.Write();
        File.WriteAllText(Path.Combine(Src, "test.json"), "{\"images\": [");                // corrupt JSON

        var s = Prepare(new PrepareOptions { Split = "original", Workers = 2 });
        Assert.Equal(2, s.Total);
        Assert.True(File.Exists(Path.Combine(Out, "train", "masks", "Fish", "n01440764_1.png")));
        Assert.True(File.Exists(Path.Combine(Out, "train", "masks", "Fish", "n01440764_12.png")));
        var reasons = s.Skipped.ToDictionary(x => x.File, x => x.Reason);
        Assert.StartsWith("corrupt or truncated JPEG", reasons["JPEGImages/n01440764/n01440764_2.JPEG"]);
        Assert.StartsWith("corrupt or truncated JPEG", reasons["JPEGImages/n01440764/n01440764_3.JPEG"]);
        Assert.StartsWith("image file missing", reasons["JPEGImages/n01440764/n01440764_4.JPEG"]);
        Assert.StartsWith("unknown category id 99", reasons["JPEGImages/n01440764/n01440764_5.JPEG"]);
        Assert.Contains("entirely outside the 6x6 image", reasons["JPEGImages/n01440764/n01440764_6.JPEG"]);
        Assert.StartsWith("image size differs from the annotation (image 7x6", reasons["JPEGImages/n01440764/n01440764_7.JPEG"]);
        Assert.StartsWith("annotations span two super-classes (Fish, Quadruped)", reasons["JPEGImages/n01440764/n01440764_8.JPEG"]);
        Assert.StartsWith("no part annotation", reasons["JPEGImages/n01440764/n01440764_9.JPEG"]);
        Assert.Contains("RLE size [6, 5] differs from the image's [6, 6]", reasons["JPEGImages/n01440764/n01440764_10.JPEG"]);
        Assert.Contains("compressed RLE string has character '~'", reasons["JPEGImages/n01440764/n01440764_11.JPEG"]);
        Assert.Contains("test.json", reasons.Keys);
        Assert.Contains("val.json", reasons.Keys);
        Assert.Equal("annotation file missing", reasons["val.json"]);
        Assert.All(s.Skipped, x => Assert.DoesNotContain('\n', x.Reason));
        Assert.Equal(12, s.Skipped.Count);
    }

    [Fact]
    public void OrphanAnnotation_IsReportedAgainstItsJson()
    {
        var b = new PartImageNetSourceBuilder(Src, "train");
        b.Image("train", 1, "n01440764_1.JPEG", 6, 6);
        b.Polygons("train", 1, 10, 9, Rect(1, 1, 4, 4));
        b.Polygons("train", 5, 10, 9, Rect(1, 1, 4, 4));
        b.Write();
        var s = Prepare();
        Assert.Contains(s.Skipped, x => x.File == "train.json" && x.Reason.Contains("image id 5, which is not in images"));
        Assert.Equal(1, s.Total);
    }

    [Fact]
    public void NoUsableAnnotationFile_OrNoFolder_IsOneLineError()
    {
        Directory.CreateDirectory(Path.Combine(Src, "JPEGImages"));
        File.WriteAllText(Path.Combine(Src, "train.json"), "not json");
        var e = Assert.Throws<InvalidDataException>(() => Prepare());
        Assert.Contains("no usable annotation file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(Out));
        Assert.Contains("no JPEGImages folder", Assert.Throws<ArgumentException>(() =>
            new PartImageNetPreparer().Prepare(_root, null!, new PrepareOptions(), NullProgress.Instance)).Message);
    }

    [Fact]
    public void Limit_TakesTheFirstImagesInProcessingOrder()
    {
        var b = new PartImageNetSourceBuilder(Src);
        foreach (var (json, id) in new[] { ("val", 1L), ("train", 9L), ("train", 3L), ("test", 2L) })
        {
            b.Image(json, id, $"n01440764_{json}{id}.JPEG", 4, 4);
            b.Polygons(json, id, 10, 4, Rect(0, 0, 2, 2));
        }
        b.Write();
        var s = Prepare(new PrepareOptions { Split = "original", Limit = 3, Workers = 1 });
        Assert.Equal((2, 0, 1), (s.Counts["train"][7], s.Counts["val"][7], s.Counts["test"][7]));
        Assert.True(File.Exists(Path.Combine(Out, "test", "masks", "Fish", "n01440764_test2.png")));
    }

    [Fact]
    public void PartLabels_FollowCategoryNames_NotListPositions()
    {
        // A categories list in another order: id 0 is "Quadruped Body", id 1 "Quadruped Head" (name only, no prefix).
        var b = new PartImageNetSourceBuilder(Src, "train");
        b.Image("train", 1, "n02085620_1.JPEG", 4, 2);
        b.Polygons("train", 1, 0, 4, Rect(0, 0, 2, 2));
        b.Polygons("train", 1, 1, 4, Rect(2, 0, 4, 2));
        b.Write(new JsonArray(
            new JsonObject { ["id"] = 1, ["name"] = "Head", ["supercategory"] = "Quadruped" },
            new JsonObject { ["id"] = 0, ["name"] = "Quadruped Body", ["supercategory"] = "Quadruped" }));
        Prepare(new PrepareOptions { Split = "original" });
        Assert.Equal(Rows([32, 32, 31, 31], [32, 32, 31, 31]), Mask("train", "Quadruped", "n02085620_1"));
        Assert.Contains("listed out of the table's order", PreparedLayout.ReadInfo(Out)!.Provenance["categories_order_check"]);
    }
}
