using PartRobust.Data.Formats;
using Xunit;

namespace PartRobust.Tests.Data.Formats;

public sealed class CocoAnnotationFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("partrobust-coco-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string json)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    const string Categories = """[{"id": 0, "name": "Quadruped Head", "supercategory": "Quadruped"}]""";

    [Fact]
    public void Read_AllThreeSegmentationForms_InFileOrder()
    {
        string path = Write($$"""
            {"info": {"year": 2021}, "licenses": [],
             "images": [{"id": 7, "file_name": "n1_7.JPEG", "height": 4, "width": 3, "license": 1}],
             "annotations": [
               {"id": 2, "image_id": 7, "category_id": 0, "segmentation": [[0, 0, 2.5, 0, 2, 3], [1, 1, 2, 1, 2, 2, 1, 2]], "area": 4.5, "bbox": [0, 0, 2.5, 3], "iscrowd": 0},
               {"id": 1, "image_id": 7, "category_id": 0, "segmentation": {"counts": [1, 2, 9], "size": [4, 3]}, "area": 2, "iscrowd": 1},
               {"id": 3, "image_id": 7, "category_id": 0, "segmentation": {"counts": "13", "size": [4, 3]}, "area": 0}],
             "categories": {{Categories}}}
            """);
        var f = CocoAnnotationFile.Read(path);
        Assert.Equal(new CocoImage(7, "n1_7.JPEG", 4, 3), f.Images.Single());
        Assert.Equal(new long[] { 2, 1, 3 }, f.Annotations.Select(a => a.Id));
        Assert.Equal(2, f.Annotations[0].Segmentation.Polygons!.Count);
        Assert.Equal(new[] { 1.0, 1, 2, 1, 2, 2, 1, 2 }, f.Annotations[0].Segmentation.Polygons![1]);
        Assert.Equal(new[] { 0, 0, 2.5, 3 }, f.Annotations[0].Bbox);
        Assert.Equal(new long[] { 1, 2, 9 }, f.Annotations[1].Segmentation.RleCounts);
        Assert.Equal(1, f.Annotations[1].IsCrowd);
        Assert.Equal("13", f.Annotations[2].Segmentation.RleString);
        Assert.Equal((4, 3), f.Annotations[2].Segmentation.RleSize);
        Assert.Null(f.Annotations[2].Bbox);
        Assert.Equal(new CocoCategory(0, "Quadruped Head", "Quadruped"), f.Categories.Single());
        // Uncompressed counts 1,2,9 in a 4x3 mask: column 0 rows 1-2.
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0 }, f.Annotations[1].Segmentation.ToRle(4, 3).Decode());
    }

    [Theory]
    [InlineData("{\"images\": [", "")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.JPEG", "width": 3}], "annotations": [], "categories": []}""", "height")]
    [InlineData("""{"images": [{"id": "one", "file_name": "a.JPEG", "height": 2, "width": 3}], "annotations": [], "categories": []}""", "$.images[0].id")]
    [InlineData("""{"images": [], "categories": []}""", "annotations")]
    [InlineData("""{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 0, "segmentation": 5, "area": 1}], "categories": []}""", "segmentation")]
    [InlineData("""{"images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 0, "segmentation": {"counts": [1]}, "area": 1}], "categories": []}""", "size")]
    [InlineData("""{"images": [], "annotations": [], "categories": [{"id": 0, "name": null, "supercategory": "Car"}]}""", "name")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a", "height": 2, "width": 3}, {"id": 1, "file_name": "b", "height": 2, "width": 3}], "annotations": [], "categories": []}""", "appears twice")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a", "height": 0, "width": 3}], "annotations": [], "categories": []}""", "positive")]
    public void Read_BadFile_OneLineNamingTheFile(string json, string expected)
    {
        string path = Write(json);
        var e = Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Read(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        string path = Path.Combine(_dir, "val.json");
        Assert.StartsWith($"{path}: file is missing", Assert.Throws<InvalidDataException>(() => CocoAnnotationFile.Read(path)).Message);
    }

    [Fact]
    public void ToRle_PolygonsEntirelyOutside_OrRleOfAnotherSize_AreRejected()
    {
        var outside = CocoSegmentation.FromPolygons([[1, 1, 3, 1, 2, 2], [10, 10, 12, 10, 11, 12]]);
        Assert.Contains("entirely outside the 4x4 image", Assert.Throws<InvalidDataException>(() => outside.ToRle(4, 4)).Message);
        var rle = CocoSegmentation.FromCounts([16], 4, 4);
        Assert.Contains("differs from the image's [4, 5]", Assert.Throws<InvalidDataException>(() => rle.ToRle(4, 5)).Message);
        Assert.Throws<InvalidDataException>(() => CocoSegmentation.FromCounts([-1, 17], 4, 4).ToRle(4, 4));
    }

    [Fact]
    public void ToRle_FirstPolygonWithFourNumbers_IsStillAPolygonList()
    {
        // pycocotools would treat this list as boxes; we rasterise polygons: the 2-point one adds nothing.
        var seg = CocoSegmentation.FromPolygons([[0, 0, 3, 3], [1, 1, 4, 1, 4, 4, 1, 4]]);
        Assert.Equal(new uint[] { 7, 3, 3, 3, 3, 3, 14 }, seg.ToRle(6, 6).Counts);
        Assert.Equal(1, seg.DegeneratePolygons);
        Assert.Equal(new uint[] { 36 }, CocoSegmentation.FromPolygons([]).ToRle(6, 6).Counts);
    }
}
