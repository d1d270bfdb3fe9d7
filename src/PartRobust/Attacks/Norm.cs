namespace PartRobust.Attacks;

/// <summary>The norm that bounds a perturbation.</summary>
public enum Norm
{
    /// <summary>‖δ‖∞ ≤ ε: every pixel moves at most ε.</summary>
    Linf,
    /// <summary>‖δ‖₂ ≤ ε over the whole image.</summary>
    L2,
}
