namespace PartRobust.Data.Prepare;

/// <summary>Options of <c>partrobust data prepare</c>.</summary>
public sealed class PrepareOptions
{
    /// <summary>Consider only the first N source items in the preparer's (sorted) processing order; null = all.</summary>
    public int? Limit { get; init; }

    /// <summary><c>paper</c> (the authors' seeded 80/10/10 re-split) or <c>original</c> (the dataset's own split, where it has one).</summary>
    public string Split { get; init; } = "paper";

    /// <summary>Decode/encode parallelism.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}
