using PartRobust.Evaluation.Robustness;
using Xunit;

namespace PartRobust.Tests.Evaluation.Robustness;

public class MirrorTilingTests
{
    [Fact]
    public void Tiles_forwards_then_mirrored()
    {
        Assert.Equal(new[] { 0, 1, 2, 2, 1, 0, 0, 1, 2 }, Enumerable.Range(0, 9).Select(d => MirrorTiling.Index(d, 3)));
        Assert.All(Enumerable.Range(0, 5), d => Assert.Equal(0, MirrorTiling.Index(d, 1)));
    }
}
