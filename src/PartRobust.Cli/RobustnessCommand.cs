using System.CommandLine;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>robustness</c> command: the paper's general-robustness table for saved checkpoints.</summary>
static class RobustnessCommand
{
    public static Command Create()
    {
        var cmd = new Command("robustness", "General robustness of saved checkpoints, as the paper's second table: accuracy under 19 common corruptions × 5 severities " +
                                            "(with mCE relative to a baseline), shape bias on cue-conflict images, and accuracy on ImageNet-9-style background variants.");
        // The suite's settings, except that this command measures every test image.
        var d = new RobustnessConfig { Images = 0 };
        var checkpoint = new Option<string[]>("--checkpoint") { Description = "Checkpoint (NAME.safetensors, NAME.json or NAME) or a run folder (all its checkpoints); repeat to compare models", Required = true, AllowMultipleArgumentsPerToken = true };
        var data = new Option<string?>("--data") { Description = "Dataset folder (its test/ split); default: regenerate the PartShapes test split the models were trained with" };
        var testSize = new Option<int?>("--test-size") { Description = "Test images loaded (default: as trained for PartShapes, all for a folder)" };
        var suite = new Option<string?>("--suite") { Description = $"Comma-separated: corruptions, texture, background (default {d.Suites})" };
        var severities = new Option<string?>("--severities") { Description = $"Corruption severities, e.g. {d.Severities} (default), 3 or 1,3,5" };
        var images = new Option<int?>("--images") { Description = $"Test images each suite measures (the first ones), {d.Images} = all (default)" };
        var table = new Option<string?>("--table") { Description = "Corruption parameters: imagenet (ImageNet-C) or cifar10 (CIFAR-10-C); default cifar10 for images of at most 32 px, imagenet above" };
        var corruptions = new Option<string?>("--corruptions") { Description = "Comma-separated corruption names (default all 19: " + string.Join(", ", CorruptionRegistry.Benchmark.Concat(CorruptionRegistry.Extras)) + ")" };
        var seed = new Option<long?>("--seed") { Description = $"Seed of the corruptions and donor choices (default {d.Seed})" };
        var baseline = new Option<string?>("--baseline") { Description = "Model (registry name) the corruption errors are relative to; default the first non-part model; none = no mCE" };
        var batch = new Option<int?>("--batch-size") { Description = $"Images per forward pass of the suites (default {d.BatchSize})" };
        var device = SharedOptions.CheckpointDevice();
        var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/robustness-<time>)" };
        foreach (var opt in new Option[] { checkpoint, data, testSize, suite, severities, images, table, corruptions, seed, baseline, batch, device, outOpt }) cmd.Options.Add(opt);
        cmd.SetAction(p =>
        {
            var request = new RobustnessEvaluationRequest
            {
                Checkpoints = p.GetValue(checkpoint)!,
                DataDir = p.GetValue(data),
                TestSize = p.GetValue(testSize),
                Robustness = d with
                {
                    Suites = p.GetValue(suite) ?? d.Suites,
                    Severities = p.GetValue(severities) ?? d.Severities,
                    Images = p.GetValue(images) ?? d.Images,
                    Table = p.GetValue(table),
                    Corruptions = p.GetValue(corruptions)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    Seed = p.GetValue(seed) ?? d.Seed,
                    Baseline = p.GetValue(baseline),
                    BatchSize = p.GetValue(batch) ?? d.BatchSize,
                },
                Device = SharedOptions.Device(p, device),
            };
            return Run(request, p.GetValue(outOpt) ?? SharedOptions.DefaultOut("robustness"), p);
        });
        return cmd;
    }

    static int Run(RobustnessEvaluationRequest request, string outDir, ParseResult p)
    {
        Reporting.RunReport? report = null;
        int rc = ConsoleProgress.Run(sink => { report = RobustnessEvaluation.Run(request, outDir, sink, SharedOptions.CommandLine(p)); return 0; });
        if (report is not null)
        {
            RunSummary.PrintRobustnessTable(report);
            RunSummary.PrintFooter(report, outDir);
        }
        return rc;
    }
}
