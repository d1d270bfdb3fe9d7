namespace PartRobust.Evaluation.Corruptions;

/// <summary>Argument checks and byte quantisation shared by the weather/digital corruptions.</summary>
internal static class WeatherDigitalArgs
{
    /// <summary>Throws a one-line <see cref="ArgumentException"/> unless the image is 3·W·H values and severity is 1–5.</summary>
    public static void Check(string name, ReadOnlySpan<float> image, int width, int height, int severity)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"{name}: width and height must be >= 1, got {width}x{height}.");
        if (image.Length != 3 * width * height) throw new ArgumentException($"{name}: expected {3 * width * height} values for a {width}x{height} RGB image, got {image.Length}.");
        if (severity < 1 || severity > 5) throw new ArgumentOutOfRangeException(nameof(severity), $"{name}: severity must be 1..5, got {severity}.");
    }

    /// <summary>The uint8 image PIL would hold: round(255·x), clamped.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> image)
    {
        var b = new byte[image.Length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)Math.Clamp(Math.Round(255.0 * image[i], MidpointRounding.AwayFromZero), 0, 255);
        return b;
    }

    /// <summary>Bytes back to [0,1] floats.</summary>
    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        var f = new float[bytes.Length];
        for (int i = 0; i < f.Length; i++) f[i] = bytes[i] / 255f;
        return f;
    }

    /// <summary>Clamps to [0,1] and converts to float.</summary>
    public static float Clip01(double v) => (float)Math.Clamp(v, 0.0, 1.0);
}
