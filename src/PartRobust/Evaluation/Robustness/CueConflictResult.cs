using PartRobust.Data;

namespace PartRobust.Evaluation.Robustness;

/// <summary>A cue-conflict dataset. Owns <see cref="Data"/>; dispose it when done.</summary>
/// <param name="Data">Re-textured images with the source's masks and labels (the labels are the shape labels).</param>
/// <param name="TextureLabels">Per image, the class of the texture donor (= own class for fallbacks).</param>
/// <param name="Donors">Per image, the index of the texture donor (itself for fallbacks).</param>
/// <param name="Fallbacks">Images left unchanged (no foreground, or no other-class donor with a foreground).</param>
public sealed record CueConflictResult(PartDataset Data, long[] TextureLabels, int[] Donors, int Fallbacks) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
