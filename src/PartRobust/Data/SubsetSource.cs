namespace PartRobust.Data;

/// <summary>The samples of another source at given indices, in that order.</summary>
public sealed class SubsetSource(IPartSampleSource source, IReadOnlyList<int> indices) : IPartSampleSource
{
    /// <inheritdoc />
    public PartTaxonomy Taxonomy => source.Taxonomy;

    /// <inheritdoc />
    public int Count => indices.Count;

    /// <inheritdoc />
    public int LabelOf(int index) => source.LabelOf(indices[index]);

    /// <inheritdoc />
    public RawPartSample Read(int index) => source.Read(indices[index]);
}
