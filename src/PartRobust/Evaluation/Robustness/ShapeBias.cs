namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// Shape bias as defined by Geirhos et al. (ICLR 2019; model-vs-human <c>analyses.py::ShapeBias</c>): images whose
/// shape class equals their texture class are dropped; of the rest, shape hits = decisions equal to the shape class,
/// texture hits = decisions equal to the texture class, shape bias = shape hits / (shape hits + texture hits);
/// decisions that are neither count in no numerator, only in the shape accuracy's denominator.
/// </summary>
public static class ShapeBias
{
    /// <summary>Computes the shape-bias figures; all three spans have one entry per image.</summary>
    /// <param name="predictions">Predicted class per image.</param>
    /// <param name="shapeLabels">Shape (own) class per image.</param>
    /// <param name="textureLabels">Texture (donor) class per image.</param>
    public static ShapeBiasResult Compute(ReadOnlySpan<long> predictions, ReadOnlySpan<long> shapeLabels, ReadOnlySpan<long> textureLabels)
    {
        if (predictions.Length != shapeLabels.Length || predictions.Length != textureLabels.Length)
            throw new ArgumentException($"predictions, shape labels and texture labels must have one entry per image, got {predictions.Length}, {shapeLabels.Length}, {textureLabels.Length}");
        int conflict = 0, shapeHits = 0, textureHits = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            if (shapeLabels[i] == textureLabels[i]) continue;
            conflict++;
            if (predictions[i] == shapeLabels[i]) shapeHits++;
            else if (predictions[i] == textureLabels[i]) textureHits++;
        }
        return new ShapeBiasResult(conflict, predictions.Length - conflict, shapeHits, textureHits);
    }
}
