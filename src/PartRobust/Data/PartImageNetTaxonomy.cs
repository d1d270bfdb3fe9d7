namespace PartRobust.Data;

/// <summary>
/// PartImageNet's 11 super-classes and 40 parts (names and order exactly as in
/// <c>partimagenet_part_index_table.tsv</c>), and sub-taxonomies for class subsets.
/// </summary>
public static class PartImageNetTaxonomy
{
    /// <summary>The 11 super-class names in PartImageNet's (sorted) class order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "Aeroplane", "Bicycle", "Biped", "Bird", "Boat", "Bottle", "Car", "Fish", "Quadruped", "Reptile", "Snake",
    ];

    // Part suffixes per class, in the TSV's seg_label order (the part name is "<Class> <Suffix>").
    static readonly string[][] PartSuffixes =
    [
        ["Head", "Body", "Engine", "Wing", "Tail"], // Aeroplane 1-5
        ["Body", "Head", "Seat", "Tier"],           // Bicycle 6-9 ("Tier" is PartImageNet's spelling)
        ["Head", "Body", "Hand", "Foot", "Tail"],   // Biped 10-14
        ["Head", "Body", "Wing", "Foot", "Tail"],   // Bird 15-19
        ["Body", "Sail"],                           // Boat 20-21
        ["Mouth", "Body"],                          // Bottle 22-23
        ["Body", "Tier", "Side Mirror"],            // Car 24-26
        ["Head", "Body", "Fin", "Tail"],            // Fish 27-30
        ["Head", "Body", "Foot", "Tail"],           // Quadruped 31-34
        ["Head", "Body", "Foot", "Tail"],           // Reptile 35-38
        ["Head", "Body"],                           // Snake 39-40
    ];

    /// <summary>The full taxonomy: 11 classes, 41 segmentation labels (background + 40 parts).</summary>
    public static PartTaxonomy All { get; } = Build(Enumerable.Range(0, 11).ToArray());

    /// <summary>Part-name suffixes (e.g. "Head") of a class, in seg-label order.</summary>
    /// <exception cref="ArgumentException">Unknown class name.</exception>
    public static IReadOnlyList<string> PartsOf(string className) => PartSuffixes[IndexOf(className)];

    /// <summary>Index of a class in <see cref="ClassNames"/>.</summary>
    /// <exception cref="ArgumentException">Unknown class name (the message lists the valid names).</exception>
    public static int IndexOf(string className)
    {
        for (int i = 0; i < ClassNames.Count; i++)
            if (ClassNames[i] == className) return i;
        throw new ArgumentException(
            $"Unknown PartImageNet class '{className}'. Valid classes: {string.Join(", ", ClassNames)}.", nameof(className));
    }

    /// <summary>
    /// A sub-taxonomy holding only <paramref name="classNames"/>. Classes keep PartImageNet's order (whatever the
    /// order of the argument) and parts are renumbered 1..P' class by class, as PartImageNet numbers its own.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown or repeated class name, or no classes.</exception>
    public static PartTaxonomy Select(IEnumerable<string> classNames)
    {
        var names = classNames.ToList();
        var idx = names.Select(IndexOf).ToList();
        if (idx.Count == 0) throw new ArgumentException("At least one class must be selected.", nameof(classNames));
        if (idx.Distinct().Count() != idx.Count)
            throw new ArgumentException($"Repeated class in selection: {string.Join(", ", names)}.", nameof(classNames));
        return Build(idx.Order().ToArray());
    }

    /// <summary>For each class of a taxonomy built by <see cref="Select"/>, its index among the full 11 classes.</summary>
    public static int[] FullClassIndices(PartTaxonomy taxonomy) => taxonomy.ClassNames.Select(IndexOf).ToArray();

    static PartTaxonomy Build(int[] fullClassIndices)
    {
        var classNames = new List<string>();
        var partNames = new List<string> { "background" };
        var partClass = new List<int> { -1 };
        foreach (int full in fullClassIndices)
        {
            string cls = ClassNames[full];
            foreach (string suffix in PartSuffixes[full])
            {
                partNames.Add($"{cls} {suffix}");
                partClass.Add(classNames.Count);
            }
            classNames.Add(cls);
        }
        return new PartTaxonomy(classNames, partNames, partClass);
    }
}
