namespace PartRobust.Data;

/// <summary>Which split to generate; each split uses different per-sample seeds.</summary>
public enum PartShapesSplit
{
    /// <summary>Training split.</summary>
    Train = 0,
    /// <summary>Validation split.</summary>
    Val = 1,
    /// <summary>Test split.</summary>
    Test = 2,
}

/// <summary>Test-time variants probing what a model relies on (mirroring PartImageNet's general-robustness sets).</summary>
public enum PartShapesVariant
{
    /// <summary>The training distribution (texture and background correlated with the class as configured).</summary>
    Standard = 0,
    /// <summary>
    /// Shape of class A with the texture (family, and hue when the options tie hues to classes) preferred by a class
    /// B ≠ A, on a background of a random family and hue, so that only shape and texture conflict; label = A (shape).
    /// </summary>
    CueConflict = 1,
    /// <summary>The object on the background family preferred by another class B ≠ A; label = A.</summary>
    MixedRandomBackground = 2,
    /// <summary>The object on a plain uniform background with no clutter and no occluder; label = the object's class.</summary>
    OnlyForeground = 3,
    /// <summary>
    /// No object: a background (with clutter) of the family preferred by class L, mask all 0, label = L. Measures how
    /// much a model can predict from the background alone.
    /// </summary>
    OnlyBackground = 4,
}

/// <summary>
/// Pattern families used both for part textures and for backgrounds. Every pattern is a field t(x,y) in [0,1] that
/// blends a colour A (t = 0) into a colour B (t = 1), so every painted pixel lies on the segment A–B.
/// </summary>
public enum PartShapesPattern
{
    /// <summary>Uniform colour A; used only for the plain background of <see cref="PartShapesVariant.OnlyForeground"/>.</summary>
    Solid = 0,
    /// <summary>Hard-edged straight stripes at a random angle.</summary>
    Stripes,
    /// <summary>A lattice of round dots.</summary>
    Dots,
    /// <summary>A rotated checkerboard.</summary>
    Checks,
    /// <summary>Blocky white noise.</summary>
    Noise,
    /// <summary>A smooth linear gradient.</summary>
    Gradient,
    /// <summary>Concentric rings.</summary>
    Rings,
    /// <summary>Zigzag (chevron) bands.</summary>
    Zigzag,
    /// <summary>Thin grid lines.</summary>
    Grid,
    /// <summary>Smooth wavy bands.</summary>
    Waves,
    /// <summary>Smooth low-frequency blotches (value noise).</summary>
    Blotches,
    /// <summary>Sparse random speckles.</summary>
    Speckle,
}
