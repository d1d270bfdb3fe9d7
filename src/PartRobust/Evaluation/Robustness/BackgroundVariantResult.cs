using PartRobust.Data;

namespace PartRobust.Evaluation.Robustness;

/// <summary>One background variant of a dataset. Owns <see cref="Data"/>; dispose it when done.</summary>
/// <param name="Variant">Which variant.</param>
/// <param name="Data">The variant images with the source's masks and labels.</param>
/// <param name="Donors">Per image, the index of the image whose background was used (itself for non-mixed variants and fallbacks).</param>
/// <param name="Fallbacks">How many images had no eligible donor and used their own background.</param>
public sealed record BackgroundVariantResult(BackgroundVariant Variant, PartDataset Data, int[] Donors, int Fallbacks) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
