using PartRobust.Distributed;
using PartRobust.Tests.TestSupport;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Distributed;

/// <summary>
/// The tensor collectives of data-parallel training on ranks simulated by threads (<see cref="ThreadRanks"/>):
/// shards, the bucketed gradient sum, the broadcast from rank 0, the replica check and synchronised batch norm on rows
/// that differ between ranks.
/// </summary>
public class CollectiveTensorTests
{
    [Fact]
    public void Shards_are_contiguous_balanced_blocks_in_rank_order()
    {
        var shards = Enumerable.Range(0, 3).Select(r => BatchShard.Of(10, r, 3)).ToList();
        Assert.Equal([(0L, 4L), (4L, 3L), (7L, 3L)], shards.Select(s => (s.Offset, s.Count)));
        Assert.Equal(1.0, shards.Sum(s => s.Fraction), 12);
        Assert.Equal(0, BatchShard.SmallestOf(2, 3));
        using var rows = arange(10).view(10, 1);
        Assert.Equal([4L, 5, 6], shards[1].Rows(rows).flatten().data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => shards[0].Rows(arange(9)));
    }

    /// <summary>A few parameters, one channels-last (strided) and one larger than the tiny buckets used below.</summary>
    static Parameter[] Parameters(int rank)
    {
        using var g = new Generator((ulong)(17 + rank));
        var conv = randn([4, 3, 3, 3], generator: g).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // NHWC strides
        return [new Parameter(randn([5], generator: g)), new Parameter(conv), new Parameter(randn([40], generator: g)), new Parameter(randn([3], generator: g))];
    }

    [Fact]
    public void Gradients_are_summed_over_the_ranks_in_place_across_buckets()
    {
        var grads = new Tensor[3][];
        var expected = Enumerable.Range(0, 3).Select(r => Parameters(r).Select(p => p.detach().clone()).ToArray())
            .Aggregate((a, b) => a.Zip(b, (x, y) => x + y).ToArray());
        ThreadRanks.Run(3, comm =>
        {
            var parameters = Parameters(comm.Rank);
            foreach (var p in parameters) p.grad = p.detach().clone(); // each rank's gradient: its own values
            var held = parameters.Select(p => p.grad!).ToArray(); // handles on the gradients' memory
            using var sum = new GradientAllreduce(parameters, comm, bucketBytes: 32 * sizeof(float));
            sum.Sum();
            grads[comm.Rank] = held.Select(g => g.clone()).ToArray(); // summed in place: the held handles see the sums
        });
        for (int r = 0; r < 3; r++)
            foreach (var (got, want) in grads[r].Zip(expected))
                Assert.True(got.allclose(want, rtol: 1e-6, atol: 1e-6));
        Assert.True(grads[1].Zip(grads[2]).All(t => Same(t.First, t.Second)), "ranks must end with the same bits");
    }

    [Fact]
    public void A_broadcast_gives_every_rank_rank_0s_tensors_whatever_their_strides()
    {
        var root = Parameters(0).Select(p => p.detach().clone()).ToArray();
        ThreadRanks.Run(3, comm =>
        {
            var mine = Parameters(comm.Rank).Select(p => (Tensor)p.detach()).Append(full(3, comm.Rank, ScalarType.Int64)).ToArray();
            Assert.Equal([1, 2], ReplicaCheck.RanksDifferingFromRoot(mine, comm));
            TensorBroadcast.FromRoot(mine, comm, bucketBytes: 64);
            foreach (var (got, want) in mine.Zip(root)) Assert.True(Same(got, want));
            Assert.True(Same(mine[^1], zeros(3, ScalarType.Int64)));
            Assert.Empty(ReplicaCheck.RanksDifferingFromRoot(mine, comm));
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Synchronised_batch_norm_on_different_rows_equals_batch_norm_on_all_rows(bool channelsLast)
    {
        using var g = new Generator(5);
        var x = randn([10, 3, 4, 4], generator: g).mul_(3).add_(1);
        if (channelsLast) x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // NHWC strides, as the wider models'
        Assert.Equal(channelsLast, !x.is_contiguous());
        var dy = randn([10, 3, 4, 4], generator: g);
        var weight = rand([3], generator: g).add_(0.5);
        var bias = randn([3], generator: g);
        var reference = BatchNorm2d(weight, bias);
        var xr = x.clone().requires_grad_(true);
        var y = reference.call(xr);
        (y * dy).sum().backward();

        var outputs = new Tensor[3];
        var inputGrads = new Tensor[3];
        var weightGrads = new Tensor[3];
        var layers = new BatchNorm2d[3];
        ThreadRanks.Run(3, comm =>
        {
            var shard = BatchShard.Of(10, comm.Rank, 3);
            var layer = layers[comm.Rank] = BatchNorm2d(weight, bias);
            using var sync = SyncBatchNorm.Install(layer, comm);
            var xs = shard.Rows(x).clone().requires_grad_(true);
            var ys = layer.call(xs);
            (ys * shard.Rows(dy)).sum().backward();
            (outputs[comm.Rank], inputGrads[comm.Rank], weightGrads[comm.Rank]) = (ys.detach(), xs.grad!, layer.weight.grad!);
        });
        Assert.True(cat(outputs, 0).allclose(y, rtol: 0, atol: 1e-6), "forward");
        Assert.True(cat(inputGrads, 0).allclose(xr.grad!, rtol: 0, atol: 1e-5), "input gradient");
        Assert.True(weightGrads.Aggregate((a, b) => a + b).allclose(reference.weight.grad!, rtol: 0, atol: 1e-5), "weight gradient (summed over the ranks)");
        foreach (var layer in layers)
        {
            Assert.True(layer.running_mean!.allclose(reference.running_mean!, rtol: 0, atol: 1e-6), "running mean");
            Assert.True(layer.running_var!.allclose(reference.running_var!, rtol: 0, atol: 1e-6), "running variance");
            Assert.Equal(1, layer.num_batches_tracked!.item<long>());
        }
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static BatchNorm2d BatchNorm2d(Tensor weight, Tensor bias)
    {
        var bn = nn.BatchNorm2d(3);
        using var _ = no_grad();
        bn.weight.copy_(weight);
        bn.bias!.copy_(bias);
        bn.train();
        return bn;
    }
}
