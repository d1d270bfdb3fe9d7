namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C extra <c>saturate</c>: HSV saturation S ← clip(S·c0 + c1, 0, 1) (skimage HSV). Table (c0,c1):
/// ImageNet (0.3,0),(0.1,0),(2,0),(5,0.1),(20,0.2); CIFAR-10-C (0.3,0),(0.1,0),(1.5,0),(2,0.1),(2.5,0.2).
/// Note the reference table is not monotone in harshness: severity 2 (desaturate ×0.1) usually changes an image more than
/// severity 3 (×2). Deterministic (no random draws).
/// </summary>
public sealed class Saturate : ICorruption
{
    static readonly (double Mul, double Add)[] ImageNetC = { (0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (20, 0.2) };
    static readonly (double Mul, double Add)[] CifarC = { (0.3, 0), (0.1, 0), (1.5, 0), (2, 0.1), (2.5, 0.2) };

    /// <inheritdoc />
    public string Name => "saturate";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        return HsvColor.MapPlanar(image, width * height, p => (p.H, Math.Clamp(p.S * c.Mul + c.Add, 0, 1), p.V));
    }
}
