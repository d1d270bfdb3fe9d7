using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>
/// A flag of the experiment commands declared together with the config setting it writes: its option (whose stated
/// default is read from the config, see <see cref="ExperimentOptions"/>) and how a given value sets the config.
/// </summary>
sealed class ConfigFlag
{
    readonly Func<ParseResult, ExperimentConfig, ExperimentConfig> apply;

    ConfigFlag(Option option, Func<ParseResult, ExperimentConfig, ExperimentConfig> apply)
    {
        Option = option;
        this.apply = apply;
    }

    /// <summary>The option as the command line shows it.</summary>
    public Option Option { get; }

    /// <summary>The config with this flag's value written into it, or unchanged when the flag was not given.</summary>
    public ExperimentConfig Apply(ParseResult p, ExperimentConfig config) => apply(p, config);

    /// <summary>A flag taking a number.</summary>
    public static ConfigFlag Value<T>(Option<T?> option, Func<ExperimentConfig, T, ExperimentConfig> set) where T : struct =>
        new(option, (p, c) => p.GetValue(option) is { } v ? set(c, v) : c);

    /// <summary>A flag taking text.</summary>
    public static ConfigFlag Text(Option<string?> option, Func<ExperimentConfig, string, ExperimentConfig> set) =>
        new(option, (p, c) => p.GetValue(option) is { } v ? set(c, v) : c);

    /// <summary>A flag without a value that changes the config when present.</summary>
    public static ConfigFlag Switch(Option<bool> option, Func<ExperimentConfig, ExperimentConfig> set) =>
        new(option, (p, c) => p.GetValue(option) ? set(c) : c);
}
