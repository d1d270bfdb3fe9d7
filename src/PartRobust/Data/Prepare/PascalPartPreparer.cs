using System.Globalization;
using System.IO.Compression;
using PartRobust.Data.Formats;

namespace PartRobust.Data.Prepare;

/// <summary>
/// Prepares PASCAL-Part (VOC2010 <c>JPEGImages</c> + PASCAL-Part <c>Annotations_Part/*.mat</c>) as the paper does
/// (chawins/adv-part-model <c>prepare_pascal_part.py</c>, <c>--min-area 0.</c>): one sample per image, labelled by its
/// largest object; images whose largest object is not an aeroplane, bird, car, cat or dog are dropped; raw parts merged
/// into 3 groups per class (<see cref="PascalPartTaxonomy"/>); the authors' seeded per-class 80/10/10 split.
/// </summary>
public sealed class PascalPartPreparer : IDatasetPreparer
{
    /// <summary>Annotation folder inside the source.</summary>
    public const string AnnotationDir = "Annotations_Part";

    /// <summary>Image folder inside the source.</summary>
    public const string ImageDir = "JPEGImages";

    /// <inheritdoc/>
    public string Name => "pascal-part";

    /// <inheritdoc/>
    public PartTaxonomy Taxonomy => PascalPartTaxonomy.Taxonomy;

    sealed record Kept(string MatFile, string Stem, int Label, int Width, int Height, byte[] PackedMap);

