using PartRobust.Attacks;
using PartRobust.Distributed;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Distributed;

/// <summary>
/// The training attacks on one rank's block of a batch (<see cref="BatchShard"/>): the random start is the block's rows
/// of the whole batch's and the generator moves on as for the whole batch, so the blocks' attacks are the whole batch's.
/// </summary>
public class ShardedAttackTests
{
    static (Tensor X, Tensor Y) Batch(int n)
    {
        using var g = new Generator(9);
        return (rand([n, 3, 8, 8], generator: g), randint(0, 3, [n], generator: g));
    }

    [Theory]
    [InlineData(Norm.Linf)]
    [InlineData(Norm.L2)]
    public void A_sharded_random_start_is_the_blocks_rows_of_the_whole_batchs(Norm norm)
    {
        var (x, _) = Batch(7);
        var threat = new ThreatModel(norm, 0.3);
        using var whole = new Generator(4);
        var expected = threat.RandomStart(x, whole);
        for (int rank = 0; rank < 3; rank++)
        {
            using var g = new Generator(4);
            var shard = BatchShard.Of(7, rank, 3);
            var block = threat.RandomStart(shard.Rows(x), g, shard);
            Assert.True(block.eq(shard.Rows(expected)).all().item<bool>(), $"rank {rank}");
            Assert.Equal(RandomState.Save(whole), RandomState.Save(g));
        }
        Assert.Throws<ArgumentException>(() => threat.RandomStart(x, null, BatchShard.Of(7, 0, 2)));
    }

    [Fact]
    public void The_training_attacks_on_the_blocks_are_the_attack_on_the_whole_batch()
    {
        var (x, y) = Batch(6);
        manual_seed(1);
        var model = new TinyConvClassifier(3, width: 4);
        var pgd = PgdAttack.PaperTraining(8.0 / 255, steps: 3, seed: 5).Perturb(model, x, y);
        var trades = TradesAttack.PaperTraining(8.0 / 255, steps: 3, seed: 5).Perturb(model, x, y);
        var pgdBlocks = new List<Tensor>();
        var tradesBlocks = new List<Tensor>();
        for (int rank = 0; rank < 2; rank++)
        {
            var shard = BatchShard.Of(6, rank, 2);
            pgdBlocks.Add(new PgdAttack(8.0 / 255, 3, stepSize: 1.25 * 8 / 255 / 3, seed: 5, keepWorstCase: false) { Shard = shard }
                .Perturb(model, shard.Rows(x), shard.Rows(y)));
            tradesBlocks.Add(new TradesAttack(8.0 / 255, 3, 1.25 * 8 / 255 / 3, seed: 5) { Shard = shard }.Perturb(model, shard.Rows(x), shard.Rows(y)));
        }
        Assert.True(cat(pgdBlocks, 0).allclose(pgd, rtol: 0, atol: 1e-6), "PGD");
        Assert.True(cat(tradesBlocks, 0).allclose(trades, rtol: 0, atol: 1e-6), "TRADES");
    }

    [Fact]
    public void Restarts_on_a_block_are_refused()
    {
        var (x, y) = Batch(4);
        var attack = new PgdAttack(0.1, 2, restarts: 2) { Shard = BatchShard.Of(4, 0, 2) };
        Assert.Throws<NotSupportedException>(() => attack.Perturb(new TinyConvClassifier(3, width: 4), x.narrow(0, 0, 2), y.narrow(0, 0, 2)));
    }
}
