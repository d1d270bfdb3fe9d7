using PartRobust.Data.Formats;

namespace PartRobust.Tests.TestSupport;

/// <summary>A MATLAB value to write with <see cref="MatFileWriter"/> (test side: fixtures built byte by byte).</summary>
public abstract record MatNode
{
    /// <summary>A 1×1 struct.</summary>
    public static MatStructNode Struct(params (string Field, MatNode Value)[] fields) =>
        new([1, 1], fields.Select(f => f.Field).ToArray(), [fields.Select(f => f.Value).ToArray()]);

    /// <summary>A 1×N struct array; each element gives its values in <paramref name="fields"/> order.</summary>
    public static MatStructNode StructArray(string[] fields, params MatNode[][] elements) =>
        new([1, elements.Length], fields, elements);

    /// <summary>A 1×N char array stored as <paramref name="storage"/> (MATLAB: miUINT16; scipy: miUTF8 or miUINT8).</summary>
    public static MatCharNode Char(string text, MatDataType storage = MatDataType.UInt16) => new(text, storage);

    /// <summary>An H×W uint8 array from row-major bytes (written column-major, as MATLAB stores it).</summary>
    public static MatNumericNode UInt8(byte[,] rowMajor, bool logical = false)
    {
        int h = rowMajor.GetLength(0), w = rowMajor.GetLength(1);
        var values = new double[h * w];
        for (int c = 0; c < w; c++)
            for (int r = 0; r < h; r++) values[c * h + r] = rowMajor[r, c];
        return new MatNumericNode(MatClass.UInt8, [h, w], values, MatDataType.UInt8, logical);
    }

    /// <summary>A double scalar, stored as <paramref name="storage"/> (MATLAB stores small integers as miUINT8).</summary>
    public static MatNumericNode Double(double value, MatDataType storage = MatDataType.Double) =>
        new(MatClass.Double, [1, 1], [value], storage);

    /// <summary>An H×W double array from row-major values.</summary>
    public static MatNumericNode Doubles(double[,] rowMajor, MatDataType storage = MatDataType.Double)
    {
        int h = rowMajor.GetLength(0), w = rowMajor.GetLength(1);
        var values = new double[h * w];
        for (int c = 0; c < w; c++)
            for (int r = 0; r < h; r++) values[c * h + r] = rowMajor[r, c];
        return new MatNumericNode(MatClass.Double, [h, w], values, storage);
    }

    /// <summary>An empty 0×0 double array (<c>[]</c>).</summary>
    public static MatNumericNode Empty() => new(MatClass.Double, [0, 0], [], MatDataType.Double);

    /// <summary>A 1×N cell array.</summary>
    public static MatCellNode Cell(params MatNode[] items) => new([1, items.Length], items);
}

/// <summary>A struct array: field names and, per element (column-major), one value per field.</summary>
public sealed record MatStructNode(int[] Dims, string[] Fields, MatNode[][] Elements) : MatNode;

/// <summary>A cell array.</summary>
public sealed record MatCellNode(int[] Dims, MatNode[] Items) : MatNode;

/// <summary>A 1×N char array.</summary>
public sealed record MatCharNode(string Text, MatDataType Storage) : MatNode;

/// <summary>A numeric array: class, dimensions, column-major values and the type they are stored as.</summary>
public sealed record MatNumericNode(MatClass Class, int[] Dims, double[] ColumnMajor, MatDataType Storage, bool Logical = false) : MatNode;
