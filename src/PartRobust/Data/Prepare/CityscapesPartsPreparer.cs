using System.Runtime.ExceptionServices;
using PartRobust.Data.Formats;

namespace PartRobust.Data.Prepare;

/// <summary>
/// Cityscapes-Panoptic-Parts → the paper's human/vehicle part dataset, as the authors' <c>prepare_cityscapes.py --seed 0
/// --pad 0.2 --min-area 1000 --square --rand-pad --allow-missing-parts</c> builds it (chawins/adv-part-model @218c2a4):
/// one sample per person/rider/car/truck/bus instance of at least 1000 px, a randomly offset square crop of the
/// zero-padded image, the occlusion filter, and a pooled 80/10/10 split drawn from the same <c>np.random.seed(0)</c>
/// stream as the crop offsets. The mask is the authors' loader's part map of the crop. Differences from the authors'
/// code (instance id 0 kept and group regions dropped, sorted file order, bad files skipped) are recorded in the
/// writer's provenance.
/// </summary>
/// <remarks>
/// Source layout: <c>SRC/leftImg8bit/{train,val}/CITY/*_leftImg8bit.png</c> and
/// <c>SRC/gtFinePanopticParts/{train,val}/CITY/*_gtFinePanopticParts.tif</c>. Work happens in three passes so that
/// the random draws stay in the authors' order while decoding runs in parallel: (1) read every label map and image,
/// find the instances; (2) draw the crop offsets and the split in file order; (3) read each file again and write its crops.
/// </remarks>
public sealed class CityscapesPartsPreparer : IDatasetPreparer
{
    /// <summary>The authors' seed (<c>--seed 0</c>).</summary>
    public const uint Seed = 0;

    /// <summary>File name endings of label maps and images.</summary>
    public const string LabelSuffix = "_gtFinePanopticParts.tif", ImageSuffix = "_leftImg8bit.png";

    /// <summary>Folder names of the download.</summary>
    public const string LabelDir = "gtFinePanopticParts", ImageDir = "leftImg8bit";

    /// <summary>The partitions with part labels, in the authors' processing order (there are no test labels).</summary>
    public static readonly string[] Partitions = ["train", "val"];

    /// <inheritdoc />
    public string Name => "cityscapes";

    /// <inheritdoc />
    public PartTaxonomy Taxonomy => CityscapesPartsTaxonomy.All;

    /// <summary>One label file of the download, with its image.</summary>
    sealed record LabelFile(string Path, string Relative, string ImagePath, string ImageRelative, string Stem);

    /// <summary>What pass 1 found in one file.</summary>
    sealed record FileScan(int Width, int Height, List<CityscapesInstance> Instances);

    /// <summary>One sample to write: its file, instance, window and split.</summary>
    sealed record Crop(int File, CityscapesInstance Instance, CityscapesCropWindow Window)
    {
        public string Split { get; set; } = "";
    }

