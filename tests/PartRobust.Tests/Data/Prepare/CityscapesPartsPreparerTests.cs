using System.Text.Json;
using PartRobust.Data;
using PartRobust.Data.Formats;
using PartRobust.Data.Prepare;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Data.Prepare;

public sealed class CityscapesPartsPreparerTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"partrobust-cityscapes-{Guid.NewGuid():N}");
    string Src => Path.Combine(_root, "src");
    string Out => Path.Combine(_root, "out");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    // np.random.seed(0); np.random.uniform(0, 0.2 * 2, size=2), five times (printed by numpy 1.24.2).
    static readonly (double U0, double U1)[] NumpyDraws =
    [
        (0.21952540157092992, 0.2860757465489678),
        (0.24110535042865755, 0.21795327319875876),
        (0.1694619197355619, 0.25835764522666244),
        (0.175034884505077, 0.35670920031283193),
        (0.38546510420041175, 0.1533766075303111),
    ];

    // File A (train/aachen, 100x60, border int(0.1*100) = 10): a person (instance 10) left, a car (instance 0) right,
    // a small car without parts (400 px, too small), a person-group region (uid 24, no instance id, 1000 px) at the bottom.
    static CityscapesFrame FrameA() => new CityscapesFrame(100, 60)
        .Fill(5, 10, 34, 17, 2401002, 2)   // head
        .Fill(5, 18, 34, 33, 2401001, 1)   // torso
        .Fill(5, 18, 7, 33, 2401003, 3)    // arms
        .Fill(5, 34, 34, 49, 2401004, 4)   // legs
        .Fill(20, 40, 20, 40, 2401005, 0)  // the pid-5 artefact: void
        .Fill(21, 40, 21, 40, 2401000, 0)  // explicit void part 00
        .Fill(50, 20, 89, 29, 2600001, 5)  // car instance 0: window
        .Fill(50, 30, 89, 44, 2600005, 9)  // chassis
        .Fill(60, 35, 61, 35, 2600003, 7)  // light
        .Fill(70, 40, 70, 40, 2600004, 8)  // license plate
        .Fill(50, 45, 89, 49, 2600002, 6)  // wheel
        .Fill(90, 0, 99, 39, 26003, 0)     // car instance 3 without parts, 400 px
        .Fill(0, 50, 99, 59, 24, 0);       // person group: class only

    // File B (train/bochum, 100x50, border 10): a person (instance 2) drawn as a 7-px frame around a car (instance 1,
    // 936 px): occluded. A truck (instance 0) at the right.
    static CityscapesFrame FrameB() => new CityscapesFrame(100, 50)
        .Fill(10, 5, 59, 44, 2400201, 1)
        .Fill(17, 12, 52, 37, 2600105, 9)
        .Fill(62, 10, 99, 19, 2700001, 5)
        .Fill(62, 20, 99, 34, 2700005, 9)
        .Fill(62, 35, 99, 39, 2700002, 6);

    // File C (val/cologne, 70x50, border 7): a rider (instance 0) of exactly 1000 px at the right, a bus of 999 px (too small) left.
    static CityscapesFrame FrameC() => new CityscapesFrame(70, 50, backgroundUid: 7)
        .Fill(45, 0, 64, 9, 2500002, 2)
        .Fill(45, 10, 64, 29, 2500001, 1)
        .Fill(45, 10, 46, 29, 2500003, 3)
        .Fill(45, 30, 64, 49, 2500004, 4)
        .Fill(5, 2, 31, 38, 2800101, 5);

    void WriteMainSource()
    {
        CityscapesSource.Write(Src, "train", "aachen", "aachen_000000_000019", FrameA());
        CityscapesSource.Write(Src, "train", "bochum", "bochum_000000_000001", FrameB(), TiffCompression.Deflate);
        CityscapesSource.Write(Src, "val", "cologne", "cologne_000000_000002", FrameC(), TiffCompression.None);
    }

    PrepareSummary Prepare(PrepareOptions? options = null)
    {
        var preparer = new CityscapesPartsPreparer();
        using var writer = new PreparedDatasetWriter(Out, preparer.Name, preparer.Taxonomy, NullProgress.Instance);
        preparer.Prepare(Src, writer, options ?? new PrepareOptions { Workers = 2 }, NullProgress.Instance);
        return writer.Commit();
    }

    // Checks one written sample pixel by pixel: the window (image coordinates, may start in the border) cut from the
    // hand-painted label map and the pattern image, zeros/black outside the image.
    void AssertSample(string split, string cls, string stem, CityscapesFrame frame, int x0, int y0, int w, int h)
    {
        var (mask, mw, mh) = ImageIO.DecodeGray(File.ReadAllBytes(Path.Combine(Out, split, "masks", cls, stem + ".png")));
        var (rgb, iw, ih) = ImageIO.DecodeRgb(File.ReadAllBytes(Path.Combine(Out, split, "images", cls, stem + ".png")));
        Assert.Equal((w, h), (mw, mh));
        Assert.Equal((w, h), (iw, ih));
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++)
            {
                int x = x0 + xx, y = y0 + yy;
                bool inside = x >= 0 && x < frame.Width && y >= 0 && y < frame.Height;
                byte label = inside ? frame.Labels[y * frame.Width + x] : (byte)0;
                var (r, g, b) = inside ? CityscapesSource.Pixel(x, y) : ((byte)0, (byte)0, (byte)0);
                int i = yy * w + xx;
                Assert.True(label == mask[i], $"{stem}: label at image ({x},{y}) is {mask[i]}, expected {label}");
                Assert.True((r, g, b) == (rgb[i], rgb[w * h + i], rgb[2 * w * h + i]), $"{stem}: colour at image ({x},{y})");
            }
    }

    [Fact]
    public void Taxonomy_has_2_classes_and_10_labels_in_the_loaders_order()
    {
        var t = new CityscapesPartsPreparer().Taxonomy;
        Assert.Equal(["human", "vehicle"], t.ClassNames);
        Assert.Equal(["background", "human torso", "human head", "human arms", "human legs", "vehicle window", "vehicle wheel",
            "vehicle light", "vehicle license plate", "vehicle chassis"], t.PartNames);
        Assert.Equal([-1, 0, 0, 0, 0, 1, 1, 1, 1, 1], t.PartClass);
    }

    [Fact]
    public void Uids_decode_as_panoptic_parts_decode_uids()
    {
        // The examples of decode_uids' docstring, and the void part 00.
        Assert.Equal((23, -1, -1), PanopticPartsUid.Decode(23));
        Assert.Equal((23, 3, -1), PanopticPartsUid.Decode(23003));
        Assert.Equal((23, 3, 4), PanopticPartsUid.Decode(2300304));
        Assert.Equal((1, 234, -1), PanopticPartsUid.Decode(1234));
        Assert.Equal((1, 234, 56), PanopticPartsUid.Decode(123456));
        Assert.Equal((24, 10, 0), PanopticPartsUid.Decode(2401000));
        Assert.Equal((0, -1, -1), PanopticPartsUid.Decode(0));
        Assert.False(PanopticPartsUid.IsValid(100));
        Assert.False(PanopticPartsUid.IsValid(999));
        Assert.False(PanopticPartsUid.IsValid(-1));
        Assert.False(PanopticPartsUid.IsValid(10_000_000));
        Assert.True(PanopticPartsUid.IsValid(9_999_999));
    }

    [Fact]
    public void Crops_masks_and_images_match_hand_worked_windows()
    {
        WriteMainSource();
        var summary = Prepare();

        // Draws in processing order (train: aachen, bochum; then val: cologne), 2 per instance of >= 1000 px, sid 24..28 first:
        //   A person (24,10) p0; A car (26,0) p1; B person (24,2) p2, occluded but drawn; B truck (27,0) p3; C rider (25,0) p4.
        // Only 4 samples, so int(0.1*4) = 0 val and test: all train.
        Assert.Equal(4, summary.Total);
        Assert.Equal([2, 2], summary.Counts["train"]);
        Assert.Equal([0, 0], summary.Counts["val"]);
        Assert.Equal([0, 0], summary.Counts["test"]);
        Assert.Empty(summary.Skipped);

        // A person: padded box x 15..44, y 20..59 -> w 29, h 39, s = 39, xpad 5, ypad 0, s += 2*int(7.8) = 53;
        // int(0.2195*53) = 11, int(0.2861*53) = 15; x0 = max(0, 15-5-11) = 0, y0 = 20-15 = 5 -> image (-10, -5), 53x53.
        Assert.Equal(11, (int)(NumpyDraws[0].U0 * 53)); Assert.Equal(15, (int)(NumpyDraws[0].U1 * 53));
        AssertSample("train", "human", "aachen_000000_000019_s24_i010", FrameA(), -10, -5, 53, 53);
        // A car (instance 0, kept): padded x 60..99, y 30..59 -> w 39, h 29, s 39, xpad 0, ypad 5, s = 53;
        // int(0.2411*53) = 12, int(0.2180*53) = 11; x0 = 60-12 = 48, y0 = 30-5-11 = 14 -> image (38, 4), 53x53.
        Assert.Equal(12, (int)(NumpyDraws[1].U0 * 53)); Assert.Equal(11, (int)(NumpyDraws[1].U1 * 53));
        AssertSample("train", "vehicle", "aachen_000000_000019_s26_i000", FrameA(), 38, 4, 53, 53);
        // B truck: padded x 72..109, y 20..49 -> w 37, h 29, s 37, ypad 4, s += 2*int(7.4) = 51; draws p3 (p2 went to
        // the occluded person): int(0.1750*51) = 8, int(0.3567*51) = 18; x0 = 64, y0 = max(0, 20-4-18) = 0 -> image (54, -10), 51x51.
        Assert.Equal(8, (int)(NumpyDraws[3].U0 * 51)); Assert.Equal(18, (int)(NumpyDraws[3].U1 * 51));
        AssertSample("train", "vehicle", "bochum_000000_000001_s27_i000", FrameB(), 54, -10, 51, 51);
        // C rider (exactly 1000 px): padded x 52..71, y 7..56 -> w 19, h 49, s 49, xpad 15, s += 2*int(9.8) = 67;
        // int(0.3855*67) = 25, int(0.1534*67) = 10; x0 = 52-15-25 = 12, y0 = max(0, 7-10) = 0; the padded image is 64 rows,
        // so numpy slicing cuts the crop to 67 wide x 64 tall -> image (5, -7), 67x64. It shows the bus (999 px, no sample) as windows.
        Assert.Equal(25, (int)(NumpyDraws[4].U0 * 67)); Assert.Equal(10, (int)(NumpyDraws[4].U1 * 67));
        AssertSample("train", "human", "cologne_000000_000002_s25_i000", FrameC(), 5, -7, 67, 64);

        // No sample for the group region (iid -1), the occluded person, or the too-small car and bus.
        var stems = Directory.GetFiles(Path.Combine(Out, "train", "images"), "*.png", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(["aachen_000000_000019_s24_i010", "aachen_000000_000019_s26_i000", "bochum_000000_000001_s27_i000", "cologne_000000_000002_s25_i000"], stems);

        var info = PreparedLayout.ReadInfo(Out)!;
        Assert.Equal("cityscapes", info.Dataset);
        Assert.Contains("iid 0 is kept", info.Provenance["deviation.instance_ids"]);
        Assert.Contains("not identical", info.Provenance["deviation.instance_ids"]);
        Assert.Contains("sorted", info.Provenance["order"]);
        Assert.Contains("non-square", info.Provenance["crop"]);
    }

    [Fact]
    public void Split_is_the_numpy_shuffle_of_the_pooled_samples_after_the_crop_draws()
    {
        // 12 frames with one car each (40x25 = 1000 px), 24 crop draws, then np.random.shuffle(np.arange(12)), which numpy 1.24.2
        // gives as [8, 9, 5, 6, 3, 4, 2, 11, 10, 1, 0, 7]: int(0.1*12) = 1 val (sample 8), 1 test (sample 9), the rest train.
        for (int i = 0; i < 12; i++)
            CityscapesSource.Write(Src, i < 6 ? "train" : "val", $"city{i % 3}", $"city{i % 3}_000000_{i:D6}",
                new CityscapesFrame(40, 40).Fill(0, 5, 39, 29, 2600005, 9));
        var summary = Prepare();
        Assert.Equal(12, summary.Total);
        // Processing order: train then val, each by city then name.
        string[] order = Enumerable.Range(0, 6).OrderBy(i => (i % 3, i)).Concat(Enumerable.Range(6, 6).OrderBy(i => (i % 3, i)))
            .Select(i => $"city{i % 3}_000000_{i:D6}_s26_i000").ToArray();
        Assert.Equal([order[8]], Stems("val"));
        Assert.Equal([order[9]], Stems("test"));
        Assert.Equal(order.Where((_, k) => k is not (8 or 9)).Order(), Stems("train"));
        Assert.Equal([8, 9, 5, 6, 3, 4, 2, 11, 10, 1, 0, 7], NumpyShuffleAfterDraws(12, 24));

        string[] Stems(string split) => File.ReadAllLines(Path.Combine(Out, split, "index.csv")).Skip(1)
            .Select(l => Path.GetFileNameWithoutExtension(l.Split(',')[0])).Order().ToArray();
    }

    static int[] NumpyShuffleAfterDraws(int n, int draws)
    {
        var rng = new NumpyRandomState(0);
        for (int i = 0; i < draws; i++) rng.RandomSample();
        return rng.Permutation(n);
    }

    [Fact]
    public void Bad_files_are_skipped_with_a_reason_and_draw_nothing()
    {
        var a = FrameA();
        // Sorted order: a_bad* files first, then the good copy of frame A last.
        CityscapesSource.Write(Src, "train", "a_bad1", "a_bad1_000000_000000", a);
        File.Delete(CityscapesSource.ImagePath(Src, "train", "a_bad1", "a_bad1_000000_000000"));           // missing image
        CityscapesSource.Write(Src, "train", "a_bad2", "a_bad2_000000_000000", a);
        var tif = CityscapesSource.LabelPath(Src, "train", "a_bad2", "a_bad2_000000_000000");
        File.WriteAllBytes(tif, File.ReadAllBytes(tif)[..200]);                                              // truncated TIFF
        CityscapesSource.Write(Src, "train", "a_bad3", "a_bad3_000000_000000", a);
        var png = CityscapesSource.ImagePath(Src, "train", "a_bad3", "a_bad3_000000_000000");
        File.WriteAllBytes(png, File.ReadAllBytes(png)[..100]);                                              // truncated PNG
        CityscapesSource.Write(Src, "train", "a_bad4", "a_bad4_000000_000000", a, imageSize: (100, 61));     // size mismatch
        CityscapesSource.Write(Src, "train", "a_bad5", "a_bad5_000000_000000", new CityscapesFrame(100, 60).Fill(3, 4, 3, 4, 500, 0)); // 3-digit uid
        CityscapesSource.Write(Src, "train", "z_good", "z_good_000000_000000", a);

        var summary = Prepare();
        var reasons = summary.Skipped.ToDictionary(s => s.File.Split('/')[2], s => s.Reason);
        Assert.Equal(5, reasons.Count);
        Assert.StartsWith("missing image (expected leftImg8bit/train/a_bad1/a_bad1_000000_000000_leftImg8bit.png)", reasons["a_bad1"]);
        Assert.StartsWith("unreadable label TIFF (", reasons["a_bad2"]);
        Assert.StartsWith("unreadable image (leftImg8bit/train/a_bad3/", reasons["a_bad3"]);
        Assert.Equal("label and image sizes differ (label 100x60, image 100x61)", reasons["a_bad4"]);
        Assert.Equal("invalid uid (500 at x=3, y=4; expected 0..9999999, never 3 digits)", reasons["a_bad5"]);
        Assert.All(reasons.Values, r => Assert.DoesNotContain('\n', r));
        // The good file gets the first draws, as if it were alone: same windows as in the main test.
        Assert.Equal(2, summary.Total);
        AssertSample("train", "human", "z_good_000000_000000_s24_i010", a, -10, -5, 53, 53);
        AssertSample("train", "vehicle", "z_good_000000_000000_s26_i000", a, 38, 4, 53, 53);
    }

    [Fact]
    public void Limit_takes_the_first_label_files_in_processing_order()
    {
        WriteMainSource();
        var summary = Prepare(new PrepareOptions { Limit = 1, Workers = 1 });
        Assert.Equal(2, summary.Total);
        AssertSample("train", "human", "aachen_000000_000019_s24_i010", FrameA(), -10, -5, 53, 53);
        Assert.Contains("--limit 1", PreparedLayout.ReadInfo(Out)!.Provenance["source"]);
    }

    [Fact]
    public void Refuses_the_original_split_and_unusable_sources_in_one_line()
    {
        WriteMainSource();
        var preparer = new CityscapesPartsPreparer();
        using var writer = new PreparedDatasetWriter(Out, preparer.Name, preparer.Taxonomy, NullProgress.Instance);
        var e = Assert.Throws<ArgumentException>(() => preparer.Prepare(Src, writer, new PrepareOptions { Split = "original" }, NullProgress.Instance));
        Assert.Contains("no test labels", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var missing = Assert.Throws<ArgumentException>(() => preparer.Prepare(Path.Combine(_root, "nope"), writer, new PrepareOptions(), NullProgress.Instance));
        Assert.Contains("does not exist", missing.Message);
        string empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(Path.Combine(empty, "leftImg8bit"));
        var noLabels = Assert.Throws<ArgumentException>(() => preparer.Prepare(empty, writer, new PrepareOptions(), NullProgress.Instance));
        Assert.Contains("no gtFinePanopticParts folder", noLabels.Message);
        Directory.CreateDirectory(Path.Combine(empty, "gtFinePanopticParts", "train", "aachen"));
        var noFiles = Assert.Throws<InvalidDataException>(() => preparer.Prepare(empty, writer, new PrepareOptions(), NullProgress.Instance));
        Assert.Contains("no *_gtFinePanopticParts.tif file", noFiles.Message);
    }

    [Fact]
    public void Preparing_twice_gives_identical_files()
    {
        WriteMainSource();
        Prepare();
        var first = Snapshot();
        Prepare(new PrepareOptions { Workers = 1 });
        Assert.Equal(first, Snapshot());

        Dictionary<string, string> Snapshot() => Directory.GetFiles(Out, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("summary.md", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(Out, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
    }
}
