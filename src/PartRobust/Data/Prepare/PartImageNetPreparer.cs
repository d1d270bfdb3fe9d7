using System.Runtime.ExceptionServices;
using PartRobust.Data.Formats;

namespace PartRobust.Data.Prepare;

/// <summary>
/// Prepares PartImageNet (the original "OOD" release: <c>JPEGImages/&lt;wnid&gt;/&lt;stem&gt;.JPEG</c> and
/// <c>{train,val,test}.json</c>) as the paper's code does (<c>prepare_part_imagenet.py</c>, chawins/adv-part-model
/// @218c2a4): the image's class is the super-category of its part annotations, images without part annotations are
/// dropped, part masks are painted in JSON order (later annotations overwrite earlier ones, area-0 annotations are
/// skipped), and the <c>paper</c> split pools all three JSONs and re-splits each class 80/10/10 with numpy seed 0.
/// Images are the original JPEG bytes; masks are full resolution.
/// </summary>
public sealed class PartImageNetPreparer : IDatasetPreparer
{
    /// <inheritdoc />
    public string Name => "partimagenet";

    /// <inheritdoc />
    public PartTaxonomy Taxonomy => PartImageNetTaxonomy.All;

    /// <summary>The order of the authors' <c>CLASSES</c> dict: their split loop (and its one RNG stream) runs in this order.</summary>
    public static IReadOnlyList<string> AuthorsClassOrder { get; } =
        ["Quadruped", "Biped", "Fish", "Bird", "Snake", "Reptile", "Car", "Bicycle", "Boat", "Aeroplane", "Bottle"];

    /// <summary>The annotation files in the order the authors pool them.</summary>
    public static IReadOnlyList<string> JsonOrder { get; } = ["train", "test", "val"];

    /// <summary>The numpy seed of the paper split.</summary>
    public const uint Seed = 0;

    /// <summary>One image that passed the annotation checks: where it is, its class and its annotations in JSON order.</summary>
    sealed record Candidate(string Json, CocoImage Image, string Stem, string RelPath, int Label, IReadOnlyList<(CocoAnnotation Ann, byte SegLabel)> Parts);

    /// <inheritdoc />
    public void Prepare(string sourceDir, PreparedDatasetWriter writer, PrepareOptions options, IProgressSink progress)
    {
        if (!Directory.Exists(sourceDir)) throw new ArgumentException($"--source {sourceDir}: folder not found (expected PartImageNet with JPEGImages/ and train.json, val.json, test.json)");
        string jpegDir = Path.Combine(sourceDir, "JPEGImages");
        if (!Directory.Exists(jpegDir)) throw new ArgumentException($"--source {sourceDir}: no JPEGImages folder (expected JPEGImages/<wnid>/<wnid>_<n>.JPEG)");
        if (options.Split is not ("paper" or "original")) throw new ArgumentException($"--split {options.Split}: expected paper or original");
        if (options.Limit is < 0) throw new ArgumentException($"--limit {options.Limit}: expected a non-negative number");

        var files = ReadAnnotationFiles(sourceDir, writer);
        var candidates = Collect(sourceDir, files, writer, options.Limit);
        int workers = Math.Max(1, options.Workers);

        // Pass 1: decode every JPEG and rasterise every mask, so that the split sees exactly the usable images.
        var usable = new bool[candidates.Count];
        using (var task = progress.Start("partimagenet: checking images", candidates.Count))
            ForEach(candidates.Count, workers, i =>
            {
                usable[i] = TryLoad(sourceDir, candidates[i], writer, decode: true, out _, out _);
                task.Advance();
            });
        var kept = candidates.Where((_, i) => usable[i]).ToList();
        progress.Log($"partimagenet: {kept.Count} usable images with parts ({candidates.Count - kept.Count} failed the pixel checks)");
        string[] split = options.Split == "paper"
            ? PaperSplit(kept.Select(c => PartImageNetTaxonomy.ClassNames[c.Label]).ToList())
            : kept.Select(c => c.Json).ToArray();

        // Pass 2: copy the JPEG bytes and write the masks (rasterised again: cheaper than holding them all).
        using (var task = progress.Start("partimagenet: writing", kept.Count))
            ForEach(kept.Count, workers, i =>
            {
                var c = kept[i];
                if (TryLoad(sourceDir, c, writer, decode: false, out var bytes, out var mask))
                    writer.Add(new PreparedSample(split[i], c.Label, c.Stem, new EncodedImage(bytes!, ".jpg"), c.Image.Width, c.Image.Height, mask!, c.RelPath));
                task.Advance();
            });

        RecordProvenance(writer, options, files);
    }

