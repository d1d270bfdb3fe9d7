using PartRobust.Data.Prepare;
using Xunit;

namespace PartRobust.Tests.Data.Prepare;

public class NumpyRandomStateTests
{
    // Expected values: NumPy's documented outputs for np.random.seed(0), cross-checked with CPython's random module
    // (the same MT19937 and 53-bit double rule) after setstate() to the init_genrand(0) state.
    [Fact]
    public void Seed0_RandomSample_MatchesNumpy()
    {
        var r = new NumpyRandomState(0);
        Assert.Equal(0.5488135039273248, r.RandomSample());
        Assert.Equal(0.7151893663724195, r.RandomSample());
    }

    [Fact]
    public void Seed0_RawOutputs_MatchMt19937()
    {
        var r = new NumpyRandomState(0);
        Assert.Equal(new uint[] { 2357136044, 2546248239, 3071714933 }, new[] { r.NextUInt32(), r.NextUInt32(), r.NextUInt32() });
    }

    [Fact]
    public void Seed0_Permutation10_MatchesNumpy() =>
        Assert.Equal(new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 }, new NumpyRandomState(0).Permutation(10));

    [Fact]
    public void Seed0_Permutation1000_CrossesTheTwistBoundary()
    {
        // 999 rejection-sampled draws use more than one 624-word block of the generator.
        var p = new NumpyRandomState(0).Permutation(1000);
        Assert.Equal(new[] { 993, 859, 298, 553, 672, 971, 27, 231 }, p[..8]);
        Assert.Equal(new[] { 629, 559, 684 }, p[^3..]);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
    }

    [Fact]
    public void Uniform_IsAffineInRandomSample()
    {
        var a = new NumpyRandomState(7);
        var b = new NumpyRandomState(7);
        Assert.Equal(0.4 * a.RandomSample(), b.Uniform(0, 0.4), 15);
    }

    [Fact]
    public void Shuffle_OfList_EqualsPermutation()
    {
        var list = Enumerable.Range(0, 10).Select(i => $"s{i}").ToList();
        new NumpyRandomState(0).Shuffle(list);
        Assert.Equal(new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 }.Select(i => $"s{i}"), list);
    }
}
