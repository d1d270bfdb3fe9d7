namespace PartRobust.Attacks;

/// <summary>How far an attack is inside one call of <see cref="IAttack.Perturb"/>.</summary>
/// <param name="Fraction">Share of the call's work done, in [0,1] (restarts or targets that end early make it jump).</param>
/// <param name="Detail">What it is doing, e.g. "target 3/9, iteration 40/100".</param>
public readonly record struct AttackProgress(double Fraction, string Detail)
{
    /// <summary>
    /// Step <paramref name="step"/> of <paramref name="steps"/> (<paramref name="unit"/>, e.g. "iteration") in run
    /// <paramref name="run"/> of <paramref name="runs"/> (0-based; a run is one target × restart); <paramref name="where"/>
    /// names the run, e.g. "target 3/9, ".
    /// </summary>
    internal static AttackProgress At(int run, int runs, int step, int steps, string unit, string where = "") =>
        new((run + (double)step / Math.Max(1, steps)) / Math.Max(1, runs), $"{where}{unit} {step}/{steps}");

    /// <summary>"restart r/R, " when there are several restarts, else "".</summary>
    internal static string Restart(int restart, int restarts) => restarts > 1 ? $"restart {restart + 1}/{restarts}, " : "";

    /// <summary>"target t/T, " (1-based t).</summary>
    internal static string Target(int target, int targets) => $"target {target}/{targets}, ";
}

/// <summary>
/// An attack that reports its progress inside one call of <see cref="IAttack.Perturb"/>: an AutoAttack stage runs for
/// minutes on one batch, and a bar that only moves between batches looks stuck.
/// </summary>
public interface IReportsProgress : IAttack
{
    /// <summary>Called as the attack advances (from the thread running it); null = nobody listens.</summary>
    Action<AttackProgress>? Progress { get; set; }
}
