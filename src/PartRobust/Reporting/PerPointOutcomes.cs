namespace PartRobust.Reporting;

/// <summary>
/// The per-point outcomes of a model in <see cref="ModelResult.PerPoint"/>: one string per metric, '1' for a point
/// classified correctly (clean) or left robust (attack), '0' otherwise, in the order the points were evaluated.
/// </summary>
public static class PerPointOutcomes
{
    /// <summary>Key of the clean outcomes.</summary>
    public const string Clean = "clean";

    /// <summary>The encoded outcomes: <c>clean</c> and each attack's robust flags.</summary>
    public static Dictionary<string, string> Encode(IReadOnlyList<bool> clean, IReadOnlyDictionary<string, bool[]> robust)
    {
        var d = new Dictionary<string, string> { [Clean] = Encode(clean) };
        foreach (var (key, flags) in robust) d[key] = Encode(flags);
        return d;
    }

    /// <summary>'1'/'0' per point.</summary>
    public static string Encode(IReadOnlyList<bool> flags) => string.Create(flags.Count, flags, (span, f) =>
    {
        for (int i = 0; i < span.Length; i++) span[i] = f[i] ? '1' : '0';
    });

    /// <summary>The flags of <paramref name="metric"/> in <paramref name="model"/>, or null when not recorded.</summary>
    /// <exception cref="InvalidDataException">A character other than '0' or '1'.</exception>
    public static bool[]? Decode(ModelResult model, string metric)
    {
        if (model.PerPoint is null || !model.PerPoint.TryGetValue(metric, out var text)) return null;
        var flags = new bool[text.Length];
        for (int i = 0; i < text.Length; i++)
            flags[i] = text[i] switch
            {
                '1' => true,
                '0' => false,
                _ => throw new InvalidDataException($"per_point.{metric} of {model.Name}: expected only '0' and '1', found '{text[i]}'"),
            };
        return flags;
    }
}
