using System.Buffers.Binary;

namespace PartRobust.Data.Formats;

/// <summary>
/// A numeric or logical MATLAB array. Values are kept as stored (MATLAB writes e.g. a <c>double</c> array whose values
/// fit in a byte as <c>miUINT8</c> data) and converted element by element by the stored type, not by the class.
/// Element order is MATLAB's column-major; <see cref="ToRowMajorBytes"/> gives the usual H×W row-major image layout.
/// </summary>
public sealed class MatArray : MatValue
{
    readonly ReadOnlyMemory<byte> _real, _imag;
    readonly int _size;

    internal MatArray(string source, string path, int[] dims, MatClass cls, bool logical,
        MatDataType storedType, ReadOnlyMemory<byte> real, ReadOnlyMemory<byte>? imag)
        : base(source, path, dims)
    {
        Class = cls;
        IsLogical = logical;
        StoredType = storedType;
        _size = ElementSize(storedType);
        _real = real;
        _imag = imag ?? ReadOnlyMemory<byte>.Empty;
        IsComplex = imag is not null;
    }

    /// <summary>An empty 0×0 double array (what an <c>miMATRIX</c> element of zero bytes stands for).</summary>
    internal static MatArray Empty(string source, string path) =>
        new(source, path, [0, 0], MatClass.Double, false, MatDataType.Double, ReadOnlyMemory<byte>.Empty, null);

    /// <inheritdoc/>
    public override MatClass Class { get; }

    /// <summary>True for a MATLAB <c>logical</c> array (class uint8 with the logical flag).</summary>
    public bool IsLogical { get; }

    /// <summary>True when the array has an imaginary part.</summary>
    public bool IsComplex { get; }

    /// <summary>How the values are stored in the file.</summary>
    public MatDataType StoredType { get; }

    /// <summary>The stored bytes of the real part: <see cref="MatValue.Count"/> little-endian values of <see cref="StoredType"/>, column-major.</summary>
    public ReadOnlyMemory<byte> RawData => _real;

    /// <summary>Rows of a 2-D array (the first dimension).</summary>
    public int Rows => Dimensions[0];

    /// <summary>Columns of a 2-D array (the product of the remaining dimensions).</summary>
    public int Columns => Rows == 0 ? 0 : Count / Rows;

    /// <summary>The real part of element <paramref name="index"/> in column-major order.</summary>
    public double this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Path} has {Count} elements");
            return Read(_real.Span, index);
        }
    }

    /// <summary>The real part of the element at (<paramref name="row"/>, <paramref name="column"/>) of a 2-D array.</summary>
    public double At(int row, int column)
    {
        if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
            throw new ArgumentOutOfRangeException(nameof(row), $"({row},{column}) is outside {Path} ({SizeText})");
        return Read(_real.Span, column * Rows + row);
    }

    /// <summary>The imaginary part of element <paramref name="index"/> (0 for a real array).</summary>
    public double Imaginary(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Path} has {Count} elements");
        return IsComplex ? Read(_imag.Span, index) : 0;
    }

    /// <summary>The single value of a 1-element array.</summary>
    /// <exception cref="InvalidDataException">The array does not have exactly one element.</exception>
    public double Scalar()
    {
        if (Count != 1) throw Error($"expected a scalar, found a {SizeText} {Class} array");
        return Read(_real.Span, 0);
    }

    /// <summary>All real values in column-major order.</summary>
    public double[] ToDoubles()
    {
        var span = _real.Span;
        var result = new double[Count];
        for (int i = 0; i < result.Length; i++) result[i] = Read(span, i);
        return result;
    }

    /// <summary>
    /// The 2-D array as row-major bytes (index <c>r·Columns + c</c>), e.g. an H×W mask.
    /// </summary>
    /// <exception cref="InvalidDataException">Not 2-D, or a value is not an integer in 0..255.</exception>
    public byte[] ToRowMajorBytes()
    {
        if (Dimensions.Count != 2) throw Error($"expected a 2-D array, found {SizeText}");
        int h = Rows, w = Columns;
        var result = new byte[Count];
        var span = _real.Span;
        if (StoredType is MatDataType.UInt8)
        {
            // The common case (uint8 masks): a plain transpose.
            for (int c = 0; c < w; c++)
            {
                var column = span.Slice(c * h, h);
                for (int r = 0; r < h; r++) result[r * w + c] = column[r];
            }
            return result;
        }
        for (int c = 0; c < w; c++)
            for (int r = 0; r < h; r++)
            {
                double v = Read(span, c * h + r);
                if (!(v >= 0 && v <= 255 && v == Math.Floor(v)))
                    throw Error($"value {v} at ({r + 1},{c + 1}) is not an integer in 0..255");
                result[r * w + c] = (byte)v;
            }
        return result;
    }

    double Read(ReadOnlySpan<byte> data, int i) => StoredType switch
    {
        MatDataType.UInt8 => data[i],
        MatDataType.Int8 => (sbyte)data[i],
        MatDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]),
        MatDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]),
        MatDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
        MatDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(data[(4 * i)..]),
        MatDataType.Single => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
        MatDataType.Double => BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
        MatDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
        MatDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(data[(8 * i)..]),
        _ => throw new InvalidOperationException($"{StoredType} is not numeric"),
    };

    /// <summary>Bytes per element of a numeric stored type; 0 for a non-numeric type.</summary>
    internal static int ElementSize(MatDataType type) => type switch
    {
        MatDataType.Int8 or MatDataType.UInt8 => 1,
        MatDataType.Int16 or MatDataType.UInt16 => 2,
        MatDataType.Int32 or MatDataType.UInt32 or MatDataType.Single => 4,
        MatDataType.Double or MatDataType.Int64 or MatDataType.UInt64 => 8,
        _ => 0,
    };
}
