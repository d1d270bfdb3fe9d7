using System.CommandLine;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>corrupt</c> command: one common corruption applied to an image file.</summary>
static class CorruptCommand
{
    /// <summary>The severity when <c>--severity</c> is not given.</summary>
    const int DefaultSeverity = 3;

    public static Command Create()
    {
        var cmd = new Command("corrupt", "Apply one common corruption (ImageNet-C, as the imagecorruptions library) to an image file (PNG/JPEG in, PNG out).");
        var d = new RobustnessConfig();
        var input = new Argument<string>("image") { Description = "PNG or JPEG file" };
        var name = new Option<string>("--corruption") { Description = string.Join(", ", CorruptionRegistry.Benchmark.Concat(CorruptionRegistry.Extras)), Required = true };
        var severity = new Option<int?>("--severity") { Description = $"1 (mild) to 5 (harsh), default {DefaultSeverity}" };
        var outOpt = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var seed = new Option<long?>("--seed") { Description = $"Seed of the corruption's random draws (default {d.Seed})" };
        var table = new Option<string?>("--table") { Description = "Parameter table: imagenet (default) or cifar10 (for 32 px images)" };
        cmd.Arguments.Add(input);
        foreach (var opt in new Option[] { name, severity, outOpt, seed, table }) cmd.Options.Add(opt);
        cmd.SetAction(p =>
        {
            var t = CorruptionRegistry.ParseTable(p.GetValue(table) ?? "imagenet");
            var (w, h) = CorruptionRegistry.ApplyToFile(p.GetValue(input)!, p.GetValue(outOpt)!,
                p.GetValue(name)!, p.GetValue(severity) ?? DefaultSeverity, (ulong)(p.GetValue(seed) ?? d.Seed), t);
            Console.WriteLine($"wrote {p.GetValue(outOpt)} ({w}x{h}, {p.GetValue(name)}, severity {p.GetValue(severity) ?? DefaultSeverity})");
            return 0;
        });
        return cmd;
    }
}
