namespace PartRobust.Evaluation.Robustness;

/// <summary>ImageNet-9's background gap (Xiao et al. 2020): how much accuracy drops when the background comes from a random other class instead of the same class.</summary>
public static class BgGap
{
    /// <summary>acc(Mixed-Same) − acc(Mixed-Rand); accuracies as fractions in [0,1], the gap in [−1,1].</summary>
    public static double Compute(double accMixedSame, double accMixedRand)
    {
        if (!(accMixedSame is >= 0 and <= 1) || !(accMixedRand is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(accMixedSame), $"accuracies must be fractions in [0,1], got {accMixedSame} and {accMixedRand}");
        return accMixedSame - accMixedRand;
    }
}
