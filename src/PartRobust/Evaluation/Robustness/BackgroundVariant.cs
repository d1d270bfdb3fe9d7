namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// ImageNet-9-style background variants (Xiao et al. 2020, "Noise or Signal"), built from part masks: foreground =
/// mask &gt; 0, background = everything else (0 and −1). Masks and labels are never changed.
/// </summary>
public enum BackgroundVariant
{
    /// <summary>The image unchanged (IN-9 <c>original</c>).</summary>
    Original = 0,

    /// <summary>Foreground on black: every non-foreground pixel set to 0 (IN-9 <c>only_fg</c>).</summary>
    OnlyFg = 1,

    /// <summary>The foreground's bounding box filled black (IN-9 <c>only_bg_b</c>).</summary>
    OnlyBgBox = 2,

    /// <summary>Only the foreground pixels themselves filled black (IN-9 <c>no_fg</c>).</summary>
    NoFg = 3,

    /// <summary>The foreground's bounding box filled with mirror-tiled background (IN-9 <c>only_bg_t</c>-like; see <see cref="BackgroundVariants"/>).</summary>
    OnlyBgTiled = 4,

    /// <summary>This image's foreground on the background of another image of the same class (IN-9 <c>mixed_same</c>).</summary>
    MixedSame = 5,

    /// <summary>This image's foreground on the background of an image of a random other class (IN-9 <c>mixed_rand</c>).</summary>
    MixedRand = 6,
}
