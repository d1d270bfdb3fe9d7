namespace PartRobust.Data.Formats;

/// <summary>
/// A COCO run-length-encoded binary mask, as pycocotools (<c>common/maskApi.c</c>) keeps it: counts of alternating
/// 0- and 1-runs (starting with 0s, so the first count may be 0) over the pixels in <b>column-major</b> order
/// (down the first column, then the next). Ported from maskApi.c's <c>rleDecode</c>, <c>rleMerge</c>,
/// <c>rleFrString</c> and <c>rleToString</c>.
/// </summary>
public sealed class CocoRle
{
    /// <summary>Mask height (pixels).</summary>
    public int Height { get; }

    /// <summary>Mask width (pixels).</summary>
    public int Width { get; }

    /// <summary>Run lengths, alternating 0-runs and 1-runs, column-major.</summary>
    public IReadOnlyList<uint> Counts => _counts;

    readonly uint[] _counts;

    /// <summary>An RLE of a <paramref name="height"/>×<paramref name="width"/> mask.</summary>
    /// <exception cref="InvalidDataException">A negative size, or counts that do not add up to height·width.</exception>
    public CocoRle(int height, int width, IEnumerable<uint> counts)
    {
        if (height < 0 || width < 0) throw new InvalidDataException($"RLE size [{height}, {width}] is negative");
        _counts = counts.ToArray();
        long sum = 0;
        foreach (uint c in _counts) sum += c;
        // pycocotools writes past its buffer (or leaves pixels uninitialised) when the sum is wrong; we refuse.
        if (sum != (long)height * width)
            throw new InvalidDataException($"RLE counts add up to {sum} pixels, expected {height}x{width} = {(long)height * width}");
        Height = height;
        Width = width;
    }

    /// <summary>Number of 1-pixels (maskApi.c <c>rleArea</c>).</summary>
    public long Area
    {
        get
        {
            long a = 0;
            for (int j = 1; j < _counts.Length; j += 2) a += _counts[j];
            return a;
        }
    }

    /// <summary>Sets <c>target[y·Width + x] = value</c> (row-major) for every 1-pixel; other pixels are left alone.</summary>
    public void Paint(byte[] target, byte value)
    {
        if (target.Length != Height * Width) throw new ArgumentException($"target has {target.Length} pixels, expected {Height}x{Width}");
        long p = 0; // column-major position
        for (int j = 0; j < _counts.Length; j++)
        {
            uint c = _counts[j];
            if ((j & 1) == 1 && c > 0)
            {
                int x = (int)(p / Height), y = (int)(p % Height);
                for (uint q = 0; q < c; q++)
                {
                    target[y * Width + x] = value;
                    if (++y == Height) { y = 0; x++; }
                }
            }
            p += c;
        }
    }

    /// <summary>The mask as row-major H×W bytes, 1 inside and 0 outside (maskApi.c <c>rleDecode</c>, transposed).</summary>
    public byte[] Decode()
    {
        var m = new byte[Height * Width];
        Paint(m, 1);
        return m;
    }

    /// <summary>
    /// Union of masks of one size (maskApi.c <c>rleMerge</c> with intersect = 0, as <c>pycocotools.mask.merge</c> does
    /// for the polygons of one annotation). A single RLE is returned as is.
    /// </summary>
    /// <exception cref="ArgumentException">No RLEs, or RLEs of different sizes.</exception>
    public static CocoRle Union(IReadOnlyList<CocoRle> rles)
    {
        if (rles.Count == 0) throw new ArgumentException("at least one RLE is needed");
        if (rles.Count == 1) return rles[0];
        int h = rles[0].Height, w = rles[0].Width;
        var cnts = new List<uint>(rles[0]._counts);
        for (int i = 1; i < rles.Count; i++)
        {
            var a = cnts.ToArray();
            var b = rles[i]._counts;
            if (rles[i].Height != h || rles[i].Width != w)
                throw new ArgumentException($"RLE sizes differ: [{h}, {w}] and [{rles[i].Height}, {rles[i].Width}]");
            cnts.Clear();
            // Walk both run lists at once; emit a count whenever the union's value flips (maskApi.c's loop).
            uint ca = a.Length > 0 ? a[0] : 0, cb = b.Length > 0 ? b[0] : 0, cc = 0, ct = 1;
            bool v = false, va = false, vb = false;
            int ia = 1, ib = 1;
            while (ct > 0)
            {
                uint c = Math.Min(ca, cb);
                cc += c; ct = 0;
                ca -= c; if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
                ct += ca;
                cb -= c; if (cb == 0 && ib < b.Length) { cb = b[ib++]; vb = !vb; }
                ct += cb;
                bool vp = v;
                v = va || vb;
                if (v != vp || ct == 0) { cnts.Add(cc); cc = 0; }
            }
        }
        return new CocoRle(h, w, cnts);
    }

    /// <summary>
    /// Decodes a compressed RLE string (maskApi.c <c>rleFrString</c>): each count is a little-endian sequence of 6-bit
    /// groups stored as ASCII 48 + group; bit 0x20 of a group means "more groups follow", bit 0x10 of the last group is
    /// the sign; from the fourth count on (index &gt; 2) the value is a delta to the count two places back.
    /// </summary>
    /// <exception cref="InvalidDataException">A character outside '0'..'o', a string that ends inside a count, or counts that do not fit the size.</exception>
    public static CocoRle FromString(string s, int height, int width)
    {
        var cnts = new List<uint>();
        int p = 0;
        while (p < s.Length)
        {
            long x = 0;
            int k = 0;
            bool more = true;
            while (more)
            {
                if (p >= s.Length) throw new InvalidDataException($"compressed RLE string ends inside a count (at character {p})");
                int c = s[p] - 48;
                if (c < 0 || c > 63) throw new InvalidDataException($"compressed RLE string has character '{s[p]}' at {p} (expected '0'..'o')");
                if (k > 11) throw new InvalidDataException($"compressed RLE string has a count longer than 12 characters (at {p})");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++; k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k); // sign-extend
            }
            if (cnts.Count > 2) x += cnts[^2];
            if (x < 0 || x > uint.MaxValue) throw new InvalidDataException($"compressed RLE string decodes to count {x} (count {cnts.Count})");
            cnts.Add((uint)x);
        }
        return new CocoRle(height, width, cnts);
    }

    /// <summary>The compressed RLE string of this mask (maskApi.c <c>rleToString</c>), as stored in COCO JSON.</summary>
    public string ToCompressedString()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < _counts.Length; i++)
        {
            long x = _counts[i];
            if (i > 2) x -= _counts[i - 2];
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1f);
                x >>= 5; // arithmetic shift, as C's on a signed long
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                sb.Append((char)(c + 48));
            }
        }
        return sb.ToString();
    }
}
