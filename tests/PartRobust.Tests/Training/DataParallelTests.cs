using PartRobust.Distributed;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using Xunit;

namespace PartRobust.Tests.Training;

/// <summary>Which batch sizes data-parallel training accepts for a number of ranks (the checks made before training).</summary>
public class DataParallelTests
{
    sealed class Ranks(int size) : ICommunicator
    {
        public int Rank => 0;
        public int Size => size;
        public string Description => $"{size} ranks (test)";
        public void Barrier() { }
        public void AllreduceSum(Span<float> values) { }
        public void AllreduceSum(Span<double> values) { }
        public void AllreduceMax(Span<double> values) { }
        public void Broadcast(Span<byte> buffer) { }
        public byte[][] AllGather(ReadOnlySpan<byte> mine)
        {
            var copy = mine.ToArray();
            return Enumerable.Repeat(copy, size).ToArray();
        }
        public void Abort(int code) => throw new InvalidOperationException();
    }

    [Fact]
    public void One_process_trains_without_data_parallelism()
    {
        using var model = new TinyConvClassifier(2);
        Assert.Null(DataParallel.For(model, new TrainOptions(), 100, SingleProcess.Instance));
    }

    [Theory]
    [InlineData(64, 16, 4, null)] // full batches of 16: 4 rows each
    [InlineData(65, 16, 4, null)] // a last batch of 1 is dropped
    [InlineData(66, 16, 4, "the last batch of each epoch (2 of 66 training images)")]
    [InlineData(64, 2, 4, "a batch of 2 images")]
    [InlineData(64, 6, 4, "(--batch-norm local)")] // 1 or 2 rows per rank: too few for per-rank statistics
    public void Every_batch_must_give_every_rank_rows(int images, int batch, int ranks, string? error)
    {
        using var model = new TinyConvClassifier(2);
        var options = new TrainOptions { BatchSize = batch, BatchNorm = error?.Contains("local") == true ? BatchNormMode.Local : null };
        if (error is null)
        {
            using var parallel = DataParallel.For(model, options, images, new Ranks(ranks));
            Assert.NotNull(parallel);
            Assert.Equal(ranks, parallel.Ranks);
        }
        else Assert.Contains(error, Assert.Throws<ArgumentException>(() => DataParallel.For(model, options, images, new Ranks(ranks))).Message);
    }
}
