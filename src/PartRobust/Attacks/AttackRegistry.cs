namespace PartRobust.Attacks;

/// <summary>Builds evaluation attacks by name with the reference defaults, like the model registry.</summary>
public static class AttackRegistry
{
    sealed record Entry(string Description, Func<ThreatModel, int, long, IAttack> Factory);

    static readonly (string Name, Entry Entry)[] Entries =
    {
        ("pgd", new("PGD, the paper's protocol: 100 steps of max(0.001, ε/40), 5 restarts",
            (t, c, seed) => new PgdAttack(t.Epsilon, 100, t.Norm == Norm.Linf ? Math.Max(0.001, t.Epsilon / 40) : t.Epsilon / 40, 5, t.Norm, seed: seed, name: "pgd"))),
        ("pgd-10", new("PGD, 10 steps of 2.5ε/10, 1 restart", (t, c, seed) => new PgdAttack(t.Epsilon, 10, null, 1, t.Norm, seed: seed, name: "pgd-10"))),
        ("apgd-ce", new("APGD-CE, 100 iterations, 1 restart (AutoAttack's defaults)",
            (t, c, seed) => new ApgdAttack(t.Epsilon, t.Norm, "ce", seed: seed))),
        ("apgd-dlr", new("APGD-DLR, 100 iterations, 1 restart (needs ≥ 3 classes)",
            (t, c, seed) => new ApgdAttack(t.Epsilon, t.Norm, "dlr", seed: seed))),
        ("apgd-t", new("APGD-T, targeted DLR on the top-9 other classes (capped at C−1), 100 iterations (needs ≥ 4 classes)",
            (t, c, seed) => new ApgdTargetedAttack(t.Epsilon, t.Norm, targetClasses: Math.Min(9, Math.Max(1, c - 1)), seed: seed))),
        ("fab", new("FAB, untargeted minimal-norm attack, 100 iterations, 1 restart, α_max 0.1, η 1.05, β 0.9",
            (t, c, seed) => new FabAttack(t.Epsilon, t.Norm, seed: seed))),
        ("fab-t", new("FAB-T, FAB targeted at the top-9 other classes (capped at C−1), 100 iterations, 1 restart (AutoAttack's defaults)",
            (t, c, seed) => new FabAttack(t.Epsilon, t.Norm, targeted: true, targetClasses: Math.Min(9, Math.Max(1, c - 1)), seed: seed))),
        ("square", new("Square, 5000 queries, p_init 0.8, margin loss, no gradients (AutoAttack's defaults)",
            (t, c, seed) => new SquareAttack(t.Epsilon, norm: t.Norm, seed: seed))),
    };

    /// <summary>
    /// AutoAttack <c>standard</c> (Croce &amp; Hein 2020, as RobustBench runs it): APGD-CE, APGD-T (9 targets, capped at
    /// C−1), FAB-T, Square (5000 queries), each on the points still robust. With fewer than 4 classes the targeted DLR
    /// is undefined, so it runs APGD-CE, untargeted FAB and Square instead (as the paper did for 2-class Cityscapes).
    /// </summary>
    public static AttackSequence AutoAttackStandard(ThreatModel threat, int numClasses, long seed = 0)
    {
        var parts = numClasses >= 4
            ? new[] { "apgd-ce", "apgd-t", "fab-t", "square" }
            : new[] { "apgd-ce", "fab", "square" };
        return new AttackSequence(parts.Select(p => Find(p).Factory(threat, numClasses, seed)).ToList(),
            numClasses >= 4 ? "autoattack" : "autoattack-c<4");
    }

    /// <summary>Registered names.</summary>
    public static IReadOnlyList<string> Names => Entries.Select(e => e.Name).Append("aa").ToArray();

    /// <summary>One-line description of a registered attack.</summary>
    public static string Describe(string name) => name == "aa"
        ? "AutoAttack standard: APGD-CE, APGD-T, FAB-T, Square on the remaining points (APGD-CE, FAB, Square below 4 classes)"
        : Find(name).Description;

    /// <summary>
    /// Builds an attack, or a sequence for names joined with '+' (e.g. <c>apgd-ce+square</c>), for a model with
    /// <paramref name="numClasses"/> classes.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, naming the valid ones.</exception>
    public static IAttack Create(string name, ThreatModel threat, int numClasses, long seed = 0)
    {
        var parts = name.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("--attack: empty attack name");
        if (parts.Length == 1 && parts[0] == "aa") return AutoAttackStandard(threat, numClasses, seed);
        if (parts.Length == 1) return Find(parts[0]).Factory(threat, numClasses, seed);
        if (parts.Contains("aa")) throw new ArgumentException("--attack: 'aa' is itself a sequence; run it on its own");
        return new AttackSequence(parts.Select(p => Find(p).Factory(threat, numClasses, seed)).ToList());
    }

    static Entry Find(string name)
    {
        foreach (var (n, e) in Entries)
            if (n == name) return e;
        throw new ArgumentException($"unknown attack '{name}'; expected one of: {string.Join(", ", Entries.Select(e => e.Name))} (join with + to run in sequence)");
    }
}
