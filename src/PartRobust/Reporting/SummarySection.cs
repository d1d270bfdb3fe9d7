using System.Text;
using PartRobust.Training;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The title and the opening paragraph of report.md: what was trained or loaded, on what data, how it was attacked, and on what machine.</summary>
internal static class SummarySection
{
    /// <summary>Appends the title and the summary paragraph.</summary>
    internal static void Append(StringBuilder sb, RunReport report)
    {
        RunSettings s = report.Settings;
        sb.Append(Inv, $"# PartRobust run report — {s.Dataset}\n\n");
        AppendModelsAndData(sb, report);
        AppendTraining(sb, report);
        AppendEvaluation(sb, report);
        RunEnvironment env = report.Environment;
        sb.Append(Inv, $"The run took {Duration(env.TotalSeconds)} on {env.Cores} logical cores ({env.Device}, {env.TorchThreads} torch threads, {env.Os}), started {env.StartedUtc}, PartRobust {env.Version}.\n\n");
    }

    /// <summary>Runs of <c>eval</c>/<c>attack</c> load checkpoints: nothing was trained in them (train time 0 for every model).</summary>
    private static bool TrainedHere(RunReport report) => report.Models.Count == 0 || report.Models.Any(m => m.TrainSeconds > 0);

    private static void AppendModelsAndData(StringBuilder sb, RunReport report)
    {
        RunSettings s = report.Settings;
        string modelList = report.Models.Count == 0 ? "no models" : JoinAnd(report.Models.Select(m => $"{m.DisplayName} (`{m.Name}`)"));
        string plural = report.Models.Count == 1 ? "" : "s";
        if (TrainedHere(report)) sb.Append(Inv, $"This run trained and evaluated {report.Models.Count} model{plural} — {modelList} — ");
        else sb.Append(Inv, $"This run evaluated {report.Models.Count} saved checkpoint{plural} — {modelList} — ");
        sb.Append(Inv, $"on **{s.Dataset}** ({s.ImageSize}×{s.ImageSize} images, {s.NumClasses} classes; {s.TrainSize} train / {s.ValSize} val / {s.TestSize} test images). ");
    }

    private static void AppendTraining(StringBuilder sb, RunReport report)
    {
        RunSettings s = report.Settings;
        string who = TrainedHere(report) ? "Each model was" : "The checkpoint" + (report.Models.Count == 1 ? " was" : "s were");
        sb.Append(Inv, $"{who} trained for {s.CleanEpochs} clean epoch{(s.CleanEpochs == 1 ? "" : "s")} followed by {s.AdvEpochs} epoch{(s.AdvEpochs == 1 ? "" : "s")} of {SettingsSection.AdvRecipe(s)} adversarial training ");
        string trainAttack = s.AdvTrain == AdversarialRecipe.Trades
            ? $"the KL-maximising attack, {s.TrainAttackSteps} step{(s.TrainAttackSteps == 1 ? "" : "s")} of 1.25ε/steps from a random start"
            : s.TrainAttackSteps == 1 ? "1 step of 1.25ε from a random start, i.e. FGSM-RS" : $"{s.TrainAttackSteps} steps";
        sb.Append(Inv, $"(L∞, ε = {s.EpsilonText}, {trainAttack}; segmentation-loss weight {Num(s.SegWeight)}). ");
    }

    private static void AppendEvaluation(StringBuilder sb, RunReport report)
    {
        RunSettings s = report.Settings;
        var attacks = ReportWriter.OrderAttacks(report.Models.SelectMany(m => m.RobustAccuracy.Keys));
        string attackList = s.EvalAttacks.Count == 0
            ? string.Join(", ", attacks)
            : string.Join("; ", s.EvalAttacks.Select(kv => $"{kv.Key} ({kv.Value})"));
        if (s.AttackPoints == 0 || attacks.Count == 0) sb.Append(Inv, $"Clean accuracy is measured on the {s.TestSize} test images; no attack was run. ");
        else sb.Append(Inv, $"Clean accuracy is measured on the {s.TestSize} test images and robust accuracy on the first {s.AttackPoints} of them under {(attackList.Length == 0 ? "no attacks" : attackList)}. ");
        if (s.GeneralRobustness is { } gr)
            sb.Append(Inv, $"The general-robustness suite ({string.Join(", ", gr.Suites)}) ran on the first {gr.Images} test images (see [General robustness](#general-robustness)). ");
    }
}