    /// <summary>
    /// Reads train/test/val.json. A missing or malformed file is skipped with its reason (the others still give a
    /// dataset, and the summary says what is missing); no usable file at all makes the source unusable.
    /// </summary>
    static List<(string Json, CocoAnnotationFile File)> ReadAnnotationFiles(string sourceDir, PreparedDatasetWriter writer)
    {
        var files = new List<(string, CocoAnnotationFile)>();
        foreach (string json in JsonOrder)
        {
            string path = Path.Combine(sourceDir, $"{json}.json");
            if (!File.Exists(path)) { writer.Skip($"{json}.json", "annotation file missing"); continue; }
            try { files.Add((json, CocoAnnotationFile.Read(path))); }
            catch (InvalidDataException e) { writer.Skip($"{json}.json", e.Message.Replace(path + ": ", "")); }
        }
        if (files.Count == 0)
            throw new InvalidDataException($"--source {sourceDir}: no usable annotation file (expected train.json, val.json and test.json in COCO format; see skipped lines above)");
        return files;
    }

    /// <summary>
    /// The images of all files in processing order (files in <see cref="JsonOrder"/>, then ascending image id), cut to
    /// <paramref name="limit"/>, with every image-level check that needs no pixels. Rejected images are skipped with a reason.
    /// </summary>
    static List<Candidate> Collect(string sourceDir, List<(string Json, CocoAnnotationFile File)> files, PreparedDatasetWriter writer, int? limit)
    {
        var all = files.SelectMany(f => f.File.Images.OrderBy(im => im.Id).Select(im => (f.Json, f.File, Image: im)));
        if (limit is int n) all = all.Take(n);
        var candidates = new List<Candidate>();
        var stems = new Dictionary<string, string>(StringComparer.Ordinal);
        var perFile = files.ToDictionary(f => f.File, f => (Parts: PartLabels(f.File), Anns: f.File.Annotations.ToLookup(a => a.ImageId)));
        foreach (var f in files) ReportOrphanAnnotations(f.Json, f.File, writer);

        foreach (var (json, file, im) in all)
        {
            string name = Path.GetFileName(im.FileName.Replace('\\', '/'));
            string stem = name.Split('.')[0];
            string wnid = name.Split('_')[0];
            string rel = $"JPEGImages/{wnid}/{name}";
            string where = $"{json}.json image {im.Id}";
            var (parts, anns) = perFile[file];
            var imageAnns = anns[im.Id].ToList();
            if (stem.Length == 0 || stem.IndexOfAny([',', '\n']) >= 0) { writer.Skip(rel, $"file_name '{im.FileName}' has no usable stem ({where})"); continue; }
            if (imageAnns.Count == 0) { writer.Skip(rel, $"no part annotation: images without parts are dropped, as in the paper ({where})"); continue; }
            var unknown = imageAnns.FirstOrDefault(a => !parts.ContainsKey(a.CategoryId));
            if (unknown is not null)
            {
                var cat = file.Categories.FirstOrDefault(c => c.Id == unknown.CategoryId);
                string what = cat is null ? "is not in categories" : $"('{cat.Name}', supercategory '{cat.Supercategory}') is not one of PartImageNet's 40 parts";
                writer.Skip(rel, $"unknown category id {unknown.CategoryId}: it {what} ({where}, annotation {unknown.Id})");
                continue;
            }
            var classes = imageAnns.Select(a => parts[a.CategoryId].Class).Distinct().Order().ToList();
            if (classes.Count > 1)
            {
                writer.Skip(rel, $"annotations span two super-classes ({string.Join(", ", classes.Select(c => PartImageNetTaxonomy.ClassNames[c]))}) ({where})");
                continue;
            }
            if (stems.TryGetValue(stem, out string? first)) { writer.Skip(rel, $"image annotated twice: already in {first} ({where})"); continue; }
            if (!File.Exists(Path.Combine(sourceDir, rel))) { writer.Skip(rel, $"image file missing ({where})"); continue; }
            stems[stem] = where;
            candidates.Add(new Candidate(json, im, stem, rel, classes[0], imageAnns.Select(a => (a, parts[a.CategoryId].SegLabel)).ToList()));
        }
        return candidates;
    }

