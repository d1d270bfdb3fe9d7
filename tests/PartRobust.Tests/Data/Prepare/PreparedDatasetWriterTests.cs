using PartRobust.Data;
using PartRobust.Data.Prepare;
using Xunit;

namespace PartRobust.Tests.Data.Prepare;

public sealed class PreparedDatasetWriterTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"partrobust-prep-{Guid.NewGuid():N}");
    static readonly PartTaxonomy Tax = new(["cat", "dog"], ["background", "cat head", "dog head"], [-1, 0, 1]);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    static PreparedSample Sample(string split, int label, string stem, int w = 3, int h = 2, byte fill = 1)
    {
        var rgb = new byte[3 * w * h];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7 + label);
        var mask = new byte[w * h];
        mask[0] = fill; mask[^1] = 255;
        return new PreparedSample(split, label, stem, new EncodedImage(ImageIO.EncodeRgbPng(rgb, w, h), ".png"), w, h, mask, $"raw/{stem}");
    }

    PrepareSummary Prepare(string outDir, Action<PreparedDatasetWriter> fill)
    {
        using var w = new PreparedDatasetWriter(outDir, "toy", Tax, NullProgress.Instance);
        w.Provenance["split"] = "test rule";
        fill(w);
        return w.Commit();
    }

    [Fact]
    public void Commit_WritesSortedIndexes_TaxonomyAndSummary()
    {
        string dir = Path.Combine(_root, "out");
        var summary = Prepare(dir, w =>
        {
            Parallel.ForEach(new[] { ("train", 1, "b"), ("train", 0, "z"), ("train", 0, "a"), ("val", 1, "c"), ("test", 0, "d") },
                s => w.Add(Sample(s.Item1, s.Item2, s.Item3, fill: (byte)(s.Item2 + 1))));
            w.Skip("raw/bad.jpg", "corrupt JPEG (truncated)");
        });
        Assert.Equal(new[] { 2, 1 }, summary.Counts["train"]);
        Assert.Equal(5, summary.Total);
        Assert.Equal(new long[] { 5, 3, 2 }, summary.PartSamples);
        Assert.Equal(new long[] { 5 * 4, 3, 2 }, summary.PartPixels);
        var lines = File.ReadAllLines(Path.Combine(dir, "train", "index.csv"));
        Assert.Equal(new[]
        {
            PreparedLayout.IndexHeader,
            "images/cat/a.png,masks/cat/a.png,0,cat,3,2",
            "images/cat/z.png,masks/cat/z.png,0,cat,3,2",
            "images/dog/b.png,masks/dog/b.png,1,dog,3,2",
        }, lines);
        var (mask, mw, mh) = ImageIO.DecodeGray(File.ReadAllBytes(Path.Combine(dir, "train", "masks", "dog", "b.png")));
        Assert.Equal((3, 2), (mw, mh));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 255 }, mask);
        Assert.Equal(Tax.PartNames, PreparedLayout.ReadTaxonomy(Path.Combine(dir, "val", "taxonomy.json")).PartNames);
        var info = PreparedLayout.ReadInfo(dir)!;
        Assert.Equal(("toy", 3, 1, 1), (info.Dataset, info.Splits["train"], info.Splits["val"], info.Splits["test"]));
        Assert.Equal("test rule", info.Provenance["split"]);
        Assert.Equal("raw/bad.jpg: corrupt JPEG (truncated)\n", File.ReadAllText(Path.Combine(dir, "skipped.txt")));
        Assert.Contains("| corrupt JPEG | 1 |", summary.ToMarkdown());
        Assert.Empty(Directory.GetDirectories(_root, ".out.tmp-*"));
    }

    [Fact]
    public void PreparingTwice_GivesIdenticalFiles_AndReplacesThePreviousOutput()
    {
        string a = Path.Combine(_root, "a"), b = Path.Combine(_root, "b");
        void Fill(PreparedDatasetWriter w) { w.Add(Sample("train", 0, "x")); w.Add(Sample("test", 1, "y")); }
        Prepare(a, Fill);
        Prepare(b, w => { w.Add(Sample("val", 0, "old")); });
        Prepare(b, Fill); // replaces the earlier preparation in b
        var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
        foreach (var f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
        Assert.False(File.Exists(Path.Combine(b, "val", "images", "cat", "old.png")));
    }

    [Fact]
    public void DisposeWithoutCommit_LeavesNothing()
    {
        string dir = Path.Combine(_root, "out");
        Directory.CreateDirectory(_root);
        using (var w = new PreparedDatasetWriter(dir, "toy", Tax, NullProgress.Instance)) w.Add(Sample("train", 0, "x"));
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void RefusesToReplaceAFolderThatIsNotAPreparedDataset()
    {
        string dir = Path.Combine(_root, "mine");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        var e = Assert.Throws<ArgumentException>(() => new PreparedDatasetWriter(dir, "toy", Tax, NullProgress.Instance));
        Assert.Contains("not a prepared dataset", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "notes.txt")));
    }

    [Theory]
    [InlineData("holdout", 0, "x", 3, 1)]   // unknown split
    [InlineData("train", 2, "x", 3, 1)]     // label out of range
    [InlineData("train", 0, "a/b", 3, 1)]   // path in the stem
    [InlineData("train", 0, "x", 3, 3)]     // mask value 3 with K = 3
    public void Add_RejectsSamplesThatBreakTheFormat(string split, int label, string stem, int w, byte fill)
    {
        using var writer = new PreparedDatasetWriter(Path.Combine(_root, "out"), "toy", Tax, NullProgress.Instance);
        Assert.Throws<ArgumentException>(() => writer.Add(Sample(split, label, stem, w, 2, fill)));
    }

    [Fact]
    public void Add_RejectsADuplicateName_AndAMaskOfTheWrongSize()
    {
        using var writer = new PreparedDatasetWriter(Path.Combine(_root, "out"), "toy", Tax, NullProgress.Instance);
        writer.Add(Sample("train", 0, "x"));
        Assert.Throws<ArgumentException>(() => writer.Add(Sample("train", 0, "x")));
        var s = Sample("train", 0, "y");
        Assert.Throws<ArgumentException>(() => writer.Add(s with { Width = 4 }));
    }
}
