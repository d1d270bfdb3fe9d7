using System.Text;
using static PartRobust.Reporting.ReportFormat;

namespace PartRobust.Reporting;

/// <summary>The closing "Reproduction" section of report.md: the command that reruns the run and what makes it deterministic.</summary>
internal static class ReproductionSection
{
    /// <summary>Appends the section.</summary>
    internal static void Append(StringBuilder sb, RunEnvironment env, string command)
    {
        sb.Append("## Reproduction\n\n");
        sb.Append("The resolved configuration of this run is saved as `config.json` in the run folder. To reproduce the run:\n\n");
        sb.Append("```sh\n").Append(command).Append("\n```\n\n");
        sb.Append(Inv, $"Seeds are recorded above; on CPU, results are deterministic for the same thread count ({env.TorchThreads} torch threads here).\n");
    }
}
