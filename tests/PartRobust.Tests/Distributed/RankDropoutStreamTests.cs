using PartRobust.Distributed;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Distributed;

/// <summary>
/// <see cref="RankDropoutStream"/>: ranks entering with the same global generator draw different masks inside and agree
/// again after. In the non-parallel collection: it uses torch's global generator, which parallel tests would move.
/// </summary>
[Collection("mpi")]
public class RankDropoutStreamTests
{
    sealed class FakeRank(int rank) : ICommunicator
    {
        public int Rank => rank;
        public int Size => 2;
        public string Description => "test";
        public void Barrier() { }
        public void AllreduceSum(Span<float> values) { }
        public void AllreduceSum(Span<double> values) { }
        public void AllreduceMax(Span<double> values) { }
        public void Broadcast(Span<byte> buffer) { }
        public byte[][] AllGather(ReadOnlySpan<byte> mine) => [mine.ToArray(), mine.ToArray()];
        public void Abort(int code) => throw new InvalidOperationException();
    }

    [Fact]
    public void Ranks_draw_their_own_masks_and_leave_with_one_state()
    {
        manual_seed(42);
        var start = RandomState.SaveGlobal();
        var masks = new Tensor[2];
        var after = new byte[2][];
        for (int r = 0; r < 2; r++)
        {
            RandomState.RestoreGlobal(start);
            using (RankDropoutStream.Enter(new FakeRank(r)))
                masks[r] = nn.functional.dropout(ones(64), 0.5, training: true);
            after[r] = RandomState.SaveGlobal();
        }
        Assert.False(masks[0].eq(masks[1]).all().item<bool>(), "both ranks drew the same masks");
        Assert.Equal(after[0], after[1]);
        Assert.NotEqual(start, after[0]);
    }
}
