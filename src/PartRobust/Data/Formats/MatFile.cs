using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PartRobust.Data.Formats;

/// <summary>
/// Reads MATLAB Level-5 MAT-files (what MATLAB writes with <c>-v6</c>/<c>-v7</c> and <c>scipy.io.savemat</c> writes):
/// the 128-byte header, data element tags (with the small-element format), <c>miCOMPRESSED</c> zlib elements, and
/// <c>miMATRIX</c> arrays of class struct, cell, char and every numeric class (logical included). Little-endian only.
/// Every malformed or truncated input gives a one-line <see cref="InvalidDataException"/> naming the file and what
/// was expected; sparse arrays, objects and function handles are refused the same way.
/// </summary>
public static class MatFile
{
    /// <summary>Size of the file header (descriptive text, subsystem offset, version, endian indicator).</summary>
    public const int HeaderSize = 128;

    /// <summary>What the header text of every Level-5 MAT-file starts with.</summary>
    public const string HeaderText = "MATLAB 5.0 MAT-file";

    /// <summary>Reads every variable of the MAT-file at <paramref name="path"/>, by name.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable little-endian Level-5 MAT-file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyDictionary<string, MatValue> Read(string path) => Read(File.ReadAllBytes(path), path);

    /// <summary>Reads every variable of a MAT-file held in <paramref name="bytes"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable little-endian Level-5 MAT-file.</exception>
    public static IReadOnlyDictionary<string, MatValue> Read(byte[] bytes, string source)
    {
        CheckHeader(bytes, source);
        var variables = new Dictionary<string, MatValue>(StringComparer.Ordinal);
        var top = new Parser(source, bytes, "");
        int pos = HeaderSize;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 8 && bytes.AsSpan(pos).IndexOfAnyExcept((byte)0) < 0) break; // trailing padding
            var tag = top.ReadTag(pos, bytes.Length, "a data element");
            if (tag.Type == MatDataType.Compressed)
            {
                byte[] inflated = top.Inflate(tag.Start, tag.Length, pos);
                var inner = new Parser(source, inflated, $" of the compressed element at byte {pos}");
                var element = inner.ReadTag(0, inflated.Length, "the compressed data element");
                if (element.Type == MatDataType.Matrix) Add(variables, inner.ParseMatrix(element.Start, element.Length, null));
            }
            else if (tag.Type == MatDataType.Matrix)
                Add(variables, top.ParseMatrix(tag.Start, tag.Length, null));
            pos = tag.Next;
        }
        return variables;
    }

    static void Add(Dictionary<string, MatValue> variables, MatValue value) => variables[value.Path] = value;

    static void CheckHeader(byte[] bytes, string source)
    {
        if (bytes.Length < HeaderSize)
            throw new InvalidDataException($"{source}: {bytes.Length} bytes, too short for a MAT-file (expected a {HeaderSize}-byte header)");
        string text = Encoding.ASCII.GetString(bytes, 0, 116);
        if (text.StartsWith("MATLAB 7.3 MAT-file", StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: a MATLAB 7.3 (HDF5) MAT-file; expected a Level-5 file ('{HeaderText}', MATLAB save -v7)");
        if (!text.StartsWith(HeaderText, StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: not a Level-5 MAT-file (expected the header to start with '{HeaderText}')");
        if (bytes[126] == 'M' && bytes[127] == 'I')
            throw new InvalidDataException($"{source}: a big-endian MAT-file (endian indicator 'MI'); only little-endian ('IM') files are supported");
        if (bytes[126] != 'I' || bytes[127] != 'M')
            throw new InvalidDataException($"{source}: bad endian indicator at bytes 126-127 (expected 'IM')");
    }

    /// <summary>How deep struct and cell arrays may nest.</summary>
    public const int MaxDepth = 100;

    /// <summary>A data element tag: its type, where its data starts, how many bytes it has, and where the next element starts.</summary>
    readonly record struct Tag(MatDataType Type, int Start, int Length, int Next);

    /// <summary>Parses elements of one buffer (the file, or one decompressed element); <c>where</c> locates it in messages.</summary>
    sealed class Parser(string source, byte[] buf, string where)
    {
        InvalidDataException Fail(string what) => new($"{source}: {what}");

        uint U32(int pos) => BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(pos, 4));

        public Tag ReadTag(int pos, int end, string what)
        {
            if (end - pos < 4) throw Fail($"truncated at byte {pos}{where}: expected the 8-byte tag of {what}, {end - pos} bytes left");
            uint first = U32(pos);
            if ((first >> 16) != 0)
            {
                // Small data element: type in the low half, size in the high half, data in the next 4 bytes.
                int small = (int)(first >> 16);
                if (small > 4) throw Fail($"small data element at byte {pos}{where} claims {small} bytes (at most 4)");
                if (end - pos - 4 < small) throw Fail($"truncated at byte {pos}{where}: {what} needs {small} bytes of data, {end - pos - 4} left");
                return new Tag((MatDataType)(first & 0xffff), pos + 4, small, Math.Min(pos + 8, end));
            }
            if (end - pos < 8) throw Fail($"truncated at byte {pos}{where}: expected the 8-byte tag of {what}, {end - pos} bytes left");
            uint n = U32(pos + 4);
            long left = end - pos - 8L;
            if (n > left) throw Fail($"truncated at byte {pos}{where}: the tag of {what} says {n} bytes, only {left} follow");
            var type = (MatDataType)first;
            // Elements are padded to 8 bytes; compressed ones are not.
            long next = pos + 8L + (type == MatDataType.Compressed ? n : (n + 7L) / 8 * 8);
            return new Tag(type, pos + 8, (int)n, (int)Math.Min(next, end));
        }

        public byte[] Inflate(int start, int length, int tagPos)
        {
            string what = $"compressed element at byte {tagPos}";
            try
            {
                using var input = new MemoryStream(buf, start, length, writable: false);
                using var zlib = new ZLibStream(input, CompressionMode.Decompress);
                var head = new byte[8];
                int got = zlib.ReadAtLeast(head, 8, throwOnEndOfStream: false);
                if (got < 8) throw Fail($"{what}: the zlib data holds {got} bytes, expected at least a data element tag (8)");
                uint first = BinaryPrimitives.ReadUInt32LittleEndian(head);
                long total = (first >> 16) != 0 ? 8 : 8L + BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
                // zlib expands at most ~1032:1, so a larger claim is a corrupt tag (and must not size an allocation).
                if (total > length * 1032L + 1024 || total > Array.MaxLength)
                    throw Fail($"{what}: its data element claims {total} bytes, more than {length} compressed bytes can hold");
                var result = new byte[total];
                head.CopyTo(result, 0);
                got = 8 + zlib.ReadAtLeast(result.AsSpan(8), (int)total - 8, throwOnEndOfStream: false);
                if (got < total) throw Fail($"{what}: the zlib data ends after {got} of {total} bytes (truncated file?)");
                return result;
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(source + ":", StringComparison.Ordinal))
            {
                throw Fail($"{what}: corrupt zlib data ({e.Message.Split('\n')[0].TrimEnd('.')})");
            }
        }

        /// <summary>Parses the data of an miMATRIX element; <paramref name="path"/> is null at top level (the name is read).</summary>
        public MatValue ParseMatrix(int start, int length, string? path, int depth = 0)
        {
            // Corrupt data must not recurse until the stack overflows (that would end the process, not throw).
            if (depth > MaxDepth) throw Fail($"{path}: arrays nested more than {MaxDepth} levels deep{where}");
            string label = path ?? "a variable";
            if (length == 0)
            {
                if (path is null) throw Fail($"empty top-level array at byte {start - 8}{where} (a variable needs a name)");
                return MatArray.Empty(source, path);
            }
            int end = start + length;
            var flags = ReadTag(start, end, $"the array flags of {label}");
            if (flags.Type != MatDataType.UInt32 || flags.Length != 8)
                throw Fail($"{label}: expected array flags (miUINT32, 8 bytes) at byte {start}{where}, found type {(int)flags.Type} with {flags.Length} bytes");
            uint f = U32(flags.Start);
            int cls = (int)(f & 0xff);
            bool complex = (f & 0x800) != 0, logical = (f & 0x200) != 0;

            var dimsTag = ReadTag(flags.Next, end, $"the dimensions of {label}");
            if (dimsTag.Type != MatDataType.Int32 || dimsTag.Length < 8 || dimsTag.Length % 4 != 0)
                throw Fail($"{label}: expected dimensions (miINT32, at least 2) at byte {flags.Next}{where}, found type {(int)dimsTag.Type} with {dimsTag.Length} bytes");
            var dims = new int[dimsTag.Length / 4];
            long count = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                dims[i] = (int)U32(dimsTag.Start + 4 * i);
                if (dims[i] < 0) throw Fail($"{label}: negative dimension {dims[i]}{where}");
                count *= dims[i];
                if (count > int.MaxValue) throw Fail($"{label}: dimensions {string.Join("x", dims.Take(i + 1))} are too large");
            }

            var nameTag = ReadTag(dimsTag.Next, end, $"the name of {label}");
            if (nameTag.Type is not (MatDataType.Int8 or MatDataType.UInt8))
                throw Fail($"{label}: expected the array name (miINT8) at byte {dimsTag.Next}{where}, found type {(int)nameTag.Type}");
            string name = Encoding.ASCII.GetString(buf, nameTag.Start, nameTag.Length);
            if (path is null)
            {
                if (name.Length == 0) throw Fail($"top-level array at byte {start - 8}{where} has no name");
                path = name;
            }
            int p = nameTag.Next;

            switch ((MatClass)cls)
            {
                case MatClass.Struct:
                    return ParseStruct(p, end, path, dims, (int)count, depth);
                case MatClass.Cell:
                {
                    CheckRoom(p, end, count, path, "cells");
                    var items = new MatValue[count];
                    for (int i = 0; i < items.Length; i++)
                        items[i] = ParseChild(ref p, end, $"{path}{{{i + 1}}}", depth);
                    return new MatCell(source, path, dims, items);
                }
                case MatClass.Char:
                    return ParseChar(p, end, path, dims, (int)count);
                case >= MatClass.Double and <= MatClass.UInt64:
                {
                    var real = ParseNumericData(ref p, end, path, "real part", (int)count);
                    var imag = complex ? ParseNumericData(ref p, end, path, "imaginary part", (int)count) : default;
                    if (complex && imag.Type != real.Type)
                        throw Fail($"{path}: real part stored as type {(int)real.Type}, imaginary part as {(int)imag.Type}; expected the same type");
                    return new MatArray(source, path, dims, (MatClass)cls, logical, real.Type, real.Data,
                        complex ? imag.Data : null);
                }
                default:
                    string kind = (MatClass)cls switch
                    {
                        MatClass.Sparse => "sparse arrays", MatClass.Object => "MATLAB objects", _ => $"array class {cls}",
                    };
                    throw Fail($"{path}: {kind} are not supported (expected struct, cell, char, numeric or logical)");
            }
        }

        MatValue ParseChild(ref int p, int end, string path, int depth)
        {
            var tag = ReadTag(p, end, path);
            if (tag.Type != MatDataType.Matrix)
                throw Fail($"{path}: expected an array (miMATRIX) at byte {p}{where}, found type {(int)tag.Type}");
            p = tag.Next;
            return ParseMatrix(tag.Start, tag.Length, path, depth + 1);
        }

        // Each element needs at least an 8-byte tag: a count beyond that is corrupt and must not size an allocation.
        void CheckRoom(int p, int end, long elements, string path, string what)
        {
            if (elements > (end - p) / 8)
                throw Fail($"{path}: {elements} {what} cannot fit in the {end - p} bytes left{where} (truncated or corrupt)");
        }

        MatStruct ParseStruct(int p, int end, string path, int[] dims, int count, int depth)
        {
            var lenTag = ReadTag(p, end, $"the field name length of {path}");
            if (lenTag.Type != MatDataType.Int32 || lenTag.Length != 4)
                throw Fail($"{path}: expected the field name length (miINT32, 4 bytes) at byte {p}{where}");
            int fieldLen = (int)U32(lenTag.Start);
            var namesTag = ReadTag(lenTag.Next, end, $"the field names of {path}");
            if (namesTag.Type is not (MatDataType.Int8 or MatDataType.UInt8) || fieldLen < 0
                || (fieldLen == 0 ? namesTag.Length != 0 : namesTag.Length % fieldLen != 0))
                throw Fail($"{path}: expected field names (miINT8, a multiple of {fieldLen} bytes) at byte {lenTag.Next}{where}");
            int nFields = fieldLen == 0 ? 0 : namesTag.Length / fieldLen;
            var fields = new string[nFields];
            for (int i = 0; i < nFields; i++)
            {
                var slot = buf.AsSpan(namesTag.Start + i * fieldLen, fieldLen);
                int nul = slot.IndexOf((byte)0);
                fields[i] = Encoding.ASCII.GetString(nul < 0 ? slot : slot[..nul]);
            }
            p = namesTag.Next;
            CheckRoom(p, end, (long)count * nFields, path, "field values");
            var values = new MatValue[count * nFields];
            for (int e = 0; e < count; e++)
                for (int i = 0; i < nFields; i++)
                    values[e * nFields + i] = ParseChild(ref p, end, count == 1 ? $"{path}.{fields[i]}" : $"{path}({e + 1}).{fields[i]}", depth);
            return new MatStruct(source, path, dims, fields, values);
        }

        MatChar ParseChar(int p, int end, string path, int[] dims, int count)
        {
            if (count == 0 && p >= end) return new MatChar(source, path, dims, "");
            var tag = ReadTag(p, end, $"the characters of {path}");
            var data = buf.AsSpan(tag.Start, tag.Length);
            string text = tag.Type switch
            {
                MatDataType.UInt16 or MatDataType.Utf16 when tag.Length % 2 == 0 => Encoding.Unicode.GetString(data),
                MatDataType.Utf8 => Encoding.UTF8.GetString(data),
                MatDataType.UInt8 or MatDataType.Int8 => Encoding.Latin1.GetString(data),
                MatDataType.Utf32 when tag.Length % 4 == 0 => Encoding.UTF32.GetString(data),
                _ => throw Fail($"{path}: expected character data (miUINT16, miUTF8 or miUINT8) at byte {p}{where}, found type {(int)tag.Type} with {tag.Length} bytes"),
            };
            if (text.Length != count)
                throw Fail($"{path}: {text.Length} characters stored, its size {string.Join("x", dims)} needs {count}");
            return new MatChar(source, path, dims, text);
        }

        (MatDataType Type, ReadOnlyMemory<byte> Data) ParseNumericData(ref int p, int end, string path, string part, int count)
        {
            if (count == 0 && p >= end) return (MatDataType.Double, ReadOnlyMemory<byte>.Empty);
            var tag = ReadTag(p, end, $"the {part} of {path}");
            int size = MatArray.ElementSize(tag.Type);
            if (size == 0) throw Fail($"{path}: expected numeric data for the {part} at byte {p}{where}, found type {(int)tag.Type}");
            if (tag.Length != (long)count * size)
                throw Fail($"{path}: the {part} has {tag.Length} bytes of type {tag.Type}, its {count} elements need {(long)count * size}");
            p = tag.Next;
            return (tag.Type, new ReadOnlyMemory<byte>(buf, tag.Start, tag.Length));
        }
    }
}
