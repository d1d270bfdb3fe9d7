namespace PartRobust.Data.Formats;

/// <summary>
/// TIFF's LZW variant (TIFF 6.0 §13): codes packed most-significant bit first, 9 to 12 bits wide, Clear = 256,
/// EndOfInformation = 257, and the "early change" of code width one code before the table fills a width (what
/// libtiff, and so Pillow's <c>tiff_lzw</c>, writes). The pre-6.0 LSB-first variant is refused.
/// </summary>
public static class TiffLzw
{
    const int Clear = 256, Eoi = 257, First = 258, MaxBits = 12, TableSize = 1 << MaxBits;

    /// <summary>
    /// Decodes <paramref name="src"/> into <paramref name="dst"/> until EndOfInformation, the end of the input or a full
    /// <paramref name="dst"/>; returns the number of bytes written.
    /// </summary>
    /// <exception cref="InvalidDataException">A code that is not in the table, or the old LSB-first LZW variant.</exception>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        if (src.Length >= 2 && src[0] == 0 && (src[1] & 1) != 0)
            throw new InvalidDataException("old-style (pre-TIFF 6.0, LSB-first) LZW is not supported");
        var prefix = new short[TableSize];
        var suffix = new byte[TableSize];
        var firstByte = new byte[TableSize];
        var length = new int[TableSize];
        for (int i = 0; i < 256; i++) { suffix[i] = (byte)i; firstByte[i] = (byte)i; length[i] = 1; }
        Span<byte> scratch = stackalloc byte[TableSize];

        int next = First, width = 9, old = -1, pos = 0, inPos = 0, bitCount = 0;
        ulong bits = 0;
        while (pos < dst.Length)
        {
            while (bitCount < width && inPos < src.Length) { bits = (bits << 8) | src[inPos++]; bitCount += 8; }
            if (bitCount < width) break; // input ended without EndOfInformation (libtiff tolerates this too)
            int code = (int)((bits >> (bitCount - width)) & ((1u << width) - 1));
            bitCount -= width;
            if (code == Eoi) break;
            if (code == Clear) { next = First; width = 9; old = -1; continue; }
            if (old < 0)
            {
                if (code > 255) throw new InvalidDataException($"LZW code {code} follows a Clear code (expected a literal byte 0..255)");
                dst[pos++] = (byte)code;
                old = code;
                continue;
            }
            int emit;               // the code whose string is written now
            byte head;              // first byte of that string, appended to the previous string as the new entry
            if (code < next && code != Clear && code != Eoi) { emit = code; head = firstByte[code]; }
            else if (code == next) { emit = -1; head = firstByte[old]; } // the KwKwK case: old string + its own first byte
            else throw new InvalidDataException($"LZW code {code} is not in the table (next free code {next})");

            if (next < TableSize)
            {
                prefix[next] = (short)old; suffix[next] = head; firstByte[next] = firstByte[old]; length[next] = length[old] + 1;
                if (emit < 0) emit = next;
                next++;
                if (next + 1 >= (1 << width) && width < MaxBits) width++;
            }
            else if (emit < 0) throw new InvalidDataException("LZW table overflow (a Clear code is missing)");

            pos += WriteString(emit, prefix, suffix, length, dst[pos..], scratch);
            old = emit;
        }
        return pos;
    }

    // Writes the string of a code (back to front, following prefixes); truncated to dst's length.
    static int WriteString(int code, short[] prefix, byte[] suffix, int[] length, Span<byte> dst, Span<byte> scratch)
    {
        int len = length[code];
        Span<byte> target = len <= dst.Length ? dst : scratch;
        for (int p = len - 1; p >= 0; p--) { target[p] = suffix[code]; code = prefix[code]; }
        if (len <= dst.Length) return len;
        scratch[..dst.Length].CopyTo(dst);
        return dst.Length;
    }

    /// <summary>Encodes <paramref name="src"/> as one TIFF LZW strip (starting with Clear, ending with EndOfInformation).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> src)
    {
        var output = new BitWriter(src.Length / 2 + 16);
        var table = new Dictionary<int, int>();
        int width = 9, next = First;
        output.Write(Clear, width);
        if (src.Length == 0) { output.Write(Eoi, width); return output.ToArray(); }
        int w = src[0];
        for (int i = 1; i < src.Length; i++)
        {
            byte k = src[i];
            int key = (w << 8) | k;
            if (table.TryGetValue(key, out int code)) { w = code; continue; }
            output.Write(w, width);
            // libtiff resets one entry before the 12-bit table is full, so a decoder never needs a 13th bit.
            if (next == TableSize - 2)
            {
                output.Write(Clear, width);
                table.Clear(); next = First; width = 9;
            }
            else
            {
                table[key] = next++;
                if (next > (1 << width) - 1 && width < MaxBits) width++;
            }
            w = k;
        }
        output.Write(w, width);
        // As libtiff: the decoder adds an entry for this last code before it reads EndOfInformation, so count it here too.
        next++;
        if (next > (1 << width) - 1 && width < MaxBits) width++;
        output.Write(Eoi, width);
        return output.ToArray();
    }

    sealed class BitWriter(int capacity)
    {
        readonly MemoryStream _out = new(capacity);
        ulong _bits;
        int _count;

        public void Write(int code, int width)
        {
            _bits = (_bits << width) | (uint)code;
            _count += width;
            while (_count >= 8) { _out.WriteByte((byte)(_bits >> (_count - 8))); _count -= 8; }
        }

        public byte[] ToArray()
        {
            if (_count > 0) { _out.WriteByte((byte)(_bits << (8 - _count))); _count = 0; }
            return _out.ToArray();
        }
    }
}
