namespace PartRobust.Data.Formats;

/// <summary>A MATLAB char array; a 1×N array (MATLAB's <c>'text'</c>) is read with <see cref="Text"/>.</summary>
public sealed class MatChar : MatValue
{
    readonly string _columnMajor;

    internal MatChar(string source, string path, int[] dims, string columnMajor) : base(source, path, dims) =>
        _columnMajor = columnMajor;

    /// <inheritdoc/>
    public override MatClass Class => MatClass.Char;

    /// <summary>The text of an array with at most one row (<c>''</c> for an empty array).</summary>
    /// <exception cref="InvalidDataException">The array has several rows.</exception>
    public string Text
    {
        get
        {
            if (IsEmpty) return "";
            if (Dimensions.Count != 2 || Dimensions[0] != 1) throw Error($"expected one line of text, found a {SizeText} char array");
            return _columnMajor;
        }
    }

    /// <summary>Each row of a 2-D char array as a string (MATLAB stores the characters column by column).</summary>
    public IReadOnlyList<string> RowTexts()
    {
        if (Dimensions.Count != 2) throw Error($"expected a 2-D char array, found {SizeText}");
        int rows = Dimensions[0], cols = Dimensions[1];
        if (_columnMajor.Length != Count) throw Error($"has {_columnMajor.Length} characters, its size {SizeText} needs {Count}");
        var result = new string[rows];
        for (int r = 0; r < rows; r++)
            result[r] = string.Create(cols, r, (span, row) => { for (int c = 0; c < span.Length; c++) span[c] = _columnMajor[c * rows + row]; });
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => _columnMajor;
}
