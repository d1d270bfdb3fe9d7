using PartRobust.Data;
using PartRobust.Data.Prepare;
using PartRobust.Tests.TestSupport;
using Xunit;
using static PartRobust.Tests.TestSupport.PascalPartSource;

namespace PartRobust.Tests.Data.Prepare;

public sealed class PascalPartPreparerTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"partrobust-pascal-{Guid.NewGuid():N}");
    string Src => Path.Combine(_root, "src");
    string Out => Path.Combine(_root, "out");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    PrepareSummary Prepare(PrepareOptions? options = null)
    {
        var preparer = new PascalPartPreparer();
        using var writer = new PreparedDatasetWriter(Out, preparer.Name, preparer.Taxonomy, NullProgress.Instance);
        preparer.Prepare(Src, writer, options ?? new PrepareOptions { Workers = 2 }, NullProgress.Instance);
        return writer.Commit();
    }

    byte[] OutMask(string split, string cls, string stem)
    {
        var (mask, _, _) = ImageIO.DecodeGray(File.ReadAllBytes(Path.Combine(Out, split, "masks", cls, stem + ".png")));
        return mask;
    }

    static byte[] Flat(int[,] expected) => expected.Cast<int>().Select(v => (byte)v).ToArray();

    [Fact]
    public void Taxonomy_Has16LabelsInAlphabeticalClassOrder()
    {
        var t = PascalPartTaxonomy.Taxonomy;
        Assert.Equal(new[] { "aeroplane", "bird", "car", "cat", "dog" }, t.ClassNames);
        Assert.Equal(16, t.NumSegLabels);
        Assert.Equal(new[] { "background", "aeroplane tail", "aeroplane wing", "aeroplane body", "bird head", "bird legs", "bird body",
            "car wheel", "car window", "car body", "cat head", "cat legs", "cat body", "dog head", "dog legs", "dog body" }, t.PartNames);
        Assert.Equal(new[] { -1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4 }, t.PartClass);
        Assert.Equal(0, PascalPartTaxonomy.GroupOf(2, "wheel_12"));   // substring, as the authors match
        Assert.Equal(2, PascalPartTaxonomy.GroupOf(2, "headlight_3"));
        Assert.Equal(2, PascalPartTaxonomy.GroupOf(0, "engine_2") + 1);
        Assert.Equal(-1, PascalPartTaxonomy.GroupOf(2, "antenna"));
    }

    // 5x6 masks (H=5, W=6). The dog is the largest object but the cat comes first in the file.
    static PascalObject[] MixedObjects() =>
    [
        new("cat", Grid("##....", "##....", "......", "......", "......"),
            ("head", Grid(".#....", ".#....", "......", "......", "......")),
            ("torso", Grid("......", "......", ".##...", "......", "......")),  // (2,2) is the dog's already
            ("lbpa", Grid("......", "......", "......", "......", "#....."))),
        new("dog", Grid("..###.", "..###.", "..###.", "..###.", "......"),
            ("torso", Grid("......", "..###.", "..###.", "..###.", "......")),  // listed first, painted last (body)
            ("head", Grid("...##.", "...##.", "......", "......", "......")),
            ("muzzle", Grid("..#...", "......", "......", "......", "......")),
            ("lfleg", Grid("......", "......", "......", "..#...", "..#...")),
            ("tail", Grid(".....#", "......", "......", "......", "......"))),
        new("person", Grid("......", "......", "......", "......", "...###"),
            ("hair", Grid("......", "......", "......", "......", "...#.."))),
        new("car", Grid("......", "......", "......", ".....#", ".....#"),
            ("door_2", Grid("......", "......", ".....#", ".....#", "......")),
            ("window_3", Grid("......", "......", "......", ".....#", "......")),
            ("wheel_1", Grid("......", "......", "......", "......", ".....#")),
            ("headlight_1", Grid("......", ".....#", "......", "......", "......")),
            ("antenna", Grid("......", "#.....", "......", "......", "......"))),
    ];

    [Fact]
    public void HandBuiltFiles_GiveTheHandWorkedLabelMaps()
    {
        WriteAnnotation(Src, "a", MixedObjects());
        var jpegA = WriteJpeg(Src, "a", 6, 5);
        // A tie (4 px each): the bird comes first and wins; the aeroplane's groups still paint where 0.
        WriteAnnotation(Src, "c",
            new PascalObject("bird", Grid("##....", "##....", "......", "......", "......"),
                ("torso", Grid("##....", "##....", "......", "......", "......")),
                ("beak", Grid("#.....", "......", "......", "......", "......")),
                ("rfoot", Grid("......", ".#....", "......", "......", "......"))),
            new PascalObject("aeroplane", Grid("......", "......", "......", "....##", "....##"),
                ("body", Grid("......", "......", "......", "....##", "....##")),
                ("engine_1", Grid("......", "......", "......", "....#.", "......")),
                ("wheel_1", Grid("......", "......", "......", "......", ".....#")),
                ("stern", Grid("......", "......", "......", ".....#", "......")),
                ("tail", Grid("......", "......", "......", ".....#", "......"))));
        WriteJpeg(Src, "c", 6, 5);
        // The horse (5 px) beats the dog (3 px): dropped.
        WriteAnnotation(Src, "b",
            new PascalObject("dog", Grid("###...", "......", "......", "......", "......"), ("head", Grid("#.....", "......", "......", "......", "......"))),
            new PascalObject("horse", Grid("......", "#####.", "......", "......", "......")));
        WriteJpeg(Src, "b", 6, 5);
        WriteAnnotation(Src, "e", new PascalObject("dog", Grid("......", "......", "......", "......", "......")));
        WriteJpeg(Src, "e", 6, 5);

        var summary = Prepare();

        Assert.Equal(2, summary.Total);
        Assert.Equal(new[]
        {
            ("Annotations_Part/b.mat", "largest object is a horse (not one of the 5 classes)"),
            ("Annotations_Part/e.mat", "no object with a non-empty mask"),
        }, summary.Skipped);
        Assert.Equal(Flat(new[,]
        {
            { 0, 10, 13, 13, 13, 15 },
            { 0, 10, 15, 13, 13, 9 },
            { 0, 12, 15, 15, 15, 9 },
            { 0, 0, 14, 15, 15, 8 },
            { 11, 0, 14, 0, 0, 7 },
        }), OutMask("train", "dog", "a"));
        Assert.Equal(Flat(new[,]
        {
            { 4, 6, 0, 0, 0, 0 },
            { 6, 5, 0, 0, 0, 0 },
            { 0, 0, 0, 0, 0, 0 },
            { 0, 0, 0, 0, 2, 1 },
            { 0, 0, 0, 0, 3, 3 },
        }), OutMask("train", "bird", "c"));
        Assert.Equal(jpegA, File.ReadAllBytes(Path.Combine(Out, "train", "images", "dog", "a.jpg")));
        Assert.Equal(new[] { PreparedLayout.IndexHeader, "images/bird/c.jpg,masks/bird/c.png,1,bird,6,5", "images/dog/a.jpg,masks/dog/a.png,4,dog,6,5" },
            File.ReadAllLines(Path.Combine(Out, "train", "index.csv")));
        var info = PreparedLayout.ReadInfo(Out)!;
        Assert.Contains("np.random.seed(0) once", info.Provenance["split"]);
        Assert.Contains("deviations", info.Provenance.Keys);
    }

    [Fact]
    public void ReadAnnotation_ComputesLargestClassAndMap()
    {
        string path = WriteAnnotation(Src, "a", MixedObjects());
        var a = PascalPartPreparer.ReadAnnotation(path);
        Assert.Equal(("dog", 12L, 4, 6, 5), (a.LargestClass, a.LargestArea, a.Label, a.Width, a.Height));
        Assert.Equal(30, a.PartMap!.Length);
    }

    // Round-robin over the classes, one file each, until each class has its count: aeroplane 25 (round(2.5) = 2),
    // bird 15 (round(1.5) = 2), car 23 (2), cat 5 (round(0.5) = 0), dog 35 (round(3.5) = 4), horse 3 (dropped).
    // Expected val/test stems computed outside .NET: CPython's MT19937 put in numpy's seed(0) state, numpy's legacy
    // random_interval/shuffle, one stream across the classes (the simulation gives permutation(10) = [2 8 4 9 1 6 7 3 0 5]).
    static readonly (string Class, int Count, string[] Val, string[] Test)[] SplitCase =
    [
        ("aeroplane", 25, ["s028", "s012"], ["s080", "s071"]),
        ("bird", 15, ["s057", "s065"], ["s007", "s037"]),
        ("car", 23, ["s062", "s034"], ["s075", "s042"]),
        ("cat", 5, [], []),
        ("dog", 35, ["s088", "s101", "s104", "s031"], ["s016", "s073", "s100", "s085"]),
        ("horse", 3, [], []),
    ];

    [Fact]
    public void Split_MatchesNumpyOnInterleavedClasses()
    {
        var remaining = SplitCase.Select(c => c.Count).ToArray();
        int k = 0;
        while (remaining.Any(r => r > 0))
            for (int c = 0; c < SplitCase.Length; c++)
            {
                if (remaining[c] == 0) continue;
                remaining[c]--;
                string stem = $"s{k++:D3}";
                WriteAnnotation(Src, stem, new PascalObject(SplitCase[c].Class, Grid("##.", ".#.")));
                WriteJpeg(Src, stem, 3, 2);
            }
        Assert.Equal(106, k);

        var summary = Prepare();

        Assert.Equal(3, summary.Skipped.Count);
        string[] Stems(string split, string cls) => File.ReadAllLines(Path.Combine(Out, split, "index.csv")).Skip(1)
            .Where(l => l.Split(',')[3] == cls).Select(l => Path.GetFileNameWithoutExtension(l.Split(',')[0])).ToArray();
        foreach (var (cls, count, val, test) in SplitCase.Take(5))
        {
            Assert.Equal(val.Order(), Stems("val", cls));
            Assert.Equal(test.Order(), Stems("test", cls));
            Assert.Equal(count - val.Length - test.Length, Stems("train", cls).Length);
        }
    }

    [Fact]
    public void PaperSplit_OneClassOfTen_IsNumpysPermutation()
    {
        // np.random.seed(0); np.random.permutation(10) = [2 8 4 9 1 6 7 3 0 5]: val = [2], test = [8].
        var split = PascalPartPreparer.PaperSplit(Enumerable.Repeat(3, 10).ToList());
        Assert.Equal(new[] { "train", "train", "val", "train", "train", "train", "train", "train", "test", "train" }, split);
    }

    [Fact]
    public void BadInput_IsSkippedWithReasons_AndTheRestPrepared()
    {
        var dog = new PascalObject("dog", Grid("####", "####", "....", "...."), ("head", Grid("##..", "....", "....", "....")));
        foreach (string name in new[] { "good1", "good2", "trunc", "garbage", "nojpeg", "badjpeg", "size", "png", "nomask", "partsize" })
        {
            WriteAnnotation(Src, name, dog);
            WriteJpeg(Src, name, 4, 4);
        }
        string ann = Path.Combine(Src, "Annotations_Part"), img = Path.Combine(Src, "JPEGImages");
        var full = File.ReadAllBytes(Path.Combine(ann, "trunc.mat"));
        File.WriteAllBytes(Path.Combine(ann, "trunc.mat"), full[..(full.Length / 2)]);
        File.WriteAllBytes(Path.Combine(ann, "garbage.mat"), Enumerable.Range(0, 500).Select(i => (byte)(i * 31)).ToArray());
        File.Delete(Path.Combine(img, "nojpeg.jpg"));
        var jpeg = File.ReadAllBytes(Path.Combine(img, "badjpeg.jpg"));
        File.WriteAllBytes(Path.Combine(img, "badjpeg.jpg"), jpeg[..(jpeg.Length / 2)]);
        WriteJpeg(Src, "size", 5, 4);
        File.WriteAllBytes(Path.Combine(img, "png.jpg"), ImageIO.EncodeRgbPng(new byte[3 * 16], 4, 4));
        MatFileWriter.WriteFile(Path.Combine(ann, "nomask.mat"), true, ("anno", MatNode.Struct(("imname", MatNode.Char("nomask")),
            ("objects", MatNode.StructArray(["class", "parts"], [MatNode.Char("dog"), MatNode.Empty()])))));
        WriteAnnotation(Src, "partsize", new PascalObject("dog", Grid("####", "####", "....", "...."), ("head", Grid("##..", "....", "...."))));

        var summary = Prepare();

        Assert.Equal(2, summary.Total);
        var reasons = summary.Skipped.ToDictionary(s => s.File, s => s.Reason);
        Assert.Equal(8, reasons.Count);
        Assert.StartsWith("truncated at byte 128: the tag of a data element says", reasons["Annotations_Part/trunc.mat"]);
        Assert.StartsWith("not a Level-5 MAT-file", reasons["Annotations_Part/garbage.mat"]);
        Assert.Equal("missing (the image of Annotations_Part/nojpeg.mat)", reasons["JPEGImages/nojpeg.jpg"]);
        Assert.StartsWith("corrupt JPEG (", reasons["JPEGImages/badjpeg.jpg"]);
        Assert.Equal("image is 5x4 but its annotation masks are 4x4", reasons["JPEGImages/size.jpg"]);
        Assert.StartsWith("not a JPEG file", reasons["JPEGImages/png.jpg"]);
        Assert.Equal("anno.objects: expected a field 'mask' (fields: class, parts)", reasons["Annotations_Part/nomask.mat"]);
        Assert.Equal("anno.objects.parts.mask: mask is 3x4, expected 4x4 like the first object's", reasons["Annotations_Part/partsize.mat"]);
        Assert.All(reasons.Values, r => Assert.DoesNotContain('\n', r));
        // 6 files pass the annotation stage, so the split (drawn before images are read) sends 1 to val and 1 to test.
        Assert.Equal(new[] { "good1", "good2" }, PreparedLayout.Splits.SelectMany(s => File.ReadAllLines(Path.Combine(Out, s, "index.csv")).Skip(1))
            .Select(l => Path.GetFileNameWithoutExtension(l.Split(',')[0])).Order());
    }

    [Fact]
    public void Limit_TakesTheFirstFilesInSortedOrder()
    {
        foreach (string name in new[] { "c", "a", "d", "b" })
        {
            WriteAnnotation(Src, name, new PascalObject("cat", Grid("#.", "##")));
            WriteJpeg(Src, name, 2, 2);
        }
        var summary = Prepare(new PrepareOptions { Limit = 2, Workers = 1 });
        Assert.Equal(2, summary.Total);
        Assert.Equal(new[] { "a", "b" }, Directory.GetFiles(Path.Combine(Out, "train", "images", "cat")).Select(Path.GetFileNameWithoutExtension).Order());
        Assert.Contains("limit", PreparedLayout.ReadInfo(Out)!.Provenance.Keys);
    }

    [Fact]
    public void UnusableSourceOrOriginalSplit_AreOneLineErrors()
    {
        var preparer = new PascalPartPreparer();
        using var writer = new PreparedDatasetWriter(Out, preparer.Name, preparer.Taxonomy, NullProgress.Instance);
        var ex = Assert.Throws<ArgumentException>(() => preparer.Prepare(Src, writer, new PrepareOptions { Split = "original" }, NullProgress.Instance));
        Assert.StartsWith("--split original: PASCAL-Part has no split of its own", ex.Message);
        Assert.Contains("folder not found", Assert.Throws<ArgumentException>(() => preparer.Prepare(Src, writer, new PrepareOptions(), NullProgress.Instance)).Message);
        Directory.CreateDirectory(Path.Combine(Src, "Annotations_Part"));
        Assert.Contains("no JPEGImages folder", Assert.Throws<ArgumentException>(() => preparer.Prepare(Src, writer, new PrepareOptions(), NullProgress.Instance)).Message);
        Directory.CreateDirectory(Path.Combine(Src, "JPEGImages"));
        Assert.Contains("no .mat annotation files", Assert.Throws<InvalidDataException>(() => preparer.Prepare(Src, writer, new PrepareOptions(), NullProgress.Instance)).Message);
    }

    [PascalPartFixtureFact]
    public void RealFile_2008_000019_GivesThePaperCounts()
    {
        var a = PascalPartPreparer.ReadAnnotation(Path.Combine(PascalPartFixtureFactAttribute.Folder!, "2008_000019.mat"));
        Assert.Equal(("dog", 17473L, 4, 480, 272), (a.LargestClass, a.LargestArea, a.Label, a.Width, a.Height));
        var counts = a.PartMap!.GroupBy(v => v).ToDictionary(g => (int)g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [0] = 99170, [13] = 9861, [14] = 8273, [15] = 13256 }, counts);
    }

    [PascalPartFixtureFact]
    public void RealFiles_ThroughPrepare_KeepTheDogsAndDropTheOthers()
    {
        string ann = Path.Combine(Src, "Annotations_Part");
        Directory.CreateDirectory(ann);
        foreach (string f in Directory.GetFiles(PascalPartFixtureFactAttribute.Folder!, "*.mat"))
            File.Copy(f, Path.Combine(ann, Path.GetFileName(f))); // into the temp source only
        WriteJpeg(Src, "2008_000019", 480, 272);

        var summary = Prepare();

        Assert.Equal(new[]
        {
            ("Annotations_Part/2008_000008.mat", "largest object is a horse (not one of the 5 classes)"),
            ("Annotations_Part/2008_000009.mat", "largest object is a cow (not one of the 5 classes)"),
            ("Annotations_Part/2008_000026.mat", "largest object is a person (not one of the 5 classes)"),
        }, summary.Skipped);
        Assert.Equal(1, summary.Counts["train"][4]);
        var mask = OutMask("train", "dog", "2008_000019");
        Assert.Equal(272 * 480, mask.Length);
        Assert.Equal(new long[] { 99170, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9861, 8273, 13256 }, summary.PartPixels);
        Assert.Equal(9861, mask.Count(v => v == 13));
    }
}
