using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PartRobust.Data;

/// <summary>
/// Reads and writes a <see cref="PartDataset"/> as a folder: <c>images/000000.png</c> (RGB), <c>masks/000000.png</c>
/// (8-bit gray, value = seg label, 255 = "no label" −1), <c>index.csv</c> (file,mask,label,class_name) and
/// <c>taxonomy.json</c>. Images are stored as round(255·x), so a dataset whose pixels are multiples of 1/255 (as
/// <see cref="PartShapesGenerator"/> makes them) round-trips exactly.
/// </summary>
public static class PartDatasetFolder
{
    const string Header = "file,mask,label,class_name";

    /// <summary>
    /// Writes <paramref name="dataset"/> to <paramref name="dir"/>. Everything is written into a temporary sibling
    /// folder that is renamed at the end, so a failure leaves no partial output.
    /// </summary>
    /// <exception cref="IOException"><paramref name="dir"/> exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(PartDataset dataset, string dir, bool overwrite = false)
    {
        dir = Path.GetFullPath(dir);
        if (Directory.Exists(dir) && !overwrite) throw new IOException($"Output folder already exists: {dir}");
        string parent = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{Path.GetFileName(dir.TrimEnd(Path.DirectorySeparatorChar))}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(tmp, "images"));
            Directory.CreateDirectory(Path.Combine(tmp, "masks"));
            int n = dataset.Count, s = dataset.ImageSize;
            float[] images = dataset.Images.contiguous().data<float>().ToArray();
            long[] masks = dataset.Masks.contiguous().data<long>().ToArray();
            long[] labels = dataset.Labels.data<long>().ToArray();
            long maxMask = masks.Length == 0 ? 0 : masks.Max();
            if (maxMask > 254) throw new ArgumentException($"Mask value {maxMask} does not fit an 8-bit mask PNG (max 254).");
            ParallelUnwrapped(n, i =>
            {
                var (img, mask) = PartDatasetBytes.FromDataset(images, masks, i, s);
                File.WriteAllBytes(Path.Combine(tmp, "images", FileName(i)), ImageIO.EncodeRgbPng(img, s, s));
                File.WriteAllBytes(Path.Combine(tmp, "masks", FileName(i)), ImageIO.EncodeGrayPng(mask, s, s));
            });
            var csv = new StringBuilder(Header).Append('\n');
            for (int i = 0; i < n; i++)
                csv.Append(CultureInfo.InvariantCulture, $"images/{FileName(i)},masks/{FileName(i)},{labels[i]},{dataset.Taxonomy.ClassNames[(int)labels[i]]}\n");
            File.WriteAllText(Path.Combine(tmp, "index.csv"), csv.ToString());
            Prepare.PreparedLayout.WriteTaxonomy(Path.Combine(tmp, "taxonomy.json"), dataset.Taxonomy);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(tmp, dir);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Loads a folder written by <see cref="Write"/>. Throws <see cref="InvalidDataException"/> with a one-line message
    /// naming the file and what was expected for a missing file, an undecodable PNG, a wrong image size, a label or
    /// mask value out of range, or a malformed index/taxonomy.
    /// </summary>
    public static PartDataset Read(string dir)
    {
        var taxonomy = Prepare.PreparedLayout.ReadTaxonomy(Path.Combine(dir, "taxonomy.json"));
        string indexPath = Path.Combine(dir, "index.csv");
        if (!File.Exists(indexPath)) throw new InvalidDataException($"{indexPath}: file is missing (expected the dataset index).");
        var lines = File.ReadAllLines(indexPath).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new InvalidDataException($"{indexPath}: expected header '{Header}'.");
        int n = lines.Length - 1;
        var rows = new (string Image, string Mask, long Label)[n];
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            if (f.Length != 4 || !long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long label))
                throw new InvalidDataException($"{indexPath}: line {i + 2} malformed, expected '{Header}'.");
            if (label < 0 || label >= taxonomy.NumClasses)
                throw new InvalidDataException($"{indexPath}: line {i + 2} label {label} out of range, expected 0..{taxonomy.NumClasses - 1}.");
            if (f[3] != taxonomy.ClassNames[(int)label])
                throw new InvalidDataException($"{indexPath}: line {i + 2} class_name '{f[3]}' does not match label {label} ('{taxonomy.ClassNames[(int)label]}').");
            rows[i] = (f[0], f[1], label);
        }

        int size = n == 0 ? 32 : ReadImage(dir, rows[0].Image, -1).Width;
        int px = size * size;
        var images = new byte[(long)n * 3 * px];
        var masks = new byte[(long)n * px];
        ParallelUnwrapped(n, i =>
        {
            var (img, _) = ReadImage(dir, rows[i].Image, size);
            img.CopyTo(images.AsSpan((int)((long)i * 3 * px), 3 * px));
            string maskPath = Path.Combine(dir, rows[i].Mask);
            var (gray, w, h) = Decode(maskPath, ImageIO.DecodeGray);
            if (w != size || h != size) throw new InvalidDataException($"{maskPath}: mask is {w}x{h}, expected {size}x{size}.");
            foreach (byte v in gray)
                if (v >= taxonomy.NumSegLabels && v != PartDatasetBytes.Ignore)
                    throw new InvalidDataException($"{maskPath}: mask value {v} out of range, expected 0..{taxonomy.NumSegLabels - 1} (or 255 = no label).");
            gray.CopyTo(masks.AsSpan(i * px, px));
        });
        return PartDatasetBytes.ToDataset(images, masks, rows.Select(r => r.Label).ToArray(), size, taxonomy);
    }

    static (byte[] Planar, int Width) ReadImage(string dir, string rel, int size)
    {
        string path = Path.Combine(dir, rel);
        var (img, w, h) = Decode(path, ImageIO.DecodeRgb);
        if (w != h || (size > 0 && w != size))
            throw new InvalidDataException($"{path}: image is {w}x{h}, expected {(size > 0 ? $"{size}x{size}" : "a square image")}.");
        return (img, w);
    }

    static (byte[], int, int) Decode(string path, Func<byte[], (byte[], int, int)> decode)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: file is missing (listed in index.csv).");
        try { return decode(File.ReadAllBytes(path)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt or unreadable PNG ({e.Message})."); }
    }

    /// <summary>Parallel.For that rethrows the first inner exception itself (callers expect InvalidDataException, not AggregateException).</summary>
    static void ParallelUnwrapped(int n, Action<int> body)
    {
        try { Parallel.For(0, n, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    static string FileName(int i) => $"{i:D6}.png";
}
