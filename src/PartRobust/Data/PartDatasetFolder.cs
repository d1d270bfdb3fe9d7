using System.Globalization;
using System.Text;

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
    /// Loads a folder written by <see cref="Write"/> (or a prepared split whose images are all squares of one size) into
    /// memory, through <see cref="PreparedSplit"/>: a missing file, an undecodable PNG, a wrong image size, a label or mask
    /// value out of range, or a malformed index/taxonomy is an <see cref="InvalidDataException"/> with a one-line message
    /// naming the file and what was expected.
    /// </summary>
    public static PartDataset Read(string dir)
    {
        var split = new PreparedSplit(dir);
        int n = split.Count;
        int size = 32;
        if (n > 0)
        {
            var first = split.Read(0);
            if (first.Width != first.Height)
                throw new InvalidDataException($"{split.ImagePath(0)}: image is {first.Width}x{first.Height}, expected a square image.");
            size = first.Width;
        }
        int px = size * size;
        var images = new byte[(long)n * 3 * px];
        var masks = new byte[(long)n * px];
        var labels = new long[n];
        ParallelUnwrapped(n, i =>
        {
            var sample = split.Read(i, size, size);
            sample.Image.CopyTo(images.AsSpan((int)((long)i * 3 * px), 3 * px));
            sample.Mask.CopyTo(masks.AsSpan(i * px, px));
            labels[i] = sample.Label;
        });
        return PartDatasetBytes.ToDataset(images, masks, labels, size, split.Taxonomy);
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
