namespace PartRobust.Data;

/// <summary>
/// The classes and parts of a part-segmentation dataset. Segmentation label 0 is background and labels
/// 1..P are parts, numbered class by class in the order of <see cref="ClassNames"/> (PartImageNet's convention).
/// </summary>
/// <param name="ClassNames">Class names, index = class label.</param>
/// <param name="PartNames">Segmentation label names; index 0 is "background".</param>
/// <param name="PartClass">For each segmentation label the class it belongs to; -1 for background.</param>
public sealed record PartTaxonomy(IReadOnlyList<string> ClassNames, IReadOnlyList<string> PartNames, IReadOnlyList<int> PartClass)
{
    /// <summary>Number of classes C.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>Number of segmentation labels K, background included.</summary>
    public int NumSegLabels => PartNames.Count;
}
