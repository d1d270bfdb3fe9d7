using System.CommandLine;
using System.Text.Json;
using PartRobust.Cli;
using PartRobust.Distributed;

// The `partrobust` command: parses flags, calls the library, prints. Exit codes: 0 success,
// 2 bad input (one line on stderr, no stack trace), 1 internal error.
return PartRobustCli.RunJob(args);

namespace PartRobust.Cli
{
    /// <summary>Entry point, callable in-process by tests.</summary>
    public static class PartRobustCli
    {
        /// <summary>
        /// The process entry: joins the MPI job when an MPI launcher started this process (<see cref="World.Start"/>), runs
        /// the command line, and ends the job. Under MPI a failing rank aborts the whole job (the others would wait in a
        /// collective for ever), so no rank can finish a run the failed rank was part of.
        /// </summary>
        public static int RunJob(string[] args)
        {
            try { World.Start(); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
            {
                Console.Error.WriteLine($"partrobust: MPI: {FirstLine(e.Message)}");
                return 2;
            }
            if (!World.IsDistributed) return Run(args);
            var job = World.Current;
            RankConsole.Configure(job, verbose: args.Contains(VerboseFlag));
            int rc = Run(args);
            if (rc != 0)
            {
                // Let rank 0 report a failure every rank meets (a bad flag) before another rank's abort cuts it short.
                if (!World.IsRoot) Thread.Sleep(TimeSpan.FromSeconds(2));
                job.Abort(rc);
            }
            World.Finish();
            return 0;
        }

        /// <summary>The flag that lets every rank of an MPI job print, not only rank 0.</summary>
        internal const string VerboseFlag = "--verbose";

        /// <summary>Runs the command line and returns the exit code.</summary>
        public static int Run(string[] args)
        {
            var root = BuildRoot();
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"partrobust: {RankConsole.Prefix}{parse.Errors[0].Message} (see 'partrobust --help')");
                return 2;
            }
            try
            {
                return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"partrobust: {RankConsole.Prefix}{FirstLine(e.Message)}");
                return 2;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("PARTROBUST_DEBUG") != "1")
            {
                Console.Error.WriteLine($"partrobust: {RankConsole.Prefix}internal error: {FirstLine(e.Message)} ({e.GetType().Name}; set PARTROBUST_DEBUG=1 for details)");
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
            root.Options.Add(new Option<bool>(VerboseFlag)
            {
                Description = "Under MPI (mpirun/srun): every rank prints its log, prefixed with its rank (default: rank 0 only)",
                Recursive = true,
            });
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
