namespace PartRobust.Training;

/// <summary>What training produced besides the trained weights.</summary>
/// <param name="History">One record per epoch, both stages.</param>
/// <param name="Seconds">Wall-clock seconds, validation included.</param>
/// <param name="AdvImagesPerSecond">Adversarial-training throughput (training steps only; 0 without a PGD stage).</param>
/// <param name="SelectedEpoch">The epoch whose weights were kept (best validation score of the last stage).</param>
public sealed record TrainResult(List<EpochRecord> History, double Seconds, double AdvImagesPerSecond, int SelectedEpoch)
{
    /// <summary>The result with the throughput of <paramref name="advImages"/> adversarial images in <paramref name="advSeconds"/> seconds.</summary>
    internal static TrainResult Of(List<EpochRecord> history, double seconds, double advImages, double advSeconds, int selectedEpoch) =>
        new(history, seconds, advSeconds > 0 ? advImages / advSeconds : 0, selectedEpoch);
}
