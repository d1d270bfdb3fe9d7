namespace PartRobust.Data.Transforms;

/// <summary>
/// The paper's training augmentation (adv-part-model <c>segmentation_transforms.py</c>):
/// <c>RandomResizedCrop(size, scale, ratio)</c> then <c>RandomHorizontalFlip(0.5)</c>, the same geometry on image and
/// mask. The crop is drawn as torchvision's <c>get_params</c> (<see cref="RandomResizedCropParams"/>) and resized
/// straight from the source window (no copy) to size×size; the flip is drawn after the crop from the same
/// generator, seeded by the <c>seed</c> argument (xoshiro256**), never from shared state.
/// </summary>
public sealed class TrainTransform : IJointTransform
{
    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Smallest crop area as a fraction of the image.</summary>
    public double ScaleMin { get; }

    /// <summary>Largest crop area as a fraction of the image.</summary>
    public double ScaleMax { get; }

    /// <summary>Smallest crop aspect ratio (width/height).</summary>
    public double RatioMin { get; }

    /// <summary>Largest crop aspect ratio (width/height).</summary>
    public double RatioMax { get; }

    /// <summary>Whether to flip left–right with probability 0.5.</summary>
    public bool Flip { get; }

    /// <summary>Creates the transform; defaults are the paper's (224, scale 0.08–1, ratio 3/4–4/3, flip).</summary>
    public TrainTransform(int size = 224, double scaleMin = 0.08, double scaleMax = 1.0, double ratioMin = 3.0 / 4.0,
        double ratioMax = 4.0 / 3.0, bool flip = true)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"image size must be positive, got {size}.");
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(scaleMin), $"crop scale must satisfy 0 < min <= max <= 1, got ({scaleMin}, {scaleMax}).");
        if (!(ratioMin > 0 && ratioMin <= ratioMax && double.IsFinite(ratioMax)))
            throw new ArgumentOutOfRangeException(nameof(ratioMin), $"crop ratio must satisfy 0 < min <= max, got ({ratioMin}, {ratioMax}).");
        Size = size; ScaleMin = scaleMin; ScaleMax = scaleMax; RatioMin = ratioMin; RatioMax = ratioMax; Flip = flip;
    }

    /// <summary>The crop window and flip decision that <paramref name="seed"/> gives for a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public (PixelRect Crop, bool Flipped) SampleParams(int width, int height, ulong seed)
    {
        var rng = new PartShapesRandom(seed);
        var crop = RandomResizedCropParams.Sample(width, height, ScaleMin, ScaleMax, RatioMin, RatioMax, rng);
        bool flipped = Flip && rng.NextDouble() < 0.5;
        return (crop, flipped);
    }

    /// <inheritdoc />
    public void ApplyInto(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed,
        Span<byte> imageOut, Span<byte> maskOut)
    {
        JointTransformExtensions.CheckBuffers(Size, image, width, height, mask, imageOut, maskOut);
        var (crop, flipped) = SampleParams(width, height, seed);
        var full = PixelRect.Full(Size, Size);
        BilinearResampler.ResizeRgb(image, width, height, crop, Size, Size, full, imageOut);
        NearestResampler.ResizeMask(mask, width, height, crop, Size, Size, full, maskOut);
        if (flipped)
        {
            HorizontalFlip.InPlace(imageOut, Size, Size, 3);
            HorizontalFlip.InPlace(maskOut, Size, Size, 1);
        }
    }
}
