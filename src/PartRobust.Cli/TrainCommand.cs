using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>train</c> command: train and evaluate chosen models, or resume an interrupted run.</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var cmd = new Command("train", "Train and evaluate one or more models (--models) with the two-stage recipe; writes a run folder like demo.");
        var defaults = new ExperimentConfig();
        var o = new ExperimentOptions(defaults);
        o.AddTo(cmd);
        var tensorBoard = new TensorBoardFlags();
        tensorBoard.AddTo(cmd);
        var model = new Option<string?>("--model") { Description = "One model to train (shorthand for --models NAME)" };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the interrupted run whose --out was DIR (killed, or failed after training started; its work is in .DIR.partial) " +
                          "with its config.json: finished models are not retrained, the interrupted one continues from its last saved state",
            HelpName = "DIR",
        };
        cmd.Options.Add(model);
        cmd.Options.Add(resume);
        cmd.SetAction(p =>
        {
            if (p.GetValue(resume) is { } runDir) return Resume(p, o, model, runDir, tensorBoard.Resolve(p));
            var config = o.Resolve(p, defaults);
            if (p.GetValue(model) is { } m) config = config with { Models = new[] { m } };
            string outDir = p.GetValue(o.Out) ?? SharedOptions.DefaultOut("train");
            return ExperimentRun.Run(config, outDir, SharedOptions.CommandLine(p), tensorBoard.Resolve(p));
        });
        return cmd;
    }

    /// <summary>Continues the run in <paramref name="runDir"/> with its saved config; flags may only restate it.</summary>
    static int Resume(ParseResult p, ExperimentOptions o, Option<string?> model, string runDir, TensorBoardOptions tensorBoard)
    {
        if (p.GetValue(o.Out) is { } other && Path.GetFullPath(other).TrimEnd('/') != Path.GetFullPath(runDir).TrimEnd('/'))
            throw new ArgumentException($"--resume {runDir} continues the run in {runDir}; leave out --out");
        var saved = ResumeConfig.Load(runDir);
        var requested = o.Resolve(p, saved);
        if (p.GetValue(model) is { } rm) requested = requested with { Models = new[] { rm } };
        ResumeConfig.CheckSame(saved, requested, runDir);
        return ExperimentRun.Run(saved, runDir, SharedOptions.CommandLine(p), tensorBoard, resume: true);
    }
}
