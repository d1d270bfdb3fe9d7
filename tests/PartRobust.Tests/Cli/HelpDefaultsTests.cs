using System.CommandLine;
using System.Text.RegularExpressions;
using PartRobust.Cli;
using PartRobust.Data;
using PartRobust.Runs;
using PartRobust.Runs.Study;
using Xunit;

namespace PartRobust.Tests.Cli;

/// <summary>Every default a flag's help states is the one the command uses, so help cannot drift from the config.</summary>
public class HelpDefaultsTests
{
    // "(default X" with X a token or a list, and "X (default)", "X = meaning (default)", "X (default; …)";
    // "(default: …)" describes a default rather than stating a value.
    static readonly Regex ValueAfter = new(@"\(default (?<v>(?:[^\s;:),]|:(?=\S))+(?:,(?:[^\s;:),]|:(?=\S))+)*)");
    static readonly Regex ValueBefore = new(@"(?<!\S)(?<v>[\w./:,-]+)(?: = \S+)? \(default[;)]");

    /// <summary>The value the description states as the default, or null when it states none.</summary>
    static string? StatedDefault(Option option)
    {
        var matches = new[] { ValueAfter.Match(option.Description ?? ""), ValueBefore.Match(option.Description ?? "") }.Where(m => m.Success).ToList();
        return matches.Count == 0 ? null : matches.MinBy(m => m.Index)!.Groups["v"].Value;
    }

    // Defaults that are no single value: a new run folder's name, and the width, which depends on the image size
    // (ExperimentConfig.EffectiveWidth; checked separately).
    static readonly HashSet<string> DependentDefaults = ["--out", "--width"];

    static readonly string[] ExperimentCommandNames = ["demo", "train", "study"];

    public static TheoryData<string> ExperimentCommands => new(ExperimentCommandNames);

    /// <summary>
    /// Giving a flag the value its help states as the default must leave the resolved config as it is without the flag:
    /// a default that drifted from the config changes it.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExperimentCommands))]
    public void An_experiment_flag_given_its_stated_default_changes_nothing(string name)
    {
        var (command, resolve) = ExperimentCommand(name);
        string unchanged = resolve(command.Parse([]));
        var checkedFlags = new List<string>();
        foreach (var option in command.Options.Where(o => !DependentDefaults.Contains(o.Name)))
        {
            if (StatedDefault(option) is not { } value) continue;
            var parse = command.Parse([option.Name, value]);
            Assert.Empty(parse.Errors);
            Assert.True(unchanged == resolve(parse), $"{name} {option.Name}: the help says default {value}, but giving it changes the config");
            checkedFlags.Add(option.Name);
        }
        Assert.Contains("--seg-weight", checkedFlags);
        Assert.Contains("--eps", checkedFlags);
        Assert.Contains("--models", checkedFlags);
        if (name == "study") Assert.Contains("--train-sizes", checkedFlags);
    }

    [Fact]
    public void The_width_default_is_the_configs_at_small_and_large_images()
    {
        var d = new ExperimentConfig();
        var width = ExperimentCommand("train").Command.Options.Single(o => o.Name == "--width");
        Assert.Contains($"(default {d.EffectiveWidth} up to 64 px, {(d with { ImageSize = 224 }).EffectiveWidth} above)", width.Description);
    }

    /// <summary>The command with the experiment flags and its resolution as JSON (what the run would be given).</summary>
    static (Command Command, Func<ParseResult, string> Resolve) ExperimentCommand(string name)
    {
        var command = new Command(name);
        if (name == "study")
        {
            var study = new StudyOptions();
            study.AddTo(command);
            return (command, p => AsRun(study.Resolve(p)).ToJson());
        }
        var experiment = new ExperimentOptions(new ExperimentConfig());
        experiment.AddTo(command);
        return (command, p => experiment.Resolve(p, new ExperimentConfig()).ToJson());
    }

    /// <summary>A study as its main runs see it: StudyRunner gives them the study's AutoAttack points and robustness images.</summary>
    static StudyConfig AsRun(StudyConfig s) => s with
    {
        Experiment = s.Experiment with
        {
            Eval = s.Experiment.Eval with { AutoAttackPoints = s.AutoAttackPoints },
            Robustness = s.Experiment.Robustness with { Images = s.RobustnessImages },
        },
    };

    /// <summary>The defaults the other commands state, from the config records and settings they use.</summary>
    static Dictionary<string, object> OtherCommandDefaults()
    {
        var experiment = new ExperimentConfig();
        var robustness = new RobustnessConfig();
        var bench = new BenchmarkRequest { Models = experiment.Models };
        return new()
        {
            ["eval --robustness"] = "none", // no RobustnessConfig in the request: no suite runs
            ["eval --robustness-images"] = robustness.Images,
            ["eval --device"] = experiment.Device,
            ["attack --device"] = experiment.Device,
            ["robustness --suite"] = robustness.Suites,
            ["robustness --severities"] = robustness.Severities,
            ["robustness --images"] = 0, // this command measures every test image
            ["robustness --corruptions"] = "all", // null: all 19
            ["robustness --seed"] = robustness.Seed,
            ["robustness --batch-size"] = robustness.BatchSize,
            ["robustness --device"] = experiment.Device,
            ["corrupt --seed"] = robustness.Seed,
            ["corrupt --table"] = "imagenet",
            ["bench --models"] = string.Join(",", experiment.Models),
            ["bench --num-classes"] = bench.NumClasses,
            ["bench --iterations"] = bench.Iterations,
            ["bench --images"] = new LoaderBenchmarkRequest().Images,
            ["generate --preset"] = experiment.PartShapes.Preset,
            ["generate --classes"] = "all", // null: all 11
            ["models --num-classes"] = PartImageNetTaxonomy.ClassNames.Count, // the demo's: all 11
            ["models --image-size"] = experiment.ImageSize,
            ["models --width"] = experiment.EffectiveWidth,
            ["models --segmenter"] = experiment.Segmenter,
            ["import --segmenter"] = "deeplabv3plus-resnet50",
            ["import --image-size"] = 224,
            ["import --width"] = 64,
        };
    }

    /// <summary>
    /// Every other command's stated default is either the option's own default value or listed above with the setting it
    /// comes from; a new stated default must be added there.
    /// </summary>
    [Fact]
    public void Every_other_stated_default_is_the_commands_setting()
    {
        var expected = OtherCommandDefaults();
        var seen = new List<string>();
        foreach (var command in Commands(PartRobustCli.BuildRoot()).Where(c => !ExperimentCommandNames.Contains(c.Name)))
            foreach (var option in command.Options.Where(o => o.Name != "--out"))
            {
                if (StatedDefault(option) is not { } value) continue;
                string key = $"{command.Name} {option.Name}";
                object? want = option.HasDefaultValue ? option.GetDefaultValue() : expected.GetValueOrDefault(key);
                Assert.True(want is not null, $"{key}: the help states default {value}; check it here against the setting it comes from");
                Assert.True(Convert.ToString(want, System.Globalization.CultureInfo.CurrentCulture) == value, $"{key}: the help says default {value}, the command uses {want}");
                seen.Add(key);
            }
        var stale = expected.Keys.Except(seen).ToList();
        Assert.True(stale.Count == 0, $"listed above but no longer stated in the help: {string.Join(", ", stale)}");
    }

    static IEnumerable<Command> Commands(Command root) => root.Subcommands.SelectMany(c => Commands(c).Prepend(c));
}
