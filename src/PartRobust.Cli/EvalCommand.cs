using System.CommandLine;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>eval</c> command: clean, PGD and part metrics of a saved checkpoint.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var cmd = new Command("eval", "Evaluate a checkpoint: clean accuracy, PGD robust accuracy, and part metrics for part models.");
        var robustnessDefaults = new RobustnessConfig();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint: NAME.safetensors, NAME.json or NAME", Required = true };
        var data = new Option<string?>("--data") { Description = "Dataset folder (its test/ split, or the folder itself); default: regenerate the PartShapes test split the model was trained with" };
        var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/eval-<time>)" };
        var eps = SharedOptions.Eps("L∞ radius, e.g. 8/255 (default: the training ε)");
        var steps = new Option<int?>("--pgd-steps") { Description = "PGD steps (default: as in the run's config)" };
        var restarts = new Option<int?>("--pgd-restarts") { Description = "PGD restarts (default: as in the run's config)" };
        var paper = new Option<bool>("--paper-pgd") { Description = "The paper's PGD: 100 steps of max(0.001, ε/40), 5 restarts" };
        var points = new Option<int?>("--attack-points") { Description = "Test images attacked (default: as in the run's config)" };
        var testSize = new Option<int?>("--test-size") { Description = "Test images for clean accuracy when regenerating PartShapes (default: as trained)" };
        var device = SharedOptions.CheckpointDevice();
        var config = new Option<string?>("--config") { Description = "JSON config whose eval section, attack_points and test_size replace the checkpoint's; flags override it" };
        var aaPoints = new Option<int?>("--autoattack-points") { Description = "Test images evaluated with AutoAttack (and the adaptive attacks on part models), 0 = none (default: as in the run's config; the demo's is 8)" };
        var noMasking = SharedOptions.NoMaskingChecks();
        var robustness = new Option<string?>("--robustness") { Description = "Also run general-robustness suites: comma-separated corruptions, texture, background, or all (default none; 'partrobust robustness' has every option)" };
        var robustnessImages = new Option<int?>("--robustness-images") { Description = $"Test images the suites measure, 0 = all (default {robustnessDefaults.Images})" };
        var threads = SharedOptions.Threads();
        foreach (var opt in new Option[] { checkpoint, data, outOpt, eps, steps, restarts, paper, points, testSize, aaPoints, noMasking, robustness, robustnessImages, device, threads, config }) cmd.Options.Add(opt);
        cmd.SetAction(p =>
        {
            var request = new CheckpointEvaluationRequest
            {
                Checkpoint = p.GetValue(checkpoint)!,
                DataDir = p.GetValue(data),
                Epsilon = SharedOptions.Epsilon(p, eps),
                PgdSteps = p.GetValue(steps),
                PgdRestarts = p.GetValue(restarts),
                PaperPgd = p.GetValue(paper),
                AttackPoints = p.GetValue(points),
                TestSize = p.GetValue(testSize),
                AutoAttackPoints = p.GetValue(aaPoints),
                MaskingChecks = p.GetValue(noMasking) ? false : null,
                Device = SharedOptions.Device(p, device),
                Threads = p.GetValue(threads),
                Settings = p.GetValue(config) is { } file ? ExperimentConfig.Load(file) : null,
                Robustness = p.GetValue(robustness) is { } suites
                    ? new RobustnessConfig { Suites = suites, Images = p.GetValue(robustnessImages) ?? robustnessDefaults.Images }
                    : null,
            };
            return CheckpointRun.Run(request, p.GetValue(outOpt) ?? SharedOptions.DefaultOut("eval"), p);
        });
        return cmd;
    }
}
