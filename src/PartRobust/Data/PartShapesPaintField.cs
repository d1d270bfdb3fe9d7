namespace PartRobust.Data;

/// <summary>
/// A pattern field t(x,y) in [0,1] with two colours: the paint of a part, a distractor or a background.
/// Coordinates are pixels; lengths are given in 48-pixel reference units so patterns look alike at every size.
/// </summary>
internal sealed class PartShapesPaintField
{
    readonly PartShapesPattern _kind;
    readonly float _ar, _ag, _ab, _dr, _dg, _db; // colour A and B − A
    readonly double _cos, _sin, _period, _phase, _cx, _cy, _unit, _amp;
    readonly ulong _hash;

    public PartShapesColor A { get; }
    public PartShapesColor B { get; }

    /// <param name="kind">Pattern family.</param>
    /// <param name="a">Colour at t = 0.</param>
    /// <param name="b">Colour at t = 1.</param>
    /// <param name="rng">Source of the random angle, period, phase and centre.</param>
    /// <param name="imageSize">Image size in pixels.</param>
    /// <param name="scale">Multiplies the pattern period (backgrounds use coarser patterns than parts).</param>
    public PartShapesPaintField(PartShapesPattern kind, PartShapesColor a, PartShapesColor b, PartShapesRandom rng, int imageSize, double scale)
    {
        _kind = kind;
        A = a; B = b;
        _ar = a.R; _ag = a.G; _ab = a.B; _dr = b.R - a.R; _dg = b.G - a.G; _db = b.B - a.B;
        double angle = rng.Uniform(0, Math.PI);
        _cos = Math.Cos(angle); _sin = Math.Sin(angle);
        _period = rng.Uniform(4.0, 7.0) * scale;
        _phase = rng.NextDouble();
        _cx = rng.Uniform(0, 48); _cy = rng.Uniform(0, 48);
        _amp = rng.Uniform(0.5, 1.5);
        _hash = rng.NextULong();
        _unit = 48.0 / imageSize;
    }

    /// <summary>Colour at pixel centre (px, py), written to r, g, b.</summary>
    public void ColorAt(int px, int py, out float r, out float g, out float b)
    {
        float t = (float)T((px + 0.5) * _unit, (py + 0.5) * _unit);
        r = _ar + t * _dr; g = _ag + t * _dg; b = _ab + t * _db;
    }

    double T(double x, double y)
    {
        double u = x * _cos + y * _sin, v = -x * _sin + y * _cos;
        switch (_kind)
        {
            case PartShapesPattern.Solid: return 0;
            case PartShapesPattern.Stripes: return Frac(u / _period + _phase) < 0.5 ? 0 : 1;
            case PartShapesPattern.Dots:
            {
                double p = _period * 1.1, fu = Frac(u / p + _phase) - 0.5, fv = Frac(v / p + _phase) - 0.5;
                return fu * fu + fv * fv < 0.09 ? 1 : 0;
            }
            case PartShapesPattern.Checks:
                return ((long)Math.Floor(u / _period + _phase) + (long)Math.Floor(v / _period)) % 2 == 0 ? 0 : 1;
            case PartShapesPattern.Noise:
                return Hash01((long)Math.Floor(x / 1.5), (long)Math.Floor(y / 1.5));
            case PartShapesPattern.Gradient:
                return Math.Clamp(0.5 + (u - (_cx * _cos + _cy * _sin)) / (6 * _period), 0, 1);
            case PartShapesPattern.Rings:
            {
                double dx = x - _cx, dy = y - _cy;
                return Frac(Math.Sqrt(dx * dx + dy * dy) / _period + _phase) < 0.5 ? 0 : 1;
            }
            case PartShapesPattern.Zigzag:
            {
                double tri = Math.Abs(Frac(v / (2 * _period)) - 0.5) * _period;
                return Frac((u + tri) / _period + _phase) < 0.5 ? 0 : 1;
            }
            case PartShapesPattern.Grid:
            {
                double fu = Frac(u / _period + _phase), fv = Frac(v / _period + _phase);
                return fu < 0.25 || fv < 0.25 ? 1 : 0;
            }
            case PartShapesPattern.Waves:
                return 0.5 + 0.5 * Math.Sin(2 * Math.PI * (u / _period + _phase) + _amp * 2 * Math.Sin(2 * Math.PI * v / (3 * _period)));
            case PartShapesPattern.Blotches:
                return ValueNoise(x / (1.5 * _period), y / (1.5 * _period));
            case PartShapesPattern.Speckle:
                return Hash01((long)Math.Floor(x / 2), (long)Math.Floor(y / 2)) < 0.18 ? 1 : 0;
            default: throw new InvalidOperationException($"Unknown pattern {_kind}");
        }
    }

    static double Frac(double x) => x - Math.Floor(x);

    double Hash01(long i, long j)
    {
        ulong s = _hash ^ ((ulong)i * 0x9E3779B97F4A7C15UL) ^ ((ulong)j * 0xC2B2AE3D27D4EB4FUL);
        return (PartShapesRandom.SplitMix64(ref s) >> 11) * (1.0 / (1UL << 53));
    }

    double ValueNoise(double x, double y)
    {
        long i = (long)Math.Floor(x), j = (long)Math.Floor(y);
        double fx = x - i, fy = y - j;
        fx = fx * fx * (3 - 2 * fx); fy = fy * fy * (3 - 2 * fy);
        double a = Hash01(i, j), b = Hash01(i + 1, j), c = Hash01(i, j + 1), d = Hash01(i + 1, j + 1);
        return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
    }
}
