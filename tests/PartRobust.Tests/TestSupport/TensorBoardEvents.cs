using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PartRobust.Tests.TestSupport;

/// <summary>An image summary value: its size and encoded bytes.</summary>
public sealed record TensorBoardImage(int Height, int Width, byte[] Encoded);

/// <summary>One summary value of an event: a scalar or an image.</summary>
public sealed record TensorBoardValue(string Tag, float? Scalar, TensorBoardImage? Image);

/// <summary>One event of an event file.</summary>
public sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<TensorBoardValue> Values);

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing (u64 length, u32 masked CRC-32C of the
/// length, the data, u32 masked CRC-32C of the data, all little-endian) and the protobuf wire format of the
/// <c>Event</c>, <c>Summary.Value</c> and <c>Summary.Image</c> fields TensorBoard reads.
/// </summary>
public static class TensorBoardEvents
{
    /// <summary>Every event of <paramref name="file"/>, in order; throws <see cref="InvalidDataException"/> on a bad frame or checksum.</summary>
    public static List<TensorBoardEvent> Read(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var events = new List<TensorBoardEvent>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{file}: truncated record header at byte {at}");
            var header = bytes.AsSpan(at, 8);
            long length = BinaryPrimitives.ReadInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)) != MaskedCrc(header))
                throw new InvalidDataException($"{file}: length checksum mismatch at byte {at}");
            if (length < 0 || at + 12 + length + 4 > bytes.Length) throw new InvalidDataException($"{file}: truncated record at byte {at}");
            var data = bytes.AsSpan(at + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4)) != MaskedCrc(data))
                throw new InvalidDataException($"{file}: data checksum mismatch at byte {at}");
            events.Add(ParseEvent(data.ToArray()));
            at += 12 + (int)length + 4;
        }
        return events;
    }

    /// <summary>CRC-32C (Castagnoli), as TFRecord uses it.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static TensorBoardEvent ParseEvent(byte[] data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<TensorBoardValue>();
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            if (field == 1 && wire == 1) wallTime = BitConverter.Int64BitsToDouble((long)value);
            else if (field == 2 && wire == 0) step = (long)value;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(bytes!);
            else if (field == 5 && wire == 2)
                foreach (var (f, w, _, summaryValue) in Fields(bytes!))
                    if (f == 1 && w == 2) values.Add(ParseValue(summaryValue!));
        }
        return new TensorBoardEvent(wallTime, step, version, values);
    }

    static TensorBoardValue ParseValue(byte[] data)
    {
        string tag = "";
        float? scalar = null;
        TensorBoardImage? image = null;
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            if (field == 1 && wire == 2) tag = Encoding.UTF8.GetString(bytes!);
            else if (field == 2 && wire == 5) scalar = BitConverter.Int32BitsToSingle((int)value);
            else if (field == 4 && wire == 2) image = ParseImage(bytes!);
        }
        return new TensorBoardValue(tag, scalar, image);
    }

    static TensorBoardImage ParseImage(byte[] data)
    {
        int height = 0, width = 0;
        byte[] encoded = [];
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            if (field == 1 && wire == 0) height = (int)value;
            else if (field == 2 && wire == 0) width = (int)value;
            else if (field == 4 && wire == 2) encoded = bytes!;
        }
        return new TensorBoardImage(height, width, encoded);
    }

    /// <summary>The fields of a protobuf message: number, wire type, and the number (varint, fixed) or the bytes (length-delimited).</summary>
    static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        int at = 0;
        while (at < data.Length)
        {
            ulong key = Varint(data, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(data, ref at), null); break;
                case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at, 8)), null); at += 8; break;
                case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at, 4)), null); at += 4; break;
                case 2:
                    int length = (int)Varint(data, ref at);
                    yield return (field, wire, 0, data.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire} of field {field}");
            }
        }
    }

    static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