    /// <inheritdoc />
    public void Prepare(string sourceDir, PreparedDatasetWriter writer, PrepareOptions options, IProgressSink progress)
    {
        if (options.Split == "original")
            throw new ArgumentException("--split original: Cityscapes-Panoptic-Parts has no test labels, so it has no original train/val/test split; use --split paper");
        if (options.Split != "paper")
            throw new ArgumentException($"--split {options.Split}: expected 'paper' (the only split Cityscapes-Panoptic-Parts has)");
        var all = ListLabelFiles(sourceDir);
        var files = options.Limit is int limit ? all.Take(Math.Max(0, limit)).ToList() : all;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers) };

        // Pass 1: decode and check every file, find its instances (parallel; order-free).
        var scans = new FileScan?[files.Count];
        using (var task = progress.Start("cityscapes: scan label maps", files.Count))
            RunParallel(files.Count, parallel, i => { scans[i] = Scan(files[i], writer); task.Advance(); });

        // Pass 2: the random draws, in the authors' order: 2 per instance of ≥ 1000 px (occluded ones too), then the shuffle.
        var rng = new NumpyRandomState(Seed);
        var crops = new List<Crop>();
        int instances = 0, occluded = 0;
        for (int f = 0; f < files.Count; f++)
        {
            if (scans[f] is not { } scan) continue;
            foreach (var inst in scan.Instances)
            {
                instances++;
                double u0 = rng.Uniform(0, CityscapesCropWindow.PaperPad * 2), u1 = rng.Uniform(0, CityscapesCropWindow.PaperPad * 2);
                if (inst.Occluded) { occluded++; continue; }
                crops.Add(new Crop(f, inst, CityscapesCropWindow.Square(inst, scan.Width, scan.Height, u0, u1)));
            }
        }
        var order = Enumerable.Range(0, crops.Count).ToArray();
        rng.Shuffle(order);
        int nVal = (int)(0.1 * crops.Count), nTest = (int)(0.1 * crops.Count);
        for (int k = 0; k < order.Length; k++)
            crops[order[k]].Split = k < nVal ? "val" : k < nVal + nTest ? "test" : "train";
        progress.Log($"cityscapes: {files.Count} label files, {instances} instances of at least {CityscapesInstance.PaperMinArea} px, " +
                     $"{occluded} occluded, {crops.Count} samples ({crops.Count - nVal - nTest} train, {nVal} val, {nTest} test)");

        // Pass 3: read each file again and write its crops (parallel).
        var byFile = crops.GroupBy(c => c.File).ToList();
        using (var task = progress.Start("cityscapes: write crops", crops.Count))
            RunParallel(byFile.Count, parallel, g =>
            {
                WriteCrops(files[byFile[g].Key], byFile[g].ToList(), writer);
                task.Advance(byFile[g].Count());
            });

        RecordProvenance(writer, options, files.Count, all.Count);
    }

    /// <summary>
    /// The label files of the download in processing order: train then val, each sorted by city then file name
    /// (ordinal). The authors' glob order is the file system's, which is not sorted; sorting makes the result reproducible.
    /// </summary>
    /// <exception cref="ArgumentException">A folder of the layout is missing.</exception>
    /// <exception cref="InvalidDataException">No label file at all.</exception>
    static List<LabelFile> ListLabelFiles(string sourceDir)
    {
        string labels = Path.Combine(sourceDir, LabelDir), images = Path.Combine(sourceDir, ImageDir);
        string layout = $"{LabelDir}/{{train,val}}/CITY/*{LabelSuffix} and {ImageDir}/{{train,val}}/CITY/*{ImageSuffix}";
        if (!Directory.Exists(sourceDir)) throw new ArgumentException($"--source {sourceDir}: folder does not exist");
        if (!Directory.Exists(labels)) throw new ArgumentException($"--source {sourceDir}: no {LabelDir} folder (expected {layout})");
        if (!Directory.Exists(images)) throw new ArgumentException($"--source {sourceDir}: no {ImageDir} folder (expected {layout})");
        var files = new List<LabelFile>();
        foreach (string part in Partitions)
        {
            string dir = Path.Combine(labels, part);
            if (!Directory.Exists(dir)) continue;
            foreach (string city in Directory.GetDirectories(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!)
                foreach (string name in Directory.GetFiles(Path.Combine(dir, city), "*" + LabelSuffix).Select(Path.GetFileName).Order(StringComparer.Ordinal)!)
                {
                    string stem = name[..^LabelSuffix.Length];
                    string imageRel = $"{ImageDir}/{part}/{city}/{stem}{ImageSuffix}";
                    files.Add(new LabelFile(Path.Combine(dir, city, name), $"{LabelDir}/{part}/{city}/{name}",
                        Path.Combine(images, part, city, stem + ImageSuffix), imageRel, stem));
                }
        }
        if (files.Count == 0) throw new InvalidDataException($"--source {sourceDir}: no *{LabelSuffix} file (expected {layout})");
        return files;
    }

    /// <summary>Pass 1 for one file: null (and a skip line) if the file or its image is unusable.</summary>
    static FileScan? Scan(LabelFile file, PreparedDatasetWriter writer)
    {
        var read = Read(file, writer, "");
        if (read is not var (uids, _, w, h)) return null;
        return new FileScan(w, h, CityscapesInstance.Find(uids, w, h));
    }

    /// <summary>Reads and checks a label map and its image; reports the reason and returns null if either is unusable.</summary>
    static (int[] Uids, byte[] Rgb, int Width, int Height)? Read(LabelFile file, PreparedDatasetWriter writer, string when)
    {
        if (!File.Exists(file.ImagePath)) { writer.Skip(file.Relative, $"missing image{when} (expected {file.ImageRelative})"); return null; }
        TiffImage label;
        try { label = TiffReader.ReadFile(file.Path); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            writer.Skip(file.Relative, $"unreadable label TIFF{when} ({Detail(e, file.Path)})");
            return null;
        }
        byte[] rgb; int w, h;
        try { (rgb, w, h) = ImageIO.DecodeRgb(File.ReadAllBytes(file.ImagePath)); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            writer.Skip(file.Relative, $"unreadable image{when} ({file.ImageRelative}: {Detail(e, file.ImagePath)})");
            return null;
        }
        if (label.Width != w || label.Height != h)
        {
            writer.Skip(file.Relative, $"label and image sizes differ{when} (label {label.Width}x{label.Height}, image {w}x{h})");
            return null;
        }
        var uids = label.Pixels;
        for (int i = 0; i < uids.Length; i++)
            if (!PanopticPartsUid.IsValid(uids[i]))
            {
                writer.Skip(file.Relative, $"invalid uid{when} ({uids[i]} at x={i % w}, y={i / w}; expected 0..{PanopticPartsUid.Max}, never 3 digits)");
                return null;
            }
        return (uids, rgb, w, h);
    }

    static string Detail(Exception e, string path)
    {
        string m = e.Message.Split('\n')[0];
        return m.StartsWith(path + ": ", StringComparison.Ordinal) ? m[(path.Length + 2)..] : m;
    }

    /// <summary>Pass 3 for one file: cut, encode and add each of its crops.</summary>
    static void WriteCrops(LabelFile file, List<Crop> crops, PreparedDatasetWriter writer)
    {
        // The file passed pass 1; it can only fail now if it changed on disk in between.
        if (Read(file, writer, " on second read") is not var (uids, rgb, w, h)) return;
        int plane = w * h;
        foreach (var crop in crops)
        {
            var (x0, y0, cw, ch) = crop.Window;
            var image = new byte[3 * cw * ch];
            var mask = new byte[cw * ch];
            int cropPlane = cw * ch;
            // Outside the image is the authors' zero border: black pixels, uid 0 (label 0).
            for (int yy = 0; yy < ch; yy++)
            {
                int y = y0 + yy;
                if (y < 0 || y >= h) continue;
                for (int xx = 0; xx < cw; xx++)
                {
                    int x = x0 + xx;
                    if (x < 0 || x >= w) continue;
                    int src = y * w + x, dst = yy * cw + xx;
                    var (sid, _, pid) = PanopticPartsUid.Decode(uids[src]);
                    mask[dst] = CityscapesPartsTaxonomy.SegLabel(sid, pid);
                    image[dst] = rgb[src];
                    image[cropPlane + dst] = rgb[plane + src];
                    image[2 * cropPlane + dst] = rgb[2 * plane + src];
                }
            }
            var inst = crop.Instance;
            writer.Add(new PreparedSample(crop.Split, inst.Label, $"{file.Stem}_s{inst.Sid}_i{inst.Iid:D3}",
                new EncodedImage(ImageIO.EncodeRgbPng(image, cw, ch, zlibLevel: 1), ".png"), cw, ch, mask, file.Relative));
        }
    }

    static void RunParallel(int count, ParallelOptions options, Action<int> body)
    {
        try { Parallel.For(0, count, options, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]); // keep the one-line message of the first failure
        }
    }

    static void RecordProvenance(PreparedDatasetWriter writer, PrepareOptions options, int used, int found)
    {
        var p = writer.Provenance;
        p["source"] = $"Cityscapes {ImageDir} PNGs + Cityscapes-Panoptic-Parts {LabelDir} uid TIFFs, partitions train and val; {used} of {found} label files" +
                      (options.Limit is int n ? $" (--limit {n}: the first {used} in processing order)" : "");
        p["reference"] = "chawins/adv-part-model@218c2a45906c751be8d8845bd4183b5bfb8242da prepare_cityscapes.py --seed 0 --pad 0.2 --min-area 1000 --square --rand-pad --allow-missing-parts; mask as part_model/dataloader/cityscapes.py::uids_to_seg_labels";
        p["order"] = "label files of train, then val, each sorted by city then file name (ordinal); the authors' script takes glob order, which is unsorted";
        p["instances"] = "one sample per (semantic id 24..28, instance id >= 0) with area >= 1000 px, in semantic-id then instance-id order; dropped as occluded if a single semantic id of the other class covers more than half as many pixels as the instance's semantic id inside its tight box [min, max) (the authors' rule)";
        p["crop"] = "zero border of int(0.1*max(H,W)) px on every side; square side s = m + 2*int(0.2*m), m = max(xmax-xmin, ymax-ymin); top-left = box min - int((m-extent)/2) - int(u*s) per axis, clamped at 0, u from np.random.uniform(0, 0.4, size=2) (x first); cut off at the padded image's far edge, so crops near the right or bottom can be non-square (the authors' numpy slicing); native resolution";
        p["rng"] = $"one np.random.seed({Seed}) MT19937 stream as in the authors' script: 2 draws per instance of >= 1000 px in processing order, drawn before the occlusion filter (so occluded instances use draws too), then np.random.shuffle of the pooled sample indices";
        p["split"] = "pooled train+val samples (not stratified): after the shuffle, the first int(0.1*n) are val, the next int(0.1*n) test, the rest train";
        p["mask"] = "part label of every human/vehicle pixel of the crop (other instances too), as the authors' loader: (24|25, pid 1..4) -> 1..4, (26|27|28, pid 1..5) -> 5..9; void parts, the human pid-5 artefact, pixels without a part id, other classes and the zero border -> 0";
        p["stems"] = "{city}_{seq}_{frame}_s{sid}_i{iid:000}: unique and traceable to the label file; the authors name crops by their pooled index {i:05d}";
        p["deviation.instance_ids"] = "the authors skip instance id 0 (unique_iids != 0), which is the first real instance of each class in every image, and treat iid -1 (pixels with a class but no instance, e.g. persongroup/cargroup regions) as one instance; here iid 0 is kept and iid -1 is no instance. This changes the number of instances and so the random stream: crops and split are not identical to the authors' data";
        p["deviation.bad_files"] = "a label file whose TIFF is corrupt, whose image is missing, corrupt or of another size, or which holds invalid uids is skipped before any draw (the authors' script stops with an error)";
    }
}
