using PartRobust.Data;
using PartRobust.Data.Transforms;
using PartRobust.Distributed;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

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
        var options = new TrainOptions { BatchSize = batch, BatchNorm = error?.Contains("local") == true ? BatchNormMode.Local : BatchNormMode.Sync };
        if (error is null)
        {
            using var parallel = DataParallel.For(model, options, images, new Ranks(ranks));
            Assert.NotNull(parallel);
            Assert.Equal(ranks, parallel.Ranks);
        }
        else Assert.Contains(error, Assert.Throws<ArgumentException>(() => DataParallel.For(model, options, images, new Ranks(ranks))).Message);
    }

    [Fact]
    public void A_streamed_set_decodes_a_ranks_rows_alone_and_they_are_the_rows_of_the_whole_batch()
    {
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));
        PreparedFixture.Write(Path.Combine(dir, "data"), perSplit: 8);
        var source = new PreparedSplit(Path.Combine(dir, "data", "train")); // 16 images: batches of 6, 6 and 4
        using var set = new StreamingTrainingSet(source, new TrainTransform(32), semiLabel: 0.5, seed: 3, CPU, workers: 2);
        using var order = randperm(source.Count, generator: new Generator(1));
        using var g = new Generator(2);
        int batches = Trainer.BatchesPerEpoch(source.Count, 6);
        var whole = new List<(Tensor Images, Tensor Masks, Tensor Labels)>();
        using (var epoch = set.BeginEpoch(order, 0, 6, 2))
            for (int b = 0; b < batches; b++) whole.Add(epoch.Next(g));
        for (int rank = 0; rank < 2; rank++)
        {
            int r = rank;
            using var epoch = set.BeginEpoch(order, 0, 6, 2, n => BatchShard.Of(n, r, 2))!;
            for (int b = 0; b < batches; b++)
            {
                var (x, masks, y) = epoch.Next(g);
                var shard = BatchShard.Of(whole[b].Labels.shape[0], rank, 2);
                Assert.True(x.equal(shard.Rows(whole[b].Images)).all().item<bool>(), $"rank {rank} batch {b} images");
                Assert.True(masks.equal(shard.Rows(whole[b].Masks)).all().item<bool>(), $"rank {rank} batch {b} masks");
                Assert.True(y.equal(shard.Rows(whole[b].Labels)).all().item<bool>(), $"rank {rank} batch {b} labels");
            }
        }
        Directory.Delete(dir, recursive: true);
    }
}
