namespace PartRobust.Evaluation.Corruptions;

/// <summary>Argument checks and per-severity parameter choice shared by the noise and blur corruptions.</summary>
internal static class NoiseBlurSeverity
{
    /// <summary>Throws unless <paramref name="image"/> is 3·W·H values and severity is 1–5.</summary>
    public static void Check(string name, ReadOnlySpan<float> image, int width, int height, int severity)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"{name}: width and height must be positive, got {width}×{height}.");
        if (image.Length != 3 * width * height)
            throw new ArgumentException($"{name}: expected a planar [3,{height},{width}] image of {3 * width * height} values, got {image.Length}.");
        if (severity < 1 || severity > 5)
            throw new ArgumentOutOfRangeException(nameof(severity), $"{name}: severity must be 1–5, got {severity}.");
    }

    /// <summary>The parameter for <paramref name="severity"/> from the table's list.</summary>
    public static T Pick<T>(T[] imageNet, T[] cifar10, int severity, CorruptionTable table) =>
        (table == CorruptionTable.Cifar10 ? cifar10 : imageNet)[severity - 1];

    /// <summary>Clamps to [0,1] (the library's final <c>np.clip(x, 0, 1)</c>).</summary>
    public static float Clip01(double v) => v < 0 ? 0f : v > 1 ? 1f : (float)v;
}
