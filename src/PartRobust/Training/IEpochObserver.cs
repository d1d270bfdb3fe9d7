namespace PartRobust.Training;

/// <summary>
/// Told of each epoch as <see cref="Trainer"/> records it, e.g. a TensorBoard log. The trainer's caller chooses one, so
/// training knows nothing of where the numbers go.
/// </summary>
public interface IEpochObserver
{
    /// <summary>Called once <paramref name="epoch"/> is trained, validated and added to the history.</summary>
    void EpochRecorded(EpochRecord epoch);
}
