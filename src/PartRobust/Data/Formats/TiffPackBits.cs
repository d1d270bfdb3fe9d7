namespace PartRobust.Data.Formats;

/// <summary>PackBits run-length coding (TIFF compression 32773): a header byte n, then n+1 literal bytes (0 ≤ n ≤ 127) or one byte repeated 1−n times (−127 ≤ n ≤ −1); −128 is a no-op.</summary>
public static class TiffPackBits
{
    /// <summary>Decodes <paramref name="src"/> into <paramref name="dst"/> until either ends; returns the number of bytes written.</summary>
    /// <exception cref="InvalidDataException">A run that is cut off by the end of the input.</exception>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int i = 0, pos = 0;
        while (i < src.Length && pos < dst.Length)
        {
            int n = (sbyte)src[i++];
            if (n >= 0)
            {
                int count = n + 1;
                if (i + count > src.Length) throw new InvalidDataException($"PackBits literal run of {count} bytes is cut off at byte {src.Length}");
                count = Math.Min(count, dst.Length - pos);
                src.Slice(i, count).CopyTo(dst[pos..]);
                i += n + 1; pos += count;
            }
            else if (n != -128)
            {
                if (i >= src.Length) throw new InvalidDataException($"PackBits repeat run is cut off at byte {src.Length}");
                int count = Math.Min(1 - n, dst.Length - pos);
                dst.Slice(pos, count).Fill(src[i++]);
                pos += count;
            }
        }
        return pos;
    }

    /// <summary>Encodes <paramref name="src"/> (runs of 3 or more equal bytes become repeat runs).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> src)
    {
        var output = new MemoryStream(src.Length + src.Length / 128 + 1);
        int i = 0;
        while (i < src.Length)
        {
            int run = 1;
            while (i + run < src.Length && run < 128 && src[i + run] == src[i]) run++;
            if (run >= 3)
            {
                output.WriteByte((byte)(sbyte)(1 - run));
                output.WriteByte(src[i]);
                i += run;
                continue;
            }
            // A literal run until the next run of 3 equal bytes (or 128 bytes).
            int start = i, count = 0;
            while (i < src.Length && count < 128)
            {
                if (i + 2 < src.Length && src[i] == src[i + 1] && src[i] == src[i + 2]) break;
                i++; count++;
            }
            output.WriteByte((byte)(count - 1));
            output.Write(src.Slice(start, count));
        }
        return output.ToArray();
    }
}
