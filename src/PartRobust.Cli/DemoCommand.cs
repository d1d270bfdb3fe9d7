using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>demo</c> command: a small version of <c>study</c> with the default config.</summary>
static class DemoCommand
{
    public static Command Create()
    {
        var cmd = new Command("demo", "A small version of 'study': generate PartShapes, adversarially train the Downsampled part model and the " +
                                      "same part model without part labels (c_seg = 0), evaluate clean and PGD accuracy on every test image, compare them " +
                                      "point by point with 95% confidence intervals, and write a run folder with report.md, report.json, checkpoints and figures.");
        var defaults = new ExperimentConfig();
        var o = new ExperimentOptions(defaults);
        o.AddTo(cmd);
        var tensorBoard = new TensorBoardFlags();
        tensorBoard.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var config = o.Resolve(p, defaults);
            string outDir = p.GetValue(o.Out) ?? SharedOptions.DefaultOut("demo");
            return ExperimentRun.Run(config, outDir, SharedOptions.CommandLine(p), tensorBoard.Resolve(p));
        });
        return cmd;
    }
}
