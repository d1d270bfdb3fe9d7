using System.CommandLine;
using PartRobust.Attacks;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The flags several commands share, declared once, and the parsing of their values.</summary>
static class SharedOptions
{
    static readonly ExperimentConfig D = new();

    /// <summary>The <c>--preset</c> flag (the PartShapes regime), shared by train/demo/study and data generate.</summary>
    public static Option<string?> Preset(ExperimentConfig defaults) => new("--preset")
    {
        Description = $"PartShapes regime: {defaults.PartShapes.Preset} (default; calibrated so a standard-trained ResNet is texture- and background-biased, docs/calibration.md) or easy (the earlier generator)",
    };

    /// <summary>The <c>--no-masking-checks</c> flag, shared by train/demo/study, eval and attack.</summary>
    public static Option<bool> NoMaskingChecks() => new("--no-masking-checks")
    {
        Description = "Skip the gradient-masking checks that run before AutoAttack (AutoAttack's own checks on its stages cost nothing and always run)",
    };

    /// <summary>The <c>--threads</c> flag, shared by train/demo/study, eval and attack.</summary>
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "Torch intra-op threads (default: all cores; give each of several concurrent runs its share)",
    };

    /// <summary>The <c>--device</c> flag of the commands that load checkpoints (eval, attack, robustness).</summary>
    public static Option<string?> CheckpointDevice() => new("--device") { Description = $"Torch device (default {D.Device})" };

    /// <summary>The device <see cref="CheckpointDevice"/> names.</summary>
    public static string Device(ParseResult p, Option<string?> device) => p.GetValue(device) ?? D.Device;

    /// <summary>An <c>--eps</c> flag; the commands word its default differently.</summary>
    public static Option<string?> Eps(string description) => new("--eps") { Description = description };

    /// <summary>The radius an <c>--eps</c> flag gives, e.g. 8/255; null when it was not given.</summary>
    public static double? Epsilon(ParseResult p, Option<string?> eps) => p.GetValue(eps) is { } text ? ParseEps(text) : null;

    /// <summary>An <c>--eps</c> value, e.g. 8/255 or 0.03.</summary>
    public static double ParseEps(string text)
    {
        try { return ThreatModel.ParseEpsilon(text); }
        catch (FormatException ex) { throw new ArgumentException($"--eps {ex.Message}"); }
    }

    /// <summary>A comma-separated list flag's items.</summary>
    public static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The run folder of a command given no <c>--out</c>: runs/COMMAND-TIME.</summary>
    public static string DefaultOut(string command) => Path.Combine("runs", $"{command}-{DateTime.Now:yyyyMMdd-HHmmss}");

    /// <summary>The command line as a run's report records it (tokens with spaces quoted).</summary>
    public static string CommandLine(ParseResult p) => "partrobust " + string.Join(' ', p.Tokens.Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));
}
