using System.CommandLine;
using PartRobust.Attacks;
using PartRobust.Runs;

namespace PartRobust.Cli;

/// <summary>The <c>attack</c> command: named attacks on a saved checkpoint.</summary>
static class AttackCommand
{
    /// <summary>Adversarial examples drawn when <c>--save-examples</c> is not given.</summary>
    const int DefaultExamples = 8;

    public static Command Create()
    {
        var cmd = new Command("attack", "Attack a checkpoint with named attacks (comma-separated; '+' runs attacks in sequence on the points still robust) " +
                                        "and write a run folder with the robust accuracies. Attacks: " + string.Join(", ", AttackRegistry.Names) + ".");
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint: NAME.safetensors, NAME.json or NAME", Required = true };
        var attack = new Option<string>("--attack") { Description = "Attacks, e.g. pgd or pgd-10,pgd (default pgd: the paper's 100 steps × 5 restarts)", DefaultValueFactory = _ => "pgd" };
        var eps = SharedOptions.Eps("Radius, e.g. 8/255 (default: the training ε)");
        var norm = new Option<string>("--norm") { Description = "linf (default) or l2", DefaultValueFactory = _ => "linf" };
        var n = new Option<int?>("--n") { Description = "Test points attacked (default: the run's attack_points)" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (default: regenerate the PartShapes test split)" };
        var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/attack-<time>)" };
        var device = SharedOptions.CheckpointDevice();
        var masking = new Option<bool>("--masking-checks") { Description = "First run the gradient-masking checks (randomness, dynamic forward, probability outputs, zero gradients, Square vs PGD, ε sweep, more steps) on up to 64 points; the default with aa, aa-plus or aa-rand. AutoAttack's own checks (Square after the white-box stages, zero DLR gradients) always run" };
        var noMasking = SharedOptions.NoMaskingChecks();
        var noAdaptive = new Option<bool>("--no-adaptive") { Description = "Do not add the adaptive attacks (seg-sum, seg-guided, seg-inverse) to AutoAttack on a part model" };
        var batch = new Option<int?>("--batch-size") { Description = $"Points per attack batch (default: the run's eval batch size, {new EvalOptions().BatchSize}; AutoAttack's reference uses 250)" };
        var examples = new Option<int>("--save-examples") { Description = $"Draw the first N attacked points of the last attack listed (clean, adversarial, perturbation, part masks) as adversarial_NAME.png and save them as adversarial_NAME.safetensors; 0 = off (default {DefaultExamples})", DefaultValueFactory = _ => DefaultExamples };
        var threads = SharedOptions.Threads();
        foreach (var opt in new Option[] { checkpoint, attack, eps, norm, n, data, outOpt, device, threads, masking, noMasking, noAdaptive, batch, examples }) cmd.Options.Add(opt);
        cmd.SetAction(p =>
        {
            var normValue = ParseNorm(p.GetValue(norm));
            var request = new CheckpointEvaluationRequest
            {
                Checkpoint = p.GetValue(checkpoint)!,
                DataDir = p.GetValue(data),
                Epsilon = SharedOptions.Epsilon(p, eps),
                AttackPoints = p.GetValue(n) is { } count && count < 0
                    ? throw new ArgumentException($"--n {count}: expected a number of test points ≥ 0")
                    : p.GetValue(n),
                Device = SharedOptions.Device(p, device),
                Threads = p.GetValue(threads),
                Attacks = SharedOptions.Split(p.GetValue(attack)!),
                Norm = normValue,
                MaskingChecks = p.GetValue(masking) ? true : p.GetValue(noMasking) ? false : null,
                Adaptive = !p.GetValue(noAdaptive),
                BatchSize = p.GetValue(batch),
                SaveExamples = p.GetValue(examples),
            };
            return CheckpointRun.Run(request, p.GetValue(outOpt) ?? SharedOptions.DefaultOut("attack"), p);
        });
        return cmd;
    }

    static Norm ParseNorm(string? name) => name switch
    {
        "linf" => Norm.Linf,
        "l2" => Norm.L2,
        var other => throw new ArgumentException($"--norm {other}: expected linf or l2"),
    };
}
