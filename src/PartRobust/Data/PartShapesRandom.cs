namespace PartRobust.Data;

/// <summary>
/// xoshiro256** seeded through SplitMix64: small, fast and fully specified, so a sample's pixels depend only on its
/// (seed, split, index) and not on thread scheduling or the .NET version (unlike <see cref="System.Random"/>).
/// </summary>
internal sealed class PartShapesRandom
{
    ulong _s0, _s1, _s2, _s3;

    public PartShapesRandom(ulong seed)
    {
        ulong sm = seed;
        _s0 = SplitMix64(ref sm); _s1 = SplitMix64(ref sm); _s2 = SplitMix64(ref sm); _s3 = SplitMix64(ref sm);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns a well-mixed 64-bit value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Hashes several values into one seed (order matters).</summary>
    public static ulong Mix(params ulong[] values)
    {
        ulong h = 0x243F6A8885A308D3UL;
        foreach (ulong v in values) { h ^= v; h = SplitMix64(ref h); }
        return h;
    }

    public ulong NextULong()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = RotL(_s3, 45);
        return result;
    }

    static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0,1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0,n).</summary>
    public int Next(int n) => (int)((NextULong() >> 33) % (ulong)n);

    public bool Chance(double p) => NextDouble() < p;

    public double Sign() => Chance(0.5) ? 1 : -1;

    double _spare = double.NaN;

    /// <summary>Standard normal (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public double Normal()
    {
        if (!double.IsNaN(_spare)) { double v = _spare; _spare = double.NaN; return v; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble(), r = Math.Sqrt(-2.0 * Math.Log(u1));
        var (sin, cos) = Math.SinCos(2 * Math.PI * u2);
        _spare = r * sin;
        return r * cos;
    }
}
