using System.CommandLine;
using System.Text.Json;
using PartRobust.Cli;

// The `partrobust` command: parses flags, calls the library, prints. Exit codes: 0 success,
// 2 bad input (one line on stderr, no stack trace), 1 internal error.
return PartRobustCli.Run(args);

namespace PartRobust.Cli
{
    /// <summary>Entry point, callable in-process by tests.</summary>
    public static class PartRobustCli
    {
        /// <summary>Runs the command line and returns the exit code.</summary>
        public static int Run(string[] args)
        {
            var root = BuildRoot();
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"partrobust: {parse.Errors[0].Message} (see 'partrobust --help')");
                return 2;
            }
            try
            {
                return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"partrobust: {FirstLine(e.Message)}");
                return 2;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("PARTROBUST_DEBUG") != "1")
            {
                Console.Error.WriteLine($"partrobust: internal error: {FirstLine(e.Message)} ({e.GetType().Name}; set PARTROBUST_DEBUG=1 for details)");
                return 1;
            }
        }

        static bool IsUserError(Exception e) => e is ArgumentException or FormatException or FileNotFoundException
            or DirectoryNotFoundException or InvalidDataException or JsonException or UnauthorizedAccessException;

        static string FirstLine(string s) => s.Split('\n')[0].Trim();

        /// <summary>The <c>partrobust</c> command with every subcommand.</summary>
        internal static Command BuildRoot()
        {
            // A named root (rather than RootCommand, which takes the assembly's name) so help says `partrobust`.
            var root = new Command("partrobust", "PartRobust: part-based models for adversarial robustness (Sitawarin et al., ICLR 2023) on TorchSharp.");
            root.Options.Add(new System.CommandLine.Help.HelpOption());
            root.Options.Add(new VersionOption());
            root.Subcommands.Add(DemoCommand.Create());
            root.Subcommands.Add(TrainCommand.Create());
            root.Subcommands.Add(StudyCommand.Create());
            root.Subcommands.Add(EvalCommand.Create());
            root.Subcommands.Add(AttackCommand.Create());
            root.Subcommands.Add(DataCommands.Create());
            root.Subcommands.Add(RobustnessCommand.Create());
            root.Subcommands.Add(CorruptCommand.Create());
            root.Subcommands.Add(BenchCommand.Create());
            root.Subcommands.Add(ModelsCommand.Create());
            root.Subcommands.Add(InteropCommands.Import());
            root.Subcommands.Add(InteropCommands.Export());
            return root;
        }
    }
}