    /// <summary>
    /// Category id → (class, seg label), by the category's name and supercategory (<c>"Aeroplane Head"</c> /
    /// <c>"Aeroplane"</c>; a bare part name <c>"Head"</c> is accepted too). The authors index the JSON's category
    /// list order instead; both agree when the list is in id order, as in the released files.
    /// </summary>
    internal static Dictionary<long, (int Class, byte SegLabel)> PartLabels(CocoAnnotationFile file)
    {
        var tax = PartImageNetTaxonomy.All;
        var map = new Dictionary<long, (int, byte)>();
        foreach (var cat in file.Categories)
        {
            int cls = -1;
            for (int c = 0; c < tax.NumClasses; c++) if (tax.ClassNames[c] == cat.Supercategory) cls = c;
            if (cls < 0) continue;
            for (int k = 1; k < tax.NumSegLabels; k++)
                if (tax.PartClass[k] == cls && (tax.PartNames[k] == cat.Name || tax.PartNames[k] == $"{cat.Supercategory} {cat.Name}"))
                    map[cat.Id] = (cls, (byte)k);
        }
        return map;
    }

    /// <summary>
    /// The seg labels the authors' code would give (<c>all_part_ids.index(category_id) + 1</c>, where
    /// <c>all_part_ids</c> concatenates each sorted class's categories in list order), to flag files where it differs from ours.
    /// </summary>
    internal static Dictionary<long, int> AuthorsLabels(CocoAnnotationFile file)
    {
        var ids = PartImageNetTaxonomy.ClassNames.SelectMany(cls => file.Categories.Where(c => c.Supercategory == cls).Select(c => c.Id)).ToList();
        var map = new Dictionary<long, int>();
        for (int i = 0; i < ids.Count; i++) map.TryAdd(ids[i], i + 1);
        return map;
    }

    static void ReportOrphanAnnotations(string json, CocoAnnotationFile file, PreparedDatasetWriter writer)
    {
        var imageIds = file.Images.Select(im => im.Id).ToHashSet();
        foreach (var g in file.Annotations.Where(a => !imageIds.Contains(a.ImageId)).GroupBy(a => a.ImageId))
            writer.Skip($"{json}.json", $"{g.Count()} annotation(s) refer to image id {g.Key}, which is not in images (first: annotation {g.First().Id})");
    }

