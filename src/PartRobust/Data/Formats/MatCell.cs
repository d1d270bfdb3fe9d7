namespace PartRobust.Data.Formats;

/// <summary>A MATLAB cell array: one value per element, column-major.</summary>
public sealed class MatCell : MatValue
{
    readonly MatValue[] _items;

    internal MatCell(string source, string path, int[] dims, MatValue[] items) : base(source, path, dims) => _items = items;

    /// <inheritdoc/>
    public override MatClass Class => MatClass.Cell;

    /// <summary>Element <paramref name="index"/> (0-based, column-major).</summary>
    public MatValue this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"{Path} has {Count} elements");
            return _items[index];
        }
    }
}
