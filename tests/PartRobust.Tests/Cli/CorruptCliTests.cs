using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Cli;

[Collection("console")]
public sealed class CorruptCliTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    public CorruptCliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Registry_lists_the_15_benchmark_corruptions_and_the_extras_by_name()
    {
        Assert.Equal(15, CorruptionRegistry.Benchmark.Length);
        Assert.Equal(CorruptionRegistry.Benchmark.Concat(CorruptionRegistry.Extras), CorruptionRegistry.All.Select(c => c.Name));
        Assert.Equal("fog", CorruptionRegistry.Get("fog").Name);
        Assert.Contains("gaussian_noise", Assert.Throws<ArgumentException>(() => CorruptionRegistry.Get("rain")).Message);
    }

    [Fact]
    public void Corrupt_writes_a_png_of_the_same_size_that_differs_from_the_input_and_is_deterministic()
    {
        var (rgb, _) = PreparedFixture.Pixels(40, 30, 1);
        string input = Path.Combine(_root, "in.jpg"), a = Path.Combine(_root, "a.png"), b = Path.Combine(_root, "b.png");
        File.WriteAllBytes(input, ImageIO.EncodeRgbJpeg(rgb, 40, 30, 95));
        var r = CliRunner.Run("corrupt", input, "--corruption", "gaussian_noise", "--severity", "4", "--out", a, "--seed", "7");
        Assert.True(r.Code == 0, r.Err);
        CliRunner.Run("corrupt", input, "--corruption", "gaussian_noise", "--severity", "4", "--out", b, "--seed", "7");
        var (outA, w, h) = ImageIO.DecodeRgb(File.ReadAllBytes(a));
        Assert.Equal((40, 30), (w, h));
        Assert.Equal(outA, ImageIO.DecodeRgb(File.ReadAllBytes(b)).Planar);
        Assert.NotEqual(ImageIO.DecodeRgb(File.ReadAllBytes(input)).Planar, outA);
    }

    [Fact]
    public void Bad_arguments_are_one_line_errors_and_write_nothing()
    {
        string input = Path.Combine(_root, "in.png"), output = Path.Combine(_root, "out.png");
        File.WriteAllBytes(input, ImageIO.EncodeRgbPng(new byte[3 * 8 * 8], 8, 8));
        foreach (var (args, text) in new (string[], string)[]
                 {
                     (["corrupt", input, "--corruption", "rain", "--out", output], "--corruption rain"),
                     (["corrupt", input, "--corruption", "fog", "--severity", "6", "--out", output], "--severity 6"),
                     (["corrupt", input + ".missing", "--corruption", "fog", "--out", output], ".missing"),
                     (["corrupt", input, "--corruption", "fog", "--table", "mnist", "--out", output], "--table mnist"),
                 })
        {
            var r = CliRunner.Run(args);
            Assert.Equal(2, r.Code);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.Contains(text, r.Err);
        }
        File.WriteAllBytes(input, [1, 2, 3]);
        var bad = CliRunner.Run("corrupt", input, "--corruption", "fog", "--out", output);
        Assert.Equal(2, bad.Code);
        Assert.Contains("not a readable PNG or JPEG", bad.Err);
        Assert.False(File.Exists(output));
    }
}