    /// <inheritdoc/>
    public void Prepare(string sourceDir, PreparedDatasetWriter writer, PrepareOptions options, IProgressSink progress)
    {
        if (options.Split != "paper")
            throw new ArgumentException(options.Split == "original"
                ? "--split original: PASCAL-Part has no split of its own in the paper's setup (it is re-split 80/10/10 per class); use --split paper"
                : $"--split {options.Split}: expected 'paper' for pascal-part");
        string annDir = System.IO.Path.Combine(sourceDir, AnnotationDir), imgDir = System.IO.Path.Combine(sourceDir, ImageDir);
        if (!Directory.Exists(sourceDir)) throw new ArgumentException($"--source {sourceDir}: folder not found");
        if (!Directory.Exists(annDir)) throw new ArgumentException($"--source {sourceDir}: no {AnnotationDir} folder (expected the PASCAL-Part annotations, trainval.tar.gz)");
        if (!Directory.Exists(imgDir)) throw new ArgumentException($"--source {sourceDir}: no {ImageDir} folder (expected the VOC2010 images, VOCtrainval_03-May-2010.tar)");
        // The authors process sorted(os.listdir(...)): ordinal order of the names.
        var files = Directory.GetFiles(annDir, "*.mat").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{annDir}: no .mat annotation files");
        if (options.Limit is int limit) files = files.Take(Math.Max(0, limit)).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) };

        // 1. Annotations: label and part map of every file (kept in sorted order; maps packed to bound memory).
        var kept = new Kept?[files.Count];
        using (var task = progress.Start("pascal-part: annotations", files.Count))
            Parallel.For(0, files.Count, parallel, i =>
            {
                string rel = $"{AnnotationDir}/{files[i]}", full = System.IO.Path.Combine(annDir, files[i]);
                try
                {
                    var a = ReadAnnotation(full);
                    if (a.LargestClass is null) writer.Skip(rel, "no object with a non-empty mask");
                    else if (a.Label < 0) writer.Skip(rel, $"largest object is a {a.LargestClass} (not one of the 5 classes)");
                    else kept[i] = new Kept(rel, System.IO.Path.GetFileNameWithoutExtension(files[i]), a.Label, a.Width, a.Height, Pack(a.PartMap!));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    // The reader's messages start with the file's path, which the skip line already names.
                    string reason = OneLine(e.Message);
                    writer.Skip(rel, reason.StartsWith(full + ": ", StringComparison.Ordinal) ? reason[(full.Length + 2)..] : reason);
                }
                task.Advance();
            });

        // 2. The split is drawn over every image the annotations keep, as the authors draw it (before images are read).
        var samples = kept.Where(k => k is not null).Select(k => k!).ToList();
        string[] splits = PaperSplit(samples.Select(s => s.Label).ToList());
        RecordProvenance(writer, options);

        // 3. Images: the original JPEG, checked to decode and to match the mask size.
        using (var task = progress.Start("pascal-part: images", samples.Count))
            Parallel.For(0, samples.Count, parallel, i =>
            {
                var s = samples[i];
                string rel = $"{ImageDir}/{s.Stem}.jpg";
                try
                {
                    string? reason = CheckImage(System.IO.Path.Combine(imgDir, s.Stem + ".jpg"), s, out byte[] bytes);
                    if (reason is not null) writer.Skip(rel, reason);
                    else writer.Add(new PreparedSample(splits[i], s.Label, s.Stem, new EncodedImage(bytes, ".jpg"), s.Width, s.Height,
                        Unpack(s.PackedMap, s.Width * s.Height), $"{s.MatFile} + {rel}"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    writer.Skip(rel, OneLine(e.Message));
                }
                task.Advance();
            });
    }

    static string? CheckImage(string path, Kept s, out byte[] bytes)
    {
        bytes = [];
        if (!File.Exists(path)) return $"missing (the image of {s.MatFile})";
        bytes = File.ReadAllBytes(path);
        if (bytes.Length < 3 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF) return "not a JPEG file (no FF D8 FF start-of-image marker)";
        int w, h;
        try { (_, w, h) = ImageIO.DecodeRgb(bytes); }
        catch (InvalidDataException e) { return $"corrupt JPEG ({OneLine(e.Message)})"; }
        if (w != s.Width || h != s.Height) return $"image is {w}x{h} but its annotation masks are {s.Width}x{s.Height}";
        return null;
    }

    static void RecordProvenance(PreparedDatasetWriter writer, PrepareOptions options)
    {
        var p = writer.Provenance;
        p["source_code"] = "chawins/adv-part-model@218c2a45906c751be8d8845bd4183b5bfb8242da prepare_pascal_part.py (--min-area 0.)";
        p["label"] = "class of the object with the most mask pixels among all objects (strict >, the first wins a tie); images whose largest object is not aeroplane/bird/car/cat/dog are dropped";
        p["part_map"] = "main object first, then the other objects in annotation order; per object its 3 groups in order; a raw part joins a group when a keyword is a substring of its name; a pixel is painted only while still 0";
        p["split"] = "paper: np.random.seed(0) once, then for each class in alphabetical order np.random.shuffle of its image indices (positions in sorted annotation order), continuing one stream; first round(0.1 n) val, next round(0.1 n) test (round half to even), rest train";
        p["deviations"] = "images whose JPEG is missing, corrupt, not a JPEG or of another size than the masks are skipped (the authors copy nothing for a missing JPEG but keep its mask); they are skipped after the split is drawn so the other images keep the authors' split; unreadable .mat files are skipped (the authors' script stops); mask pixels count as set when nonzero (the authors sum values; PASCAL-Part masks are 0/1); a stem is the file name without its last extension (the authors cut at the first dot)";
        if (options.Limit is int limit) p["limit"] = limit.ToString(CultureInfo.InvariantCulture) + " annotation files (the first in sorted order); the split is drawn over this subset";
    }

    /// <summary>
    /// The authors' split of samples with the given class labels (in processing order): one <c>np.random.seed(0)</c>, then
    /// per class present, in label (= alphabetical) order, <c>np.random.shuffle</c> of that class's positions;
    /// the first <c>round(0.1·n)</c> go to val, the next <c>round(0.1·n)</c> to test, the rest to train.
    /// </summary>
    public static string[] PaperSplit(IReadOnlyList<int> labels)
    {
        var rng = new NumpyRandomState(0);
        var split = new string[labels.Count];
        foreach (int label in labels.Distinct().Order())
        {
            var idx = Enumerable.Range(0, labels.Count).Where(i => labels[i] == label).ToArray();
            rng.Shuffle(idx);
            // Python's round(): half to even, on the same double 0.1 * n.
            int nVal = (int)Math.Round(0.1 * idx.Length, MidpointRounding.ToEven), nTest = nVal;
            for (int k = 0; k < idx.Length; k++)
                split[idx[k]] = k < nVal ? "val" : k < nVal + nTest ? "test" : "train";
        }
        return split;
    }

    /// <summary>
    /// Reads one annotation file and relabels it: the largest object gives the class; if it is one of the five, the part
    /// map paints the main object's groups first, then every other object's in annotation order, only where still 0.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable PASCAL-Part annotation (one line naming it).</exception>
    public static PascalPartAnnotation ReadAnnotation(string matPath)
    {
        var variables = MatFile.Read(matPath);
        if (!variables.TryGetValue("anno", out var annoValue) || annoValue is not MatStruct anno)
            throw new InvalidDataException($"{matPath}: expected a struct variable 'anno' (a PASCAL-Part annotation)");
        var objectsValue = anno.Field("objects");
        var objects = new List<(string Class, MatArray Mask, List<(string Name, MatArray Mask)> Parts)>();
        if (objectsValue is MatStruct os)
            for (int i = 0; i < os.Count; i++)
            {
                string cls = Expect<MatChar>(os[i, "class"], "the VOC class name (char)").Text;
                var mask = Expect<MatArray>(os[i, "mask"], "an H x W mask");
                var parts = new List<(string, MatArray)>();
                if (os[i, "parts"] is MatStruct ps)
                    for (int j = 0; j < ps.Count; j++)
                        parts.Add((Expect<MatChar>(ps[j, "part_name"], "the part name (char)").Text, Expect<MatArray>(ps[j, "mask"], "an H x W mask")));
                else if (!os[i, "parts"].IsEmpty) throw os[i, "parts"].Error("expected a struct array of parts (or an empty array)");
                objects.Add((cls, mask, parts));
            }
        else if (!objectsValue.IsEmpty) throw objectsValue.Error("expected a struct array of objects");
        if (objects.Count == 0) return new PascalPartAnnotation(null, 0, -1, 0, 0, null);

        int h = objects[0].Mask.Rows, w = objects[0].Mask.Columns;
        foreach (var o in objects)
        {
            CheckSize(o.Mask, h, w);
            foreach (var p in o.Parts) CheckSize(p.Mask, h, w);
        }

        int main = -1;
        long maxArea = 0;
        for (int i = 0; i < objects.Count; i++)
        {
            long area = CountNonZero(objects[i].Mask);
            if (area > maxArea) (main, maxArea) = (i, area);
        }
        if (main < 0) return new PascalPartAnnotation(null, 0, -1, w, h, null);
        int label = PascalPartTaxonomy.ClassIndex(objects[main].Class);
        if (label < 0) return new PascalPartAnnotation(objects[main].Class, maxArea, -1, w, h, null);

        var columnMajor = new byte[w * h];
        Paint(columnMajor, objects[main]);
        for (int i = 0; i < objects.Count; i++)
            if (i != main) Paint(columnMajor, objects[i]);
        var map = new byte[w * h];
        for (int c = 0; c < w; c++)
            for (int r = 0; r < h; r++) map[r * w + c] = columnMajor[c * h + r];
        return new PascalPartAnnotation(objects[main].Class, maxArea, label, w, h, map);
    }

    // Paints one object's groups into a column-major map, in group order, where the map is still 0.
    static void Paint(byte[] map, (string Class, MatArray Mask, List<(string Name, MatArray Mask)> Parts) obj)
    {
        int cls = PascalPartTaxonomy.ClassIndex(obj.Class);
        if (cls < 0) return;
        var groupOf = obj.Parts.Select(p => PascalPartTaxonomy.GroupOf(cls, p.Name)).ToArray();
        for (int g = 0; g < PascalPartTaxonomy.GroupsPerClass; g++)
        {
            byte value = (byte)PascalPartTaxonomy.SegLabel(cls, g);
            for (int j = 0; j < obj.Parts.Count; j++)
            {
                if (groupOf[j] != g) continue;
                var mask = obj.Parts[j].Mask;
                if (mask.StoredType == MatDataType.UInt8)
                {
                    var data = mask.RawData.Span;
                    for (int k = 0; k < map.Length; k++)
                        if (data[k] != 0 && map[k] == 0) map[k] = value;
                }
                else
                    for (int k = 0; k < map.Length; k++)
                        if (map[k] == 0 && mask[k] != 0) map[k] = value;
            }
        }
    }

    static long CountNonZero(MatArray mask)
    {
        long n = 0;
        if (mask.StoredType == MatDataType.UInt8)
            foreach (byte b in mask.RawData.Span) n += b != 0 ? 1 : 0;
        else
            for (int k = 0; k < mask.Count; k++) n += mask[k] != 0 ? 1 : 0;
        return n;
    }

    static void CheckSize(MatArray mask, int h, int w)
    {
        if (mask.Dimensions.Count != 2 || mask.Rows != h || mask.Columns != w)
            throw mask.Error($"mask is {mask.SizeText}, expected {h}x{w} like the first object's");
    }

    static T Expect<T>(MatValue value, string what) where T : MatValue =>
        value as T ?? throw value.Error($"expected {what}, found a {value.SizeText} {value.Class} array");

    static byte[] Pack(byte[] map)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest)) z.Write(map);
        return ms.ToArray();
    }

    static byte[] Unpack(byte[] packed, int length)
    {
        var map = new byte[length];
        using var z = new ZLibStream(new MemoryStream(packed), CompressionMode.Decompress);
        z.ReadExactly(map);
        return map;
    }

    static string OneLine(string message) => message.Split('\n')[0].TrimEnd();
}
