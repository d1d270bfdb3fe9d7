using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The "Adversarial examples" section of report.md: each model's <see cref="AdversarialExamplesFigure"/> and its exact tensors.</summary>
internal static class AdversarialExamplesSection
{
    /// <summary>Appends the section when any model has a figure; otherwise nothing.</summary>
    /// <param name="sb">The report text.</param>
    /// <param name="root">Full path of the run folder.</param>
    /// <param name="models">Model results.</param>
    internal static void Append(StringBuilder sb, string root, IReadOnlyList<ModelResult> models)
    {
        var drawn = models.Where(m => !string.IsNullOrEmpty(m.AdversarialExamplesFigure)).ToList();
        if (drawn.Count == 0) return;
        sb.Append("## Adversarial examples\n\n");
        sb.Append("The first attacked points of each model, from the same run that gave the robust accuracy above (no attack was rerun to draw them): "
            + "the clean image with its true class and the model's prediction, the adversarial image with the prediction on it "
            + "(green if still correct, red if fooled), the perturbation magnified to the full range with its L∞ and L2 norms, "
            + "and for part models the predicted part masks on the clean and on the adversarial image.\n\n");
        foreach (ModelResult m in drawn)
        {
            string attack = string.IsNullOrEmpty(m.AdversarialExamplesAttack) ? "" : $" under {m.AdversarialExamplesAttack}";
            sb.Append(Inv, $"![adversarial examples: {Cell(m.DisplayName)}{Cell(attack)}]({Link(root, m.AdversarialExamplesFigure!)})\n\n");
            if (!string.IsNullOrEmpty(m.AdversarialExamplesTensors))
                sb.Append(Inv, $"Exact tensors: [`{Cell(m.AdversarialExamplesTensors)}`]({Link(root, m.AdversarialExamplesTensors)}) (safetensors).\n\n");
        }
    }
}
