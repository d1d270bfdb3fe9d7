using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>One experiment run of <c>demo</c> or <c>train</c>, with its summary printed.</summary>
static class ExperimentRun
{
    public static int Run(ExperimentConfig config, string outDir, string commandLine, TensorBoardOptions tensorBoard, bool resume = false)
    {
        config.Validate();
        var report = default(Reporting.RunReport);
        int rc = ConsoleProgress.Run(sink =>
        {
            report = ExperimentRunner.Run(config, outDir, sink, commandLine, resume, tensorBoard);
            return 0;
        });
        RunSummary.Print(report!, outDir);
        return rc;
    }
}
