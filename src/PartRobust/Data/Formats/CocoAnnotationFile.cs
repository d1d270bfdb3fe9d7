using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartRobust.Data.Formats;

/// <summary>One entry of a COCO file's <c>images</c>.</summary>
/// <param name="Id">Image id (referenced by annotations).</param>
/// <param name="FileName">File name as stored (PartImageNet: a bare name such as <c>n01440764_10029.JPEG</c>).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public sealed record CocoImage(long Id, string FileName, int Height, int Width);

/// <summary>One entry of a COCO file's <c>annotations</c>.</summary>
/// <param name="Id">Annotation id.</param>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Segmentation">Polygons or RLE.</param>
/// <param name="Area">The area the annotator stored (PartImageNet's preparation skips area 0).</param>
/// <param name="Bbox">[x, y, w, h], if present.</param>
/// <param name="IsCrowd">The <c>iscrowd</c> flag, if present (not used: the segmentation's form decides how it is decoded).</param>
public sealed record CocoAnnotation(long Id, long ImageId, long CategoryId, CocoSegmentation Segmentation, double Area,
    double[]? Bbox = null, [property: JsonPropertyName("iscrowd")] int? IsCrowd = null);

/// <summary>One entry of a COCO file's <c>categories</c>.</summary>
/// <param name="Id">Category id.</param>
/// <param name="Name">Name (PartImageNet: <c>"&lt;Superclass&gt; &lt;Part&gt;"</c>, e.g. <c>"Quadruped Head"</c>).</param>
/// <param name="Supercategory">Super-category (PartImageNet: the class, e.g. <c>"Quadruped"</c>).</param>
public sealed record CocoCategory(long Id, string Name, string Supercategory);

/// <summary>
/// A COCO annotation file (<c>images</c>, <c>annotations</c>, <c>categories</c>; other keys are ignored), read from a
/// stream with System.Text.Json without building a document tree. Lists keep the file's order.
/// </summary>
public sealed class CocoAnnotationFile
{
    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }

    /// <summary>Images in file order.</summary>
    public required IReadOnlyList<CocoImage> Images { get; init; }

    /// <summary>Annotations in file order (the order in which parts are painted).</summary>
    public required IReadOnlyList<CocoAnnotation> Annotations { get; init; }

    /// <summary>Categories in file order.</summary>
    public required IReadOnlyList<CocoCategory> Categories { get; init; }

    sealed record FileDto(List<CocoImage> Images, List<CocoAnnotation> Annotations, List<CocoCategory> Categories);

    const string Expected = "expected a COCO annotation file with images[{id,file_name,height,width}], "
        + "annotations[{id,image_id,category_id,segmentation,area}] and categories[{id,name,supercategory}]";

    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        Converters = { new CocoSegmentationJsonConverter() },
    };

    /// <summary>Reads and checks a COCO annotation file.</summary>
    /// <exception cref="InvalidDataException">
    /// One line naming the file: it is missing, is not JSON, lacks a field, has a value of the wrong type, a
    /// non-positive image size, or a repeated image or category id.
    /// </exception>
    public static CocoAnnotationFile Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file is missing ({Expected}).");
        FileDto? dto;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            dto = JsonSerializer.Deserialize<FileDto>(stream, Options);
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {OneLine(e.Message)} ({Expected})."); }
        catch (IOException e) { throw new InvalidDataException($"{path}: cannot be read ({OneLine(e.Message)})."); }
        if (dto is null) throw new InvalidDataException($"{path}: the file is JSON null ({Expected}).");
        var imageIds = new HashSet<long>();
        foreach (var im in dto.Images)
        {
            if (!imageIds.Add(im.Id)) throw new InvalidDataException($"{path}: image id {im.Id} appears twice in images.");
            if (im.Height <= 0 || im.Width <= 0)
                throw new InvalidDataException($"{path}: image {im.Id} has size {im.Width}x{im.Height} (expected positive height and width).");
        }
        var catIds = new HashSet<long>();
        foreach (var c in dto.Categories)
            if (!catIds.Add(c.Id)) throw new InvalidDataException($"{path}: category id {c.Id} appears twice in categories.");
        return new CocoAnnotationFile { Path = path, Images = dto.Images, Annotations = dto.Annotations, Categories = dto.Categories };
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ").TrimEnd('.');
}
