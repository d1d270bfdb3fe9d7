namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// What <see cref="FrostTexture"/> copies from one of imagecorruptions' frost photographs: its gray-level quantiles at
/// <see cref="QuantileLevels"/>, each channel's least-squares line on gray (R, G, B), and the haze/needle/grain mix of
/// the structure field, chosen so that the texture's power per octave of spatial frequency is near the photograph's.
/// Measured on 64 px crops at the library's 1.1× scale by bench/corruption-fidelity/frost_photo_statistics.py
/// (docs/corruption-fidelity.md).
/// </summary>
internal sealed record FrostStyle(
    double[] GrayQuantiles, double[] ChannelOffset, double[] ChannelSlope, double HazeWeight, double HazeDecay,
    double NeedlesPer1000Px, double NeedleLength, double Grain)
{
    /// <summary>The probabilities of <see cref="GrayQuantiles"/>.</summary>
    public static readonly double[] QuantileLevels = { 0, .05, .1, .2, .3, .4, .5, .6, .7, .8, .9, .95, 1 };

    /// <summary>frost1.png … frost5.jpg.</summary>
    public static readonly FrostStyle[] All =
    {
        // frost1.png
        new(new[] { 0.3159, 0.4069, 0.4253, 0.4486, 0.4672, 0.4847, 0.5024, 0.521, 0.5416, 0.5668, 0.605, 0.6377, 0.879 },
            new[] { -0.3957, 0.1431, 0.301 }, new[] { 1.3771, 0.8688, 0.6865 }, 0.2, 1.2, 20, 4, 0.02),
        // frost2.png
        new(new[] { 0.2246, 0.6427, 0.6875, 0.7368, 0.7677, 0.7908, 0.8105, 0.8277, 0.8467, 0.8658, 0.8888, 0.9061, 0.9809 },
            new[] { 0.0097, -0.0059, 0.0049 }, new[] { 0.9669, 1.0089, 1.041 }, 0.1, 1.4, 40, 8, 0),
        // frost3.png
        new(new[] { 0.2246, 0.6569, 0.6994, 0.7447, 0.7728, 0.7951, 0.8125, 0.8307, 0.8473, 0.8669, 0.8898, 0.9061, 0.996 },
            new[] { 0.0069, -0.0054, 0.0096 }, new[] { 0.9704, 1.0082, 1.0357 }, 0.1, 1.4, 40, 8, 0),
        // frost4.jpg
        new(new[] { 0.095, 0.426, 0.4706, 0.517, 0.5478, 0.5726, 0.5962, 0.6196, 0.6433, 0.6733, 0.7177, 0.7591, 1 },
            new[] { -0.0434, 0.0149, 0.0368 }, new[] { 0.9943, 0.995, 1.0407 }, 0.1, 1.2, 40, 8, 0),
        // frost5.jpg
        new(new[] { 0.0329, 0.2227, 0.2628, 0.3168, 0.3576, 0.3983, 0.4384, 0.4795, 0.5261, 0.5819, 0.6693, 0.7479, 1 },
            new[] { -0.0448, 0.0092, 0.0701 }, new[] { 1.0192, 0.9972, 0.9637 }, 0.1, 1.2, 5, 16, 0.02),
    };
}