    /// <summary>
    /// Reads the image (and decodes it when <paramref name="decode"/>) and paints its mask; any problem is reported
    /// with <see cref="PreparedDatasetWriter.Skip"/> and gives false.
    /// </summary>
    static bool TryLoad(string sourceDir, Candidate c, PreparedDatasetWriter writer, bool decode, out byte[]? bytes, out byte[]? mask)
    {
        bytes = null; mask = null;
        string where = $"{c.Json}.json image {c.Image.Id}";
        try { bytes = File.ReadAllBytes(Path.Combine(sourceDir, c.RelPath)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            writer.Skip(c.RelPath, $"image file cannot be read ({e.Message.ReplaceLineEndings(" ")}) ({where})");
            return false;
        }
        if (decode)
        {
            int w, h;
            try { (_, w, h) = ImageIO.DecodeRgb(bytes); }
            catch (InvalidDataException e) { writer.Skip(c.RelPath, $"corrupt or truncated JPEG ({e.Message}) ({where})"); return false; }
            if (w != c.Image.Width || h != c.Image.Height)
            {
                writer.Skip(c.RelPath, $"image size differs from the annotation (image {w}x{h}, {where} says {c.Image.Width}x{c.Image.Height})");
                return false;
            }
        }
        try { mask = PaintMask(c.Image, c.Parts); }
        catch (InvalidDataException e) { writer.Skip(c.RelPath, $"{e.Message} ({where})"); return false; }
        return true;
    }

    /// <summary>
    /// The authors' mask: zeros of the JSON's height×width, then for every annotation in JSON order with area ≠ 0,
    /// <c>mask = m·label + (1−m)·mask</c> (later annotations overwrite earlier ones).
    /// </summary>
    /// <exception cref="InvalidDataException">An annotation whose segmentation does not fit the image (message names the annotation).</exception>
    internal static byte[] PaintMask(CocoImage image, IReadOnlyList<(CocoAnnotation Ann, byte SegLabel)> parts)
    {
        var mask = new byte[image.Height * image.Width];
        foreach (var (ann, label) in parts)
        {
            if (ann.Area == 0) continue;
            CocoRle rle;
            try { rle = ann.Segmentation.ToRle(image.Height, image.Width); }
            catch (InvalidDataException e) { throw new InvalidDataException($"annotation {ann.Id}: {e.Message}"); }
            rle.Paint(mask, label);
        }
        return mask;
    }

    /// <summary>
    /// The authors' re-split of items given by their class names, in processing order: for each class in
    /// <see cref="AuthorsClassOrder"/> (one <c>np.random.seed(0)</c> stream for all classes, as the script seeds once),
    /// the class's item indices are shuffled with <c>np.random.shuffle</c>; the first int(0.1·n) go to val, the next
    /// int(0.1·n) to test, the rest to train. Returns each item's split.
    /// </summary>
    public static string[] PaperSplit(IReadOnlyList<string> classNames)
    {
        foreach (string name in classNames)
            if (!AuthorsClassOrder.Contains(name)) throw new ArgumentException($"'{name}' is not a PartImageNet class");
        var split = new string[classNames.Count];
        var rng = new NumpyRandomState(Seed);
        foreach (string cls in AuthorsClassOrder)
        {
            var idx = Enumerable.Range(0, classNames.Count).Where(i => classNames[i] == cls).ToArray();
            int n = idx.Length;
            rng.Shuffle(idx);
            int nVal = (int)(0.1 * n), nTest = (int)(0.1 * n); // Python int(0.1 * n): double product, truncated
            for (int i = 0; i < n; i++) split[idx[i]] = i < nVal ? "val" : i < nVal + nTest ? "test" : "train";
        }
        return split;
    }

    void RecordProvenance(PreparedDatasetWriter writer, PrepareOptions options, List<(string Json, CocoAnnotationFile File)> files)
    {
        var p = writer.Provenance;
        p["source"] = "PartImageNet original (OOD) release: JPEGImages/<wnid>/<stem>.JPEG and train/val/test.json (COCO)";
        p["reference"] = "chawins/adv-part-model@218c2a45906c751be8d8845bd4183b5bfb8242da prepare_part_imagenet.py";
        p["annotation_files"] = string.Join(", ", files.Select(f => $"{f.Json}.json ({f.File.Images.Count} images, {f.File.Annotations.Count} annotations)"));
        p["images"] = "original JPEG bytes, unchanged; decoded once to check they are readable and match the JSON height/width";
        p["masks"] = "JSON height x width; annotations painted in JSON order, later over earlier, area == 0 skipped; polygons rasterised as pycocotools (rleFrPoly, merge), RLE decoded as pycocotools";
        p["part_labels"] = "seg label from the category's name and supercategory via PartImageNet's 40-part table (the authors index the categories list, which gives the same labels when the list is in id order)";
        p["class_label"] = "super-category of the image's annotations, index in sorted class names; images whose annotations span two super-classes are skipped";
        p["dropped"] = "images without part annotations (as the authors' getImgIds(catIds) selection)";
        p["split"] = options.Split == "paper"
            ? "paper: train, test and val JSONs pooled; per class in the authors' CLASSES order (Quadruped, Biped, Fish, Bird, Snake, Reptile, Car, Bicycle, Boat, Aeroplane, Bottle), one np.random.seed(0) stream, np.random.shuffle, val = first int(0.1 n), test = next int(0.1 n), train = rest"
            : "original: PartImageNet's OOD split as the JSON files give it (train.json -> train, val.json -> val, test.json -> test)";
        if (options.Split == "paper")
            p["deviation_shuffle_order"] = "before shuffling, a class's images are ordered by annotation file (train, test, val, as the authors) and then by ascending image id; the authors iterate a Python set of image ids (hash-table order, not a specification), so individual assignments can differ from theirs";
        p["deviation_4_number_polygons"] = "a polygon list whose first polygon has 4 numbers is rasterised as polygons (a 2-point polygon adds nothing); pycocotools dispatches it to frBbox and the authors' coco.py patch then paints boxes [x,y,w,h]";
        int degenerate = files.Sum(f => f.File.Annotations.Sum(a => a.Segmentation.DegeneratePolygons));
        p["degenerate_polygons"] = $"{degenerate} polygon(s) with fewer than 3 points (no area)";
        int differing = files.Sum(f =>
        {
            var ours = PartLabels(f.File);
            var theirs = AuthorsLabels(f.File);
            return ours.Count(kv => !theirs.TryGetValue(kv.Key, out int t) || t != kv.Value.SegLabel);
        });
        p["categories_order_check"] = differing == 0
            ? "every category's seg label equals the authors' categories-list index"
            : $"{differing} categories are listed out of the table's order: their seg label follows the name (the authors' code would number them by list position)";
        if (options.Limit is int n) p["limit"] = $"first {n} images in processing order (train.json, test.json, val.json; ascending image id)";
    }

    /// <summary>Runs <paramref name="body"/> for 0..n−1 on <paramref name="workers"/> threads, rethrowing a single failure as itself.</summary>
    static void ForEach(int n, int workers, Action<int> body)
    {
        try { Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers }, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1) { ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }
    }
}
