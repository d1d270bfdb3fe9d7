namespace PartRobust;

/// <summary>
/// A table of entries by name, in a fixed order: the order that listings, help texts and reports use. The model,
/// segmenter, attack, corruption and dataset registries are each one of these, so lookup, listing and the "unknown
/// name" error read the same everywhere.
/// </summary>
/// <typeparam name="TEntry">What a name stands for: a factory and what the registry knows about it.</typeparam>
public sealed class NamedRegistry<TEntry>
{
    private readonly (string Name, TEntry Entry)[] entries;

    /// <summary>A registry of <paramref name="kind"/>s (e.g. "model") holding <paramref name="entries"/> in this order.</summary>
    /// <exception cref="ArgumentException">A name is empty or given twice.</exception>
    public NamedRegistry(string kind, params (string Name, TEntry Entry)[] entries)
    {
        Kind = kind;
        this.entries = entries;
        var twice = entries.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1 || string.IsNullOrWhiteSpace(g.Key));
        if (twice is not null) throw new ArgumentException($"{kind} registry: name '{twice.Key}' is empty or given twice");
        Names = entries.Select(e => e.Name).ToArray();
    }

    /// <summary>What one entry is, in the singular, as the error messages say it.</summary>
    public string Kind { get; }

    /// <summary>The registered names, in registry order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The entries with their names, in registry order.</summary>
    public IEnumerable<(string Name, TEntry Entry)> Entries => entries;

    /// <summary>True when <paramref name="name"/> is registered (names are case-sensitive).</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The position of <paramref name="name"/> in registry order, or −1.</summary>
    public int IndexOf(string name) => Array.FindIndex(entries, e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>The entry called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the registered ones.</exception>
    public TEntry this[string name] => IndexOf(name) is var i and >= 0
        ? entries[i].Entry
        : throw new ArgumentException($"unknown {Kind} '{name}'; expected one of: {string.Join(", ", Names)}");
}
