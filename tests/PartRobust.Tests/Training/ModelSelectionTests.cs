using PartRobust.Training;
using Xunit;

namespace PartRobust.Tests.Training;

public class ModelSelectionTests
{
    [Fact]
    public void Adversarial_stage_picks_the_best_robust_epoch_with_clean_at_least_robust()
    {
        // Epoch 2 has the highest robust accuracy but more robust than clean points: not eligible.
        var epochs = new (double, double?, double?)[] { (0.8, 0.30, 0.8), (0.7, 0.60, 0.5), (0.9, 0.40, 0.9), (0.85, 0.35, 0.85) };
        Assert.Equal(3, ModelSelection.Select(epochs));
    }

    [Fact]
    public void Ties_go_to_the_later_epoch_and_equality_is_allowed()
    {
        var epochs = new (double, double?, double?)[] { (0.5, 0.4, 0.5), (0.4, 0.4, 0.4), (0.9, 0.3, 0.9) };
        Assert.Equal(2, ModelSelection.Select(epochs));
    }

    [Fact]
    public void Without_an_eligible_epoch_the_last_one_is_kept()
    {
        var epochs = new (double, double?, double?)[] { (0.3, 0.4, 0.3), (0.2, 0.5, 0.2) };
        Assert.Equal(2, ModelSelection.Select(epochs));
        var s = new ModelSelection();
        s.Offer(1, 0.3, 0.4, 0.3);
        Assert.Equal(0, s.BestEpoch);
    }

    [Fact]
    public void Clean_stage_picks_the_best_clean_accuracy()
    {
        var epochs = new (double, double?, double?)[] { (0.5, null, null), (0.7, null, null), (0.6, null, null) };
        Assert.Equal(2, ModelSelection.Select(epochs));
    }
}
