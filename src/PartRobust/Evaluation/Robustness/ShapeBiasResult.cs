namespace PartRobust.Evaluation.Robustness;

/// <summary>Shape-bias counts and fractions over the cue-conflict images (shape class ≠ texture class).</summary>
/// <param name="ConflictImages">Images counted (shape class ≠ texture class).</param>
/// <param name="Excluded">Images dropped because shape class = texture class.</param>
/// <param name="ShapeHits">Decisions equal to the shape class.</param>
/// <param name="TextureHits">Decisions equal to the texture class.</param>
public sealed record ShapeBiasResult(int ConflictImages, int Excluded, int ShapeHits, int TextureHits)
{
    /// <summary>Shape hits / conflict images, in [0,1]; NaN when there is no conflict image.</summary>
    public double ShapeAccuracy => ConflictImages == 0 ? double.NaN : (double)ShapeHits / ConflictImages;

    /// <summary>Texture hits / conflict images, in [0,1]; NaN when there is no conflict image.</summary>
    public double TextureAccuracy => ConflictImages == 0 ? double.NaN : (double)TextureHits / ConflictImages;

    /// <summary>Shape hits / (shape hits + texture hits), in [0,1]; NaN when both are 0.</summary>
    public double Bias => ShapeHits + TextureHits == 0 ? double.NaN : (double)ShapeHits / (ShapeHits + TextureHits);
}
