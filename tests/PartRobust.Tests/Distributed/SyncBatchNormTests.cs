using PartRobust.Distributed;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Distributed;

/// <summary>
/// <see cref="SyncBatchNorm"/> in one process: with one rank it must compute what batch norm computes (forward, running
/// statistics, every gradient); with a stand-in for two ranks holding the same rows it must use the global count.
/// </summary>
public class SyncBatchNormTests
{
    /// <summary>
    /// Two copies of conv → BN2d → ReLU → flatten → linear → BN1d (both kinds of layer the models use), with non-trivial
    /// affine parameters and running statistics. Drawn from a local generator: tests run in parallel and share torch's.
    /// </summary>
    static (Sequential, Sequential) Nets()
    {
        Sequential Net() => nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("bn2d", nn.BatchNorm2d(4)), ("relu", nn.ReLU()),
            ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 6 * 6, 5)), ("bn1d", nn.BatchNorm1d(5)));
        var (a, b) = (Net(), Net());
        using var g = new Generator(11);
        using var _ = no_grad();
        foreach (var m in a.modules().OfType<BatchNorm>())
        {
            m.weight.copy_(rand(m.weight.shape, generator: g).add_(0.5));
            m.bias!.copy_(randn(m.bias.shape, generator: g));
            m.running_mean!.copy_(randn(m.running_mean.shape, generator: g));
        }
        var source = a.state_dict();
        foreach (var (name, t) in b.state_dict()) t.copy_(source[name]);
        return (a, b);
    }

    static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void With_one_rank_it_equals_batch_norm_forward_backward_and_running_statistics()
    {
        using var scope = NewDisposeScope();
        var (plain, synced) = Nets();
        using var sync = SyncBatchNorm.Install(synced, SingleProcess.Instance);
        Assert.Equal(2, sync.Layers);
        using var g = new Generator(3);
        for (int step = 0; step < 2; step++)
        {
            var x = randn([6, 3, 6, 6], generator: g).mul_(2).add_(1);
            plain.train();
            synced.train();
            var yPlain = plain.call(x);
            var ySync = synced.call(x);
            Assert.True(MaxDiff(yPlain, ySync) < 1e-5, $"step {step}: output differs by {MaxDiff(yPlain, ySync)}");
            var target = randn([6, 5], generator: g);
            plain.zero_grad();
            synced.zero_grad();
            (yPlain * target).sum().backward();
            (ySync * target).sum().backward();
            foreach (var ((name, p), (_, q)) in plain.named_parameters().Zip(synced.named_parameters()))
                Assert.True(MaxDiff(p.grad!, q.grad!) < 1e-4, $"{name}.grad differs by {MaxDiff(p.grad!, q.grad!)}");
        }
        foreach (var ((name, a), (_, b)) in plain.named_buffers().Zip(synced.named_buffers()))
            Assert.True(MaxDiff(a.to_type(ScalarType.Float32), b.to_type(ScalarType.Float32)) < 1e-5, $"{name} differs");
        plain.eval();
        synced.eval();
        var z = randn([3, 3, 6, 6], generator: g);
        Assert.True(MaxDiff(plain.call(z), synced.call(z)) < 1e-5, "evaluation mode differs");
    }

    [Fact]
    public void Statistics_and_gradients_are_those_of_the_global_batch()
    {
        // Two ranks that hold the same rows: the global batch is [x; x]. Its mean and biased variance equal x's, but the
        // running variance's unbiased correction uses the global count 2n, and the input gradient is the one of [x; x]'s
        // first half.
        using var scope = NewDisposeScope();
        var (plain, synced) = Nets();
        using var sync = SyncBatchNorm.Install(synced, new TwoIdenticalRanks());
        using var g = new Generator(4);
        var x = randn([4, 3, 6, 6], generator: g).requires_grad_(true);
        var both = cat([x, x], 0).detach().requires_grad_(true);
        var target = randn([4, 5], generator: g);
        plain.train();
        synced.train();
        var yPlain = plain.call(both);
        var ySync = synced.call(x);
        Assert.True(MaxDiff(yPlain.narrow(0, 0, 4), ySync) < 1e-5);
        (yPlain * cat([target, target], 0)).sum().backward();
        (ySync * target).sum().backward();
        Assert.True(MaxDiff(both.grad!.narrow(0, 0, 4), x.grad!) < 1e-4, $"input gradient differs by {MaxDiff(both.grad!.narrow(0, 0, 4), x.grad!)}");
        // This rank's weight gradient is its own rows' half; the gradient Allreduce adds the other rank's.
        foreach (var ((name, p), (_, q)) in plain.named_parameters().Zip(synced.named_parameters()))
            Assert.True(MaxDiff(p.grad!, q.grad! * 2) < 1e-4, $"{name}.grad differs");
        foreach (var ((name, a), (_, b)) in plain.named_buffers().Zip(synced.named_buffers()))
            Assert.True(MaxDiff(a.to_type(ScalarType.Float32), b.to_type(ScalarType.Float32)) < 1e-5, $"{name} differs");
    }

    [Fact]
    public void Removing_the_hooks_gives_the_plain_layers_back()
    {
        using var scope = NewDisposeScope();
        var (net, _) = Nets();
        var bn = net.modules().OfType<BatchNorm2d>().Single();
        SyncBatchNorm.Install(net, new TwoIdenticalRanks()).Dispose();
        net.train();
        net.call(zeros(4, 3, 6, 6));
        Assert.Equal(1, bn.num_batches_tracked!.item<long>());
        Assert.True(net.training);
    }

    /// <summary>A stand-in for a job of two ranks whose data are identical: every sum is twice the local value.</summary>
    internal sealed class TwoIdenticalRanks : ICommunicator
    {
        public int Rank => 0;
        public int Size => 2;
        public string Description => "two identical ranks (test)";
        public void Barrier() { }
        public void AllreduceSum(Span<float> values) { foreach (ref var v in values) v *= 2; }
        public void AllreduceSum(Span<double> values) { foreach (ref var v in values) v *= 2; }
        public void AllreduceMax(Span<double> values) { }
        public void Broadcast(Span<byte> buffer) { }
        public byte[][] AllGather(ReadOnlySpan<byte> mine) => [mine.ToArray(), mine.ToArray()];
        public void Abort(int code) => throw new InvalidOperationException($"abort {code}");
    }
}
