namespace PartRobust.Data;

/// <summary>
/// The paper's PASCAL-Part taxonomy (<c>PARTS</c> in chawins/adv-part-model <c>prepare_pascal_part.py</c>): five VOC
/// classes in alphabetical order, each with three part groups that merge PASCAL-Part's raw part names; 16 segmentation
/// labels with background. Groups are listed in the authors' dict order, which is also their painting priority.
/// </summary>
public static class PascalPartTaxonomy
{
    /// <summary>The five classes, index = class label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["aeroplane", "bird", "car", "cat", "dog"];

    /// <summary>Per class, its three groups: a name and the keywords that put a raw part in it (by substring).</summary>
    public static IReadOnlyList<IReadOnlyList<(string Name, string[] Keywords)>> Groups { get; } =
    [
        [("tail", ["tail", "stern"]), ("wing", ["lwing", "rwing", "engine"]), ("body", ["body", "wheel"])],
        [("head", ["head", "beak", "leye", "reye", "neck"]), ("legs", ["lleg", "rleg", "lfoot", "rfoot"]),
         ("body", ["torso", "lwing", "rwing", "tail"])],
        [("wheel", ["wheel"]), ("window", ["window"]),
         ("body", ["bliplate", "backside", "door", "fliplate", "frontside", "headlight", "leftmirror", "leftside",
                   "rightmirror", "rightside", "roofside"])],
        [("head", ["head", "nose", "leye", "reye", "lear", "rear", "neck"]),
         ("legs", ["lfleg", "rfleg", "lbleg", "rbleg", "lfpa", "rfpa", "lbpa", "rbpa"]), ("body", ["torso", "tail"])],
        [("head", ["head", "nose", "leye", "reye", "lear", "rear", "neck", "muzzle"]),
         ("legs", ["lfleg", "rfleg", "lbleg", "rbleg", "lfpa", "rfpa", "lbpa", "rbpa"]), ("body", ["torso", "tail"])],
    ];

    /// <summary>Groups per class.</summary>
    public const int GroupsPerClass = 3;

    /// <summary>Classes, seg labels (<c>background</c>, then <c>"aeroplane tail"</c> … <c>"dog body"</c>) and the part → class map.</summary>
    public static PartTaxonomy Taxonomy { get; } = new(
        ClassNames,
        ["background", .. ClassNames.SelectMany((c, i) => Groups[i].Select(g => $"{c} {g.Name}"))],
        [-1, .. Enumerable.Range(0, ClassNames.Count).SelectMany(i => Enumerable.Repeat(i, GroupsPerClass))]);

    /// <summary>The class label of a VOC class name, or −1 if it is not one of the five.</summary>
    public static int ClassIndex(string vocClass)
    {
        for (int i = 0; i < ClassNames.Count; i++)
            if (ClassNames[i] == vocClass) return i;
        return -1;
    }

    /// <summary>
    /// The group (0..2) of a raw part name of class <paramref name="classIndex"/>: the first group with a keyword that is a
    /// substring of the name (<c>wheel</c> takes <c>wheel_3</c>), or −1. The authors paint the groups in order, only where
    /// nothing is painted yet, so a name matching two groups behaves exactly as if it were only in the first.
    /// </summary>
    public static int GroupOf(int classIndex, string partName)
    {
        var groups = Groups[classIndex];
        for (int g = 0; g < groups.Count; g++)
            foreach (string keyword in groups[g].Keywords)
                if (partName.Contains(keyword, StringComparison.Ordinal)) return g;
        return -1;
    }

    /// <summary>The segmentation label of group <paramref name="group"/> of class <paramref name="classIndex"/>: 1 + 3·class + group.</summary>
    public static int SegLabel(int classIndex, int group) => 1 + GroupsPerClass * classIndex + group;
}
