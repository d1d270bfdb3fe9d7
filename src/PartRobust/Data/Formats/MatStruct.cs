namespace PartRobust.Data.Formats;

/// <summary>A MATLAB struct or struct array: for each element (column-major) one value per field.</summary>
public sealed class MatStruct : MatValue
{
    readonly string[] _fields;
    readonly MatValue[] _values; // element-major: [element * fields + field], as stored in the file

    internal MatStruct(string source, string path, int[] dims, string[] fields, MatValue[] values) : base(source, path, dims)
    {
        _fields = fields;
        _values = values;
    }

    /// <inheritdoc/>
    public override MatClass Class => MatClass.Struct;

    /// <summary>Field names in file order.</summary>
    public IReadOnlyList<string> FieldNames => _fields;

    /// <summary>True when the struct has a field of that name.</summary>
    public bool HasField(string field) => Array.IndexOf(_fields, field) >= 0;

    /// <summary>The value of <paramref name="field"/> in element <paramref name="index"/> (0-based, column-major).</summary>
    /// <exception cref="InvalidDataException">No such field (the file lacks what the caller expected).</exception>
    public MatValue this[int index, string field]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Path} has {Count} elements");
            int f = Array.IndexOf(_fields, field);
            if (f < 0) throw Error($"expected a field '{field}' (fields: {(_fields.Length == 0 ? "none" : string.Join(", ", _fields))})");
            return _values[index * _fields.Length + f];
        }
    }

    /// <summary>The value of <paramref name="field"/> of a 1×1 struct.</summary>
    /// <exception cref="InvalidDataException">Not exactly one element, or no such field.</exception>
    public MatValue Field(string field)
    {
        if (Count != 1) throw Error($"expected a 1x1 struct, found {SizeText}");
        return this[0, field];
    }
}
