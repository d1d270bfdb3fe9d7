using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace PartRobust.Training;

/// <summary>
/// Reads and rewrites the header of a safetensors file (8-byte little-endian header length, a JSON object mapping
/// tensor names to dtype/shape/data offsets, then the raw data). Renaming tensors only touches the header: the data
/// offsets are relative to the data section, so the tensor bytes are copied unchanged.
/// </summary>
internal static class SafetensorsHeader
{
    private const string MetadataKey = "__metadata__";

    /// <summary>The tensor names in the file, in header order.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file.</exception>
    public static IReadOnlyList<string> ReadKeys(Stream stream) =>
        ReadHeader(stream, out _).Select(p => p.Key).Where(k => k != MetadataKey).ToArray();

    /// <summary>
    /// A copy of the whole file (read from the start of <paramref name="stream"/>) with every tensor name passed
    /// through <paramref name="rename"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a safetensors file, or two names collide after renaming.</exception>
    public static byte[] RenameKeys(Stream stream, Func<string, string> rename)
    {
        var header = ReadHeader(stream, out long dataStart);
        var renamed = new JsonObject();
        foreach (var (key, value) in header)
        {
            string name = key == MetadataKey ? key : rename(key);
            if (renamed.ContainsKey(name)) throw new InvalidDataException($"tensor name '{name}' would occur twice after renaming");
            renamed[name] = value?.DeepClone();
        }
        byte[] json = Encoding.UTF8.GetBytes(renamed.ToJsonString());
        using var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        output.Write(length);
        output.Write(json);
        stream.Position = dataStart;
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static JsonObject ReadHeader(Stream stream, out long dataStart)
    {
        stream.Position = 0;
        Span<byte> length = stackalloc byte[8];
        stream.ReadExactly(length);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(length);
        if (n == 0 || n > 100_000_000 || (long)n > stream.Length - 8)
            throw new InvalidDataException($"not a safetensors file (header length {n})");
        var json = new byte[n];
        stream.ReadExactly(json);
        dataStart = 8 + (long)n;
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("not a safetensors file (header is not a JSON object)");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"not a safetensors file ({e.Message})");
        }
    }
}
