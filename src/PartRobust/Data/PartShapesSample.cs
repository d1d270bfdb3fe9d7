namespace PartRobust.Data;

/// <summary>An RGB colour with channels in [0,1].</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct PartShapesColor(float R, float G, float B);

/// <summary>How one part was painted: every pixel of it is A + t·(B − A) for some t in [0,1] (before noise and blur).</summary>
/// <param name="SegLabel">Segmentation label of the part in the dataset's taxonomy.</param>
/// <param name="ColorA">Colour at t = 0.</param>
/// <param name="ColorB">Colour at t = 1.</param>
public readonly record struct PartShapesPaint(int SegLabel, PartShapesColor ColorA, PartShapesColor ColorB);

/// <summary>What the generator chose for one sample, so tests and reports can check the variants.</summary>
/// <param name="Index">Sample index in the generated dataset.</param>
/// <param name="Label">Class label (index into the taxonomy's classes).</param>
/// <param name="ShapeClass">Class whose shape was drawn, or -1 when no object was drawn (OnlyBackground).</param>
/// <param name="Texture">Texture family of the object's parts (Solid when no object was drawn).</param>
/// <param name="Background">Background family (Solid for OnlyForeground's plain background).</param>
/// <param name="Occluded">An unlabelled distractor was drawn over the object.</param>
/// <param name="Truncated">The object was shifted partly out of the frame.</param>
/// <param name="Blurred">The image was blurred.</param>
/// <param name="Paints">The paint of each part of the object, one entry per part label of its class (empty when no object was drawn).</param>
public sealed record PartShapesSample(
    int Index, int Label, int ShapeClass, PartShapesPattern Texture, PartShapesPattern Background,
    bool Occluded, bool Truncated, bool Blurred, IReadOnlyList<PartShapesPaint> Paints);
