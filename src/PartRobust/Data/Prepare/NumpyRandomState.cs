namespace PartRobust.Data.Prepare;

/// <summary>
/// NumPy's legacy global random generator (<c>np.random.seed(s)</c>: MT19937 seeded by <c>init_genrand</c>), with the
/// draws the authors' preparation scripts make: <c>random_sample</c>, <c>uniform</c>, <c>shuffle</c> and
/// <c>permutation</c>. Reproducing the stream draw for draw is what makes our 80/10/10 re-splits the paper's splits.
/// </summary>
public sealed class NumpyRandomState
{
    const int N = 624, M = 397;
    readonly uint[] _mt = new uint[N];
    int _index;

    /// <summary>As <c>np.random.seed(seed)</c>.</summary>
    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++)
            _mt[i] = unchecked(1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
        _index = N;
    }

    /// <summary>The next 32-bit output of MT19937 (genrand_int32).</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % N] & 0x7fffffffu);
            _mt[i] = _mt[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
        }
        _index = 0;
    }

    /// <summary>As <c>np.random.random_sample()</c>: a 53-bit double in [0,1) from two 32-bit outputs.</summary>
    public double RandomSample()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>As the scalar <c>np.random.uniform(low, high)</c>: low + (high − low)·random_sample().</summary>
    public double Uniform(double low, double high) => low + (high - low) * RandomSample();

    /// <summary>As NumPy's <c>random_interval(max)</c>: uniform in [0, max] by masked rejection sampling.</summary>
    public ulong Interval(ulong max)
    {
        if (max == 0) return 0;
        ulong mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
        ulong value;
        if (max <= 0xffffffffUL)
            while ((value = NextUInt32() & mask) > max) { }
        else
            while ((value = (((ulong)NextUInt32() << 32) | NextUInt32()) & mask) > max) { }
        return value;
    }

    /// <summary>As <c>np.random.shuffle(list)</c> on a list or 1-d array: for i from n−1 down to 1, swap i with random_interval(i).</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (int i = list.Count - 1; i >= 1; i--)
        {
            int j = (int)Interval((ulong)i);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>As <c>np.random.permutation(n)</c>: a shuffled 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        Shuffle(a);
        return a;
    }
}
