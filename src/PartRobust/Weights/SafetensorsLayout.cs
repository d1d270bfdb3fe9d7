using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace PartRobust.Weights;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Safetensors dtype tag, e.g. <c>F32</c>, <c>I64</c>.</param>
/// <param name="Shape">Shape (empty for a scalar).</param>
/// <param name="Begin">First byte, relative to the start of the data buffer.</param>
/// <param name="End">One past the last byte, relative to the start of the data buffer.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// A minimal, independent reader of the safetensors header (https://github.com/huggingface/safetensors, "Format"):
/// 8 bytes little-endian unsigned header length N; N bytes of UTF-8 JSON starting with <c>{</c>, possibly padded with
/// spaces, mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> plus an optional
/// <c>__metadata__</c> string→string map; then the data buffer. <see cref="Read(string)"/> checks what the format requires:
/// every entry's byte length equals its element count × dtype size, and the entries, sorted by offset, tile the data
/// buffer exactly (no holes, no overlaps, nothing after the last tensor). Used to validate files before loading them and
/// in tests of the files we write.
/// </summary>
public sealed class SafetensorsLayout
{
    /// <summary>The format's cap on the header size (100 MB in the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Header length N as stored in the first 8 bytes.</summary>
    public long HeaderLength { get; }

    /// <summary>Length of the data buffer (file length − 8 − N).</summary>
    public long DataLength { get; }

    /// <summary>Tensor entries in the order of the JSON header.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map, empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Byte offset of the data buffer in the file (8 + N).</summary>
    public long DataStart => 8 + HeaderLength;

    private SafetensorsLayout(long headerLength, long dataLength, List<SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        HeaderLength = headerLength;
        DataLength = dataLength;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Bytes per element of a safetensors dtype tag; null for an unknown tag.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => null,
    };

    /// <summary>True when the file starts like a safetensors file (a plausible header length followed by <c>{</c>).</summary>
    public static bool LooksLikeSafetensors(ReadOnlySpan<byte> first9, long fileLength) =>
        first9.Length >= 9 && first9[8] == (byte)'{' &&
        BinaryPrimitives.ReadUInt64LittleEndian(first9) is var n && n <= (ulong)Math.Max(0, fileLength - 8);

    /// <summary>Reads and checks the header of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a well-formed safetensors file (the message names the file and the fault).</exception>
    public static SafetensorsLayout Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads and checks the header of a safetensors stream positioned at its start.</summary>
    /// <param name="stream">Readable, seekable stream.</param>
    /// <param name="name">Name used in error messages (usually the file path).</param>
    /// <exception cref="InvalidDataException">Not a well-formed safetensors file.</exception>
    public static SafetensorsLayout Read(Stream stream, string name)
    {
        long fileLength = stream.Length;
        var lengthBytes = new byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw Bad(name, $"{fileLength} bytes, shorter than the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > MaxHeaderBytes) throw Bad(name, $"header length {n} exceeds the format's {MaxHeaderBytes}-byte limit");
        if ((long)n > fileLength - 8) throw Bad(name, $"header length {n} exceeds the file ({fileLength} bytes)");
        var json = new byte[n];
        stream.ReadExactly(json);
        if (n == 0 || json[0] != (byte)'{') throw Bad(name, "header does not start with '{'");

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(json).TrimEnd(' '));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(name, "header is not a JSON object");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var m in property.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw Bad(name, $"__metadata__ value '{m.Name}' is not a string");
                    continue;
                }
                var v = property.Value;
                string dtype = v.GetProperty("dtype").GetString() ?? throw Bad(name, $"tensor '{property.Name}' has no dtype");
                long[] shape = v.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long[] offsets = v.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2) throw Bad(name, $"tensor '{property.Name}': data_offsets must hold 2 numbers");
                entries.Add(new SafetensorsEntry(property.Name, dtype, shape, offsets[0], offsets[1]));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Bad(name, $"malformed JSON header ({e.Message.Split('\n')[0]})");
        }

        long dataLength = fileLength - 8 - (long)n;
        foreach (var e in entries)
        {
            int size = ElementSize(e.DType) ?? throw Bad(name, $"tensor '{e.Name}' has unknown dtype '{e.DType}'");
            if (e.Shape.Any(d => d < 0)) throw Bad(name, $"tensor '{e.Name}' has a negative dimension");
            long count = e.Shape.Aggregate(1L, (a, d) => checked(a * d));
            if (e.End < e.Begin || e.End - e.Begin != count * size)
                throw Bad(name, $"tensor '{e.Name}': data_offsets [{e.Begin},{e.End}] hold {e.End - e.Begin} bytes, its {e.DType} shape [{string.Join(",", e.Shape)}] needs {count * size}");
        }
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw Bad(name, $"tensor '{e.Name}' starts at byte {e.Begin} of the data, expected {expected} (offsets must tile the data without holes or overlaps)");
            expected = e.End;
        }
        if (expected != dataLength)
            throw Bad(name, $"the tensors cover {expected} bytes of data but the file holds {dataLength} (truncated, or trailing bytes)");
        return new SafetensorsLayout((long)n, dataLength, entries, metadata);
    }

    private static InvalidDataException Bad(string name, string what) => new($"{name}: not a valid safetensors file: {what}");
}
