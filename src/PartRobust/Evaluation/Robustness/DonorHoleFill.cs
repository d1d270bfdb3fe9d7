namespace PartRobust.Evaluation.Robustness;

/// <summary>How the region of a donor's own foreground (its bounding box) is filled before its background is used.</summary>
public enum DonorHoleFill
{
    /// <summary>Mirror-tiled background from beside the box (IN-9 Only-BG-T-like; the default).</summary>
    Tiled = 0,

    /// <summary>Black (IN-9 Only-BG-B).</summary>
    Black = 1,
}
