using PartRobust.Evaluation.Corruptions;
using PartRobust.Runs;
using Xunit;

namespace PartRobust.Tests.Runs;

public sealed class CorruptionBenchmarkTests
{
    [Fact]
    public void Lists_every_corruption_with_a_positive_rate_and_names_the_table()
    {
        string table = CorruptionBenchmark.Run(32, 2, null, NullProgress.Instance);
        Assert.Contains("CIFAR-10-C table", table);
        foreach (var c in CorruptionRegistry.All)
        {
            var row = Assert.Single(table.Split('\n'), l => l.StartsWith($"| {c.Name} |"));
            Assert.True(double.Parse(row.Split('|')[2]) > 0, row);
        }
        Assert.Contains("| **all 19** |", table);
        Assert.Contains("ImageNet-C table", CorruptionBenchmark.Run(32, 1, CorruptionTable.ImageNet, NullProgress.Instance));
        Assert.Contains("--image-size 16", Assert.Throws<ArgumentException>(() => CorruptionBenchmark.Run(16, 1, null, NullProgress.Instance)).Message);
    }
}
