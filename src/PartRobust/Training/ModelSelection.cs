namespace PartRobust.Training;

/// <summary>
/// Which epoch of a stage is kept, decided epoch by epoch (the paper's rule, §2.3). Clean stage, or an adversarial stage
/// without a robust measurement (<see cref="TrainOptions.ValAttackPoints"/> = 0): the best validation clean accuracy.
/// Adversarial stage: the best validation robust accuracy among the epochs whose clean accuracy on the attacked
/// validation points is at least their robust accuracy (an epoch where the attack leaves more points correct than the
/// clean images has an unreliable robust number). Ties go to the later epoch. When no epoch of the stage satisfies
/// clean ≥ robust, nothing is selected (<see cref="BestEpoch"/> stays 0) and the trainer keeps the stage's last epoch.
/// </summary>
public sealed class ModelSelection
{
    /// <summary>Score of the selected epoch (−∞ before one is selected).</summary>
    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>The selected epoch (the caller's numbering), 0 = none yet.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Considers an epoch; true when it becomes the selected one (the caller then keeps its weights).</summary>
    /// <param name="epoch">Epoch number (≥ 1).</param>
    /// <param name="valClean">Validation clean accuracy.</param>
    /// <param name="valRobust">Validation robust accuracy, or null in the clean stage.</param>
    /// <param name="valRobustClean">Clean accuracy on the points <paramref name="valRobust"/> was measured on.</param>
    public bool Offer(int epoch, double valClean, double? valRobust = null, double? valRobustClean = null)
    {
        double score = valRobust ?? valClean;
        bool eligible = valRobust is not { } r || (valRobustClean ?? valClean) >= r;
        if (!eligible || score < BestScore) return false;
        BestScore = score;
        BestEpoch = epoch;
        return true;
    }

    /// <summary>Sets the state (resuming a run).</summary>
    public void Restore(double bestScore, int bestEpoch)
    {
        BestScore = bestScore;
        BestEpoch = bestEpoch;
    }

    /// <summary>
    /// The epoch selected from a whole stage given as (clean, robust, clean on the attacked points) per epoch, numbered
    /// from 1; the last epoch when none is eligible.
    /// </summary>
    public static int Select(IReadOnlyList<(double Clean, double? Robust, double? RobustClean)> epochs)
    {
        var s = new ModelSelection();
        for (int i = 0; i < epochs.Count; i++) s.Offer(i + 1, epochs[i].Clean, epochs[i].Robust, epochs[i].RobustClean);
        return s.BestEpoch > 0 ? s.BestEpoch : epochs.Count;
    }
}
