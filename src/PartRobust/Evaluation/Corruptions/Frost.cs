using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>frost</c>: clip(c0·x + c1·frost) where frost is an H×W frost texture. Deviation: the library crops one
/// of five frost photographs shipped with it (after a cv2 bicubic resize by 1.1); here the texture is generated
/// procedurally and deterministically from the seed by <see cref="FrostTexture"/> in the style of the photograph the
/// library's <c>randint(5)</c> would pick (its gray-level distribution, colour and spectrum), and no image files are
/// shipped, so pixels differ from the library's while the blend and its average strength are the same.
/// (c0, c1) = (1,.4),(.8,.6),(.7,.7),(.65,.7),(.6,.75) (ImageNet) or (1,.2),(1,.3),(.9,.4),(.85,.4),(.75,.45) (CIFAR-10-C).
/// </summary>
public sealed class Frost : ICorruption
{
    static readonly (double Image, double Frost)[] ImageNetC = { (1, .4), (.8, .6), (.7, .7), (.65, .7), (.6, .75) };
    static readonly (double Image, double Frost)[] CifarC = { (1, .2), (1, .3), (.9, .4), (.85, .4), (.75, .45) };

    /// <inheritdoc />
    public string Name => "frost";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        var rng = new PartShapesRandom(seed);
        int style = rng.Next(5);
        var frost = FrostTexture.Generate(width, height, style, rng);
        var o = new float[image.Length];
        for (int i = 0; i < o.Length; i++) o[i] = WeatherDigitalArgs.Clip01(c.Image * image[i] + c.Frost * frost[i]);
        return o;
    }
}
