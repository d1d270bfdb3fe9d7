namespace PartRobust.Data.Formats;

/// <summary>
/// One MATLAB array read from a MAT-file: a numeric/logical array, char array, struct array or cell array.
/// Dimensions are MATLAB's (at least two, column-major element order).
/// </summary>
public abstract class MatValue
{
    readonly int[] _dims;

    private protected MatValue(string source, string path, int[] dims)
    {
        Source = source;
        Path = path;
        _dims = dims;
        long n = 1;
        foreach (int d in dims) n *= d;
        Count = checked((int)n);
    }

    /// <summary>The file it was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>Where it sits in the file, MATLAB style, e.g. <c>anno.objects(2).mask</c> (1-based indices).</summary>
    public string Path { get; }

    /// <summary>The MATLAB array class.</summary>
    public abstract MatClass Class { get; }

    /// <summary>The dimensions (at least two).</summary>
    public IReadOnlyList<int> Dimensions => _dims;

    /// <summary>Number of elements (the product of the dimensions).</summary>
    public int Count { get; }

    /// <summary>True when some dimension is 0.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The dimensions as MATLAB prints them, e.g. <c>272x480</c>.</summary>
    public string SizeText => string.Join("x", _dims);

    /// <summary>A one-line error naming the file and this value.</summary>
    internal InvalidDataException Error(string what) => new($"{Source}: {Path}: {what}");
}
