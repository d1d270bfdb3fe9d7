namespace PartRobust.Attacks;

/// <summary>How far an attack is inside one call of <see cref="IAttack.Perturb"/>.</summary>
/// <param name="Fraction">Share of the call's work done, in [0,1] (restarts or targets that end early make it jump).</param>
/// <param name="Detail">What it is doing, e.g. "target 3/9, iteration 40/100".</param>
public readonly record struct AttackProgress(double Fraction, string Detail);

/// <summary>
/// An attack that reports its progress inside one call of <see cref="IAttack.Perturb"/>: an AutoAttack stage runs for
/// minutes on one batch, and a bar that only moves between batches looks stuck.
/// </summary>
public interface IReportsProgress : IAttack
{
    /// <summary>Called as the attack advances (from the thread running it); null = nobody listens.</summary>
    Action<AttackProgress>? Progress { get; set; }
}
