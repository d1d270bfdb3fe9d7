using System.Text.Json;

namespace PartRobust.Data.Prepare;

/// <summary>
/// PartRobust's prepared-dataset folder. One folder per split, each readable on its own:
/// <code>
/// OUT/dataset.json            format, version, dataset, samples per split, provenance
/// OUT/summary.md, skipped.txt the preparation's summary and every skipped file with its reason
/// OUT/SPLIT/index.csv         file,mask,label,class_name,width,height   (sorted by label, then name)
/// OUT/SPLIT/taxonomy.json     ClassNames, PartNames, PartClass
/// OUT/SPLIT/images/CLASS/STEM.jpg|png   original JPEG bytes, or a PNG crop
/// OUT/SPLIT/masks/CLASS/STEM.png        8-bit gray PNG, value = seg label, 255 = no label
/// </code>
/// Originals are kept at full resolution (the loader's transforms resize), JPEGs are copied byte for byte (no second
/// lossy encode), and masks are small PNGs that Skia decodes fast. The PartShapes export (<see cref="PartDatasetFolder"/>)
/// writes the same split folders without the two size columns.
/// </summary>
public static class PreparedLayout
{
    /// <summary>The <c>format</c> value of <c>dataset.json</c>.</summary>
    public const string FormatName = "partrobust-prepared";

    /// <summary>The format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>File names.</summary>
    public const string DatasetFile = "dataset.json", IndexFile = "index.csv", TaxonomyFile = "taxonomy.json";

    /// <summary>The header of a prepared split's index.</summary>
    public const string IndexHeader = "file,mask,label,class_name,width,height";

    /// <summary>Mask byte meaning "no label" (−1).</summary>
    public const byte IgnoreByte = 255;

    /// <summary>The three splits, in order.</summary>
    public static readonly string[] Splits = ["train", "val", "test"];

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The content of <c>dataset.json</c>.</summary>
    public sealed class DatasetInfo
    {
        /// <summary>Always <see cref="FormatName"/>.</summary>
        public string Format { get; set; } = "";
        /// <summary>Format version.</summary>
        public int Version { get; set; }
        /// <summary>Dataset name (<c>partimagenet</c>, <c>cityscapes</c>, <c>pascal-part</c>).</summary>
        public string Dataset { get; set; } = "";
        /// <summary>Samples per split.</summary>
        public Dictionary<string, int> Splits { get; set; } = new();
        /// <summary>Split rule, seeds, deviations from the authors' code.</summary>
        public SortedDictionary<string, string> Provenance { get; set; } = new();
    }

    sealed record TaxonomyJson(List<string> ClassNames, List<string> PartNames, List<int> PartClass);

    /// <summary>Writes a taxonomy as <c>taxonomy.json</c>.</summary>
    public static void WriteTaxonomy(string path, PartTaxonomy t) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new TaxonomyJson([.. t.ClassNames], [.. t.PartNames], [.. t.PartClass]),
            new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Reads <c>taxonomy.json</c>; a one-line <see cref="InvalidDataException"/> naming the file if it is missing or malformed.</summary>
    public static PartTaxonomy ReadTaxonomy(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file is missing (expected the class/part taxonomy).");
        TaxonomyJson? t;
        try { t = JsonSerializer.Deserialize<TaxonomyJson>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message.Split('\n')[0]})."); }
        if (t is null || t.ClassNames is null || t.PartNames is null || t.PartClass is null || t.PartNames.Count != t.PartClass.Count
            || t.ClassNames.Count == 0 || t.PartNames.Count > 255 || t.PartClass.Any(c => c < -1 || c >= t.ClassNames.Count))
            throw new InvalidDataException($"{path}: expected ClassNames, PartNames and PartClass (same length as PartNames, values -1..C-1).");
        return new PartTaxonomy(t.ClassNames, t.PartNames, t.PartClass);
    }

    /// <summary>Reads <c>dataset.json</c> of a prepared folder, or null if the folder has none.</summary>
    public static DatasetInfo? ReadInfo(string dir)
    {
        string path = Path.Combine(dir, DatasetFile);
        if (!File.Exists(path)) return null;
        DatasetInfo? info;
        try { info = JsonSerializer.Deserialize<DatasetInfo>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message.Split('\n')[0]})."); }
        if (info is null || info.Format != FormatName)
            throw new InvalidDataException($"{path}: expected \"format\": \"{FormatName}\" (a folder written by partrobust data prepare).");
        if (info.Version > FormatVersion)
            throw new InvalidDataException($"{path}: format version {info.Version} is newer than this PartRobust reads ({FormatVersion}).");
        return info;
    }

    /// <summary>Refuses to replace a folder that is neither missing, empty, nor a prepared dataset.</summary>
    public static void CheckReplaceable(string dir)
    {
        if (!Directory.Exists(dir)) return;
        if (!Directory.EnumerateFileSystemEntries(dir).Any()) return;
        if (File.Exists(Path.Combine(dir, DatasetFile))) { ReadInfo(dir); return; }
        throw new ArgumentException($"--out {dir}: the folder exists and is not a prepared dataset; choose a new or empty folder");
    }

    /// <summary>Moves <paramref name="tmp"/> to <paramref name="dir"/>, replacing a previous preparation by renames only.</summary>
    public static void Replace(string tmp, string dir)
    {
        string? old = null;
        if (Directory.Exists(dir))
        {
            old = $"{tmp}.old";
            Directory.Move(dir, old);
        }
        Directory.Move(tmp, dir);
        if (old is not null) Directory.Delete(old, recursive: true);
    }
}
