using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using PartRobust.Data.Formats;

namespace PartRobust.Tests.TestSupport;

/// <summary>
/// Writes MATLAB Level-5 MAT-files as MATLAB does, so that tests can build fixtures in the exact format: 128-byte
/// header, 8-byte aligned data elements, the small-element format for data of at most 4 bytes (names, the field name
/// length), column-major arrays, and optionally each variable wrapped in an miCOMPRESSED zlib element.
/// </summary>
public static class MatFileWriter
{
    /// <summary>The file's bytes.</summary>
    public static byte[] Write(bool compress, params (string Name, MatNode Value)[] variables)
    {
        var file = new MemoryStream();
        var header = new byte[128];
        Array.Fill(header, (byte)' ', 0, 116);
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: test, Created by: PartRobust.Tests").CopyTo(header, 0);
        Array.Clear(header, 116, 8);                 // no subsystem data
        header[124] = 0x00; header[125] = 0x01;      // version 0x0100, little-endian
        header[126] = (byte)'I'; header[127] = (byte)'M';
        file.Write(header);
        foreach (var (name, value) in variables)
        {
            byte[] matrix = Matrix(value, name);
            if (!compress) { file.Write(matrix); continue; }
            var z = new MemoryStream();
            using (var zlib = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(matrix);
            WriteU32(file, (uint)MatDataType.Compressed);
            WriteU32(file, (uint)z.Length);
            file.Write(z.ToArray()); // compressed elements are not padded
        }
        return file.ToArray();
    }

    /// <summary>Writes the file to <paramref name="path"/>.</summary>
    public static void WriteFile(string path, bool compress, params (string Name, MatNode Value)[] variables) =>
        File.WriteAllBytes(path, Write(compress, variables));

    /// <summary>One miMATRIX element (tag included).</summary>
    public static byte[] Matrix(MatNode value, string name = "")
    {
        var body = new MemoryStream();
        (MatClass cls, bool logical, int[] dims) = value switch
        {
            MatStructNode s => (MatClass.Struct, false, s.Dims),
            MatCellNode c => (MatClass.Cell, false, c.Dims),
            MatCharNode ch => (MatClass.Char, false, new[] { ch.Text.Length == 0 ? 0 : 1, ch.Text.Length }),
            MatNumericNode n => (n.Class, n.Logical, n.Dims),
            _ => throw new ArgumentException("unknown node"),
        };
        var flags = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)cls | (logical ? 0x200u : 0u));
        Element(body, MatDataType.UInt32, flags);
        Element(body, MatDataType.Int32, dims.SelectMany(d => BitConverter.GetBytes(d)).ToArray());
        Element(body, MatDataType.Int8, Encoding.ASCII.GetBytes(name));
        switch (value)
        {
            case MatStructNode s:
            {
                int len = Math.Max(1, s.Fields.Select(f => f.Length).DefaultIfEmpty(0).Max() + 1);
                len = (len + 7) / 8 * 8; // MATLAB rounds the field name length up (32 for short names)
                Element(body, MatDataType.Int32, BitConverter.GetBytes(len));
                var names = new byte[len * s.Fields.Length];
                for (int i = 0; i < s.Fields.Length; i++) Encoding.ASCII.GetBytes(s.Fields[i]).CopyTo(names, i * len);
                Element(body, MatDataType.Int8, names);
                foreach (var element in s.Elements)
                    foreach (var v in element) body.Write(Matrix(v));
                break;
            }
            case MatCellNode c:
                foreach (var v in c.Items) body.Write(Matrix(v));
                break;
            case MatCharNode ch:
                Element(body, ch.Storage, ch.Storage switch
                {
                    MatDataType.UInt16 => Encoding.Unicode.GetBytes(ch.Text),
                    MatDataType.Utf8 => Encoding.UTF8.GetBytes(ch.Text),
                    MatDataType.UInt8 => Encoding.Latin1.GetBytes(ch.Text),
                    _ => throw new ArgumentException($"char storage {ch.Storage}"),
                });
                break;
            case MatNumericNode n:
                Element(body, n.Storage, Encode(n.ColumnMajor, n.Storage));
                break;
        }
        var result = new MemoryStream();
        WriteU32(result, (uint)MatDataType.Matrix);
        WriteU32(result, (uint)body.Length);
        body.WriteTo(result);
        return result.ToArray();
    }

    /// <summary>Values in a stored type, little-endian.</summary>
    public static byte[] Encode(double[] values, MatDataType type)
    {
        var o = new MemoryStream();
        foreach (double v in values)
            switch (type)
            {
                case MatDataType.UInt8: o.WriteByte(checked((byte)v)); break;
                case MatDataType.Int8: o.WriteByte(unchecked((byte)checked((sbyte)v))); break;
                case MatDataType.Int16: o.Write(BitConverter.GetBytes(checked((short)v))); break;
                case MatDataType.UInt16: o.Write(BitConverter.GetBytes(checked((ushort)v))); break;
                case MatDataType.Int32: o.Write(BitConverter.GetBytes(checked((int)v))); break;
                case MatDataType.UInt32: o.Write(BitConverter.GetBytes(checked((uint)v))); break;
                case MatDataType.Single: o.Write(BitConverter.GetBytes((float)v)); break;
                case MatDataType.Double: o.Write(BitConverter.GetBytes(v)); break;
                default: throw new ArgumentException($"numeric storage {type}");
            }
        return o.ToArray();
    }

    /// <summary>A data element: small format when 1..4 bytes (as MATLAB writes), else an 8-byte tag; padded to 8 bytes.</summary>
    static void Element(Stream o, MatDataType type, byte[] data)
    {
        if (data.Length is > 0 and <= 4)
        {
            WriteU32(o, (uint)data.Length << 16 | (uint)type);
            o.Write(data);
            o.Write(new byte[4 - data.Length]);
            return;
        }
        WriteU32(o, (uint)type);
        WriteU32(o, (uint)data.Length);
        o.Write(data);
        o.Write(new byte[(8 - data.Length % 8) % 8]);
    }

    static void WriteU32(Stream o, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        o.Write(b);
    }
}
