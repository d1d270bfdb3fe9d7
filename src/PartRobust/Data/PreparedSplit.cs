using System.Globalization;
using PartRobust.Data.Prepare;

namespace PartRobust.Data;

/// <summary>
/// One split folder of a prepared dataset (<see cref="PreparedLayout"/>) or of an exported PartShapes dataset, read lazily:
/// opening it reads and checks <c>index.csv</c> and <c>taxonomy.json</c> and that every listed file exists; each
/// <see cref="Read(int)"/> decodes one image and mask. Any problem is a one-line <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class PreparedSplit : IPartSampleSource
{
    const string ShapesHeader = "file,mask,label,class_name";
    readonly string _dir;
    readonly Row[] _rows;

    readonly record struct Row(string Image, string Mask, int Label, int Width, int Height);

    /// <summary>The split folder.</summary>
    public string Directory => _dir;

    /// <inheritdoc />
    public PartTaxonomy Taxonomy { get; }

    /// <inheritdoc />
    public int Count => _rows.Length;

    /// <summary>Opens and checks the split folder <paramref name="dir"/>.</summary>
    public PreparedSplit(string dir)
    {
        _dir = Path.GetFullPath(dir);
        if (!System.IO.Directory.Exists(_dir)) throw new InvalidDataException($"{_dir}: folder not found (expected a dataset split with index.csv).");
        Taxonomy = PreparedLayout.ReadTaxonomy(Path.Combine(_dir, PreparedLayout.TaxonomyFile));
        string indexPath = Path.Combine(_dir, PreparedLayout.IndexFile);
        if (!File.Exists(indexPath)) throw new InvalidDataException($"{indexPath}: file is missing (expected the split's index).");
        var lines = File.ReadAllLines(indexPath).Where(l => l.Length > 0).ToArray();
        string header = lines.Length > 0 ? lines[0].Trim() : "";
        bool sized = header == PreparedLayout.IndexHeader;
        if (!sized && header != ShapesHeader)
            throw new InvalidDataException($"{indexPath}: expected header '{PreparedLayout.IndexHeader}' (or '{ShapesHeader}').");
        _rows = new Row[lines.Length - 1];
        for (int i = 0; i < _rows.Length; i++)
        {
            var f = lines[i + 1].Split(',');
            int w = 0, h = 0;
            if (f.Length != (sized ? 6 : 4) || !int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label)
                || (sized && (!int.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out w) || !int.TryParse(f[5], NumberStyles.Integer, CultureInfo.InvariantCulture, out h) || w <= 0 || h <= 0)))
                throw new InvalidDataException($"{indexPath}: line {i + 2} malformed, expected '{(sized ? PreparedLayout.IndexHeader : ShapesHeader)}'.");
            if (label < 0 || label >= Taxonomy.NumClasses)
                throw new InvalidDataException($"{indexPath}: line {i + 2} label {label} out of range, expected 0..{Taxonomy.NumClasses - 1}.");
            if (f[3] != Taxonomy.ClassNames[label])
                throw new InvalidDataException($"{indexPath}: line {i + 2} class_name '{f[3]}' does not match label {label} ('{Taxonomy.ClassNames[label]}').");
            foreach (string rel in new[] { f[0], f[1] })
                if (rel.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) || !File.Exists(Path.Combine(_dir, rel)))
                    throw new InvalidDataException($"{Path.Combine(_dir, rel)}: file is missing (listed in index.csv line {i + 2}).");
            _rows[i] = new Row(f[0], f[1], label, w, h);
        }
    }

    /// <inheritdoc />
    public int LabelOf(int index) => _rows[index].Label;

    /// <summary>Image width and height as the index lists them (0 for a PartShapes index, which has no size columns).</summary>
    public (int Width, int Height) SizeOf(int index) => (_rows[index].Width, _rows[index].Height);

    /// <summary>The image file of sample <paramref name="index"/>.</summary>
    public string ImagePath(int index) => Path.Combine(_dir, _rows[index].Image);

    /// <inheritdoc />
    public RawPartSample Read(int index) => Read(index, 0, 0);

    /// <summary>
    /// Decodes sample <paramref name="index"/>, which must be <paramref name="width"/>×<paramref name="height"/> (0 = any
    /// size; a prepared index's own size columns are always checked).
    /// </summary>
    public RawPartSample Read(int index, int width, int height)
    {
        var row = _rows[index];
        string imagePath = Path.Combine(_dir, row.Image), maskPath = Path.Combine(_dir, row.Mask);
        var (image, w, h) = Decode(imagePath, ImageIO.DecodeRgb);
        if (row.Width > 0 && (w != row.Width || h != row.Height))
            throw new InvalidDataException($"{imagePath}: image is {w}x{h}, index.csv says {row.Width}x{row.Height}.");
        if (width > 0 && (w != width || h != height))
            throw new InvalidDataException($"{imagePath}: image is {w}x{h}, expected {width}x{height}.");
        var (mask, mw, mh) = Decode(maskPath, ImageIO.DecodeGray);
        if (mw != w || mh != h) throw new InvalidDataException($"{maskPath}: mask is {mw}x{mh}, expected the image's {w}x{h}.");
        int k = Taxonomy.NumSegLabels;
        foreach (byte v in mask)
            if (v >= k && v != PreparedLayout.IgnoreByte)
                throw new InvalidDataException($"{maskPath}: mask value {v} out of range, expected 0..{k - 1} (or 255 = no label).");
        return new RawPartSample(image, mask, w, h, row.Label);
    }

    static (byte[], int, int) Decode(string path, Func<byte[], (byte[], int, int)> decode)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InvalidDataException($"{path}: cannot be read ({e.Message})."); }
        try { return decode(bytes); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt or unreadable image ({e.Message})."); }
    }
}
