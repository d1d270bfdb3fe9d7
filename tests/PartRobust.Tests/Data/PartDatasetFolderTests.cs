using PartRobust.Data;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Data;

public sealed class PartDatasetFolderTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"partrobust-folder-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    PartDataset Small(int n = 12) =>
        new PartShapesGenerator(new PartShapesOptions { ImageSize = 40, Classes = ["Bird", "Bottle", "Quadruped"], Seed = 3 })
            .Generate(PartShapesSplit.Val, n);

    string Written(int n = 12)
    {
        string dir = Path.Combine(_root, "ds");
        using var ds = Small(n);
        PartDatasetFolder.Write(ds, dir);
        return dir;
    }

    [Fact]
    public void Round_trip_is_exact_and_files_are_rgb_and_gray_pngs()
    {
        string dir = Path.Combine(_root, "ds");
        using var ds = Small();
        PartDatasetFolder.Write(ds, dir);
        using var back = PartDatasetFolder.Read(dir);
        Assert.Equal(ds.Images.bytes.ToArray(), back.Images.bytes.ToArray());
        Assert.Equal(ds.Masks.bytes.ToArray(), back.Masks.bytes.ToArray());
        Assert.Equal(ds.Labels.bytes.ToArray(), back.Labels.bytes.ToArray());
        Assert.Equal(ds.Taxonomy.ClassNames, back.Taxonomy.ClassNames);
        Assert.Equal(ds.Taxonomy.PartNames, back.Taxonomy.PartNames);
        Assert.Equal(ds.Taxonomy.PartClass, back.Taxonomy.PartClass);
        Assert.Equal(2, File.ReadAllBytes(Path.Combine(dir, "images", "000000.png"))[25]); // IHDR colour type 2 = RGB
        Assert.Equal(0, File.ReadAllBytes(Path.Combine(dir, "masks", "000000.png"))[25]);  // 0 = grayscale
        var lines = File.ReadAllLines(Path.Combine(dir, "index.csv"));
        Assert.Equal("file,mask,label,class_name", lines[0]);
        Assert.Equal("images/000001.png,masks/000001.png,1,Bottle", lines[2]);
        Assert.Single(Directory.GetDirectories(_root)); // no temp folder left behind
    }

    [Fact]
    public void No_label_mask_value_round_trips_and_existing_folder_is_not_overwritten_by_default()
    {
        string dir = Path.Combine(_root, "ign");
        var tax = PartImageNetTaxonomy.Select(["Snake"]);
        using (var ds = new PartDataset(ones(2, 3, 32, 32) * 0.5f, full(new long[] { 2, 32, 32 }, -1L, dtype: ScalarType.Int64), zeros(2, dtype: ScalarType.Int64), tax))
        {
            PartDatasetFolder.Write(ds, dir);
            Assert.Throws<IOException>(() => PartDatasetFolder.Write(ds, dir));
            PartDatasetFolder.Write(ds, dir, overwrite: true);
        }
        using var back = PartDatasetFolder.Read(dir);
        Assert.Equal(-1L, back.Masks.max().item<long>());
        Assert.Equal(-1L, back.Masks.min().item<long>());
    }

    [Fact]
    public void Missing_file_names_the_file()
    {
        string dir = Written();
        File.Delete(Path.Combine(dir, "masks", "000003.png"));
        var e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("000003.png", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Corrupt_and_truncated_pngs_name_the_file()
    {
        string dir = Written();
        File.WriteAllBytes(Path.Combine(dir, "images", "000001.png"), [1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("000001.png", e.Message);

        Directory.Delete(dir, true);
        dir = Written();
        string p = Path.Combine(dir, "images", "000004.png");
        var bytes = File.ReadAllBytes(p);
        File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("000004.png", e.Message);
    }

    [Fact]
    public void Wrong_size_names_the_file_and_the_expected_size()
    {
        string dir = Written();
        File.WriteAllBytes(Path.Combine(dir, "images", "000002.png"), ImageIO.EncodeRgbPng(new byte[3 * 32 * 32], 32, 32));
        var e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("000002.png", e.Message);
        Assert.Contains("expected 40x40", e.Message);
    }

    [Fact]
    public void Label_and_mask_values_out_of_range_are_rejected()
    {
        string dir = Written();
        string index = Path.Combine(dir, "index.csv");
        var lines = File.ReadAllLines(index);
        lines[3] = "images/000002.png,masks/000002.png,99,Bird";
        File.WriteAllLines(index, lines);
        var e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("index.csv", e.Message);
        Assert.Contains("out of range", e.Message);

        Directory.Delete(dir, true);
        dir = Written();
        var mask = new byte[40 * 40];
        mask[5] = 200;
        File.WriteAllBytes(Path.Combine(dir, "masks", "000005.png"), ImageIO.EncodeGrayPng(mask, 40, 40));
        e = Assert.Throws<InvalidDataException>(() => PartDatasetFolder.Read(dir));
        Assert.Contains("000005.png", e.Message);
        Assert.Contains("200", e.Message);
    }
}
