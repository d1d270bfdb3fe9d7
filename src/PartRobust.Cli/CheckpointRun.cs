using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>One evaluation of a checkpoint for <c>eval</c> or <c>attack</c>, with its summary printed.</summary>
static class CheckpointRun
{
    public static int Run(CheckpointEvaluationRequest request, string outDir, ParseResult p)
    {
        Reporting.RunReport? report = null;
        int rc = ConsoleProgress.Run(sink => { report = CheckpointEvaluation.Run(request, outDir, sink, SharedOptions.CommandLine(p)); return 0; });
        RunSummary.Print(report!, outDir);
        return rc;
    }
}
