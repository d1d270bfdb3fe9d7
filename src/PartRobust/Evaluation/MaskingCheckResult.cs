namespace PartRobust.Evaluation;

/// <summary>The outcome of one gradient-masking check.</summary>
/// <param name="Name">Short name of the check, e.g. <c>randomness</c>.</param>
/// <param name="Passed">True when the check found no sign of gradient masking.</param>
/// <param name="Detail">The measured numbers behind the verdict.</param>
/// <param name="Meaning">One line saying what a failure of this check means and what to do about it.</param>
public sealed record MaskingCheckResult(string Name, bool Passed, string Detail, string Meaning)
{
    /// <summary>The line to print: a warning with its meaning when the check failed, else a short "ok" line.</summary>
    public string Message => Passed ? $"masking check '{Name}' ok: {Detail}" : $"WARNING gradient-masking check '{Name}' failed: {Meaning} ({Detail})";
}

/// <summary>Settings of <see cref="GradientMaskingChecks"/>; every check is cheap by default and can be switched off.</summary>
public sealed record MaskingCheckOptions
{
    /// <summary>Number of points (the first ones of the data set) the checks run on.</summary>
    public int Points { get; init; } = 64;

    /// <summary>Batch size of the checks' forward passes (the randomness, dynamic and probability checks look at one batch).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Batch size of the checks' attacks (PGD, Square, the ε sweep); attack batches are what MPI ranks share out, and each
    /// batch draws its own random stream, so the results depend on it but not on the number of ranks.
    /// </summary>
    public int AttackBatchSize { get; init; } = 64;

    /// <summary>Seed of the attacks the checks run.</summary>
    public long Seed { get; init; }

    /// <summary>Run the randomness check.</summary>
    public bool CheckRandomness { get; init; } = true;

    /// <summary>Run the dynamic-model check (a forward pass with autograd switched off).</summary>
    public bool CheckDynamic { get; init; } = true;

    /// <summary>Run the probability-output check.</summary>
    public bool CheckProbabilities { get; init; } = true;

    /// <summary>Run the zero-gradient check.</summary>
    public bool CheckZeroGradients { get; init; } = true;

    /// <summary>Run the black-box (Square) versus white-box (PGD) check.</summary>
    public bool CheckBlackBox { get; init; } = true;

    /// <summary>Run the ε-sweep check.</summary>
    public bool CheckEpsilonSweep { get; init; } = true;

    /// <summary>Run the more-steps check.</summary>
    public bool CheckMoreSteps { get; init; } = true;

    /// <summary>Forward passes compared by the randomness check (at least 2; AutoAttack's 5).</summary>
    public int RandomnessPasses { get; init; } = 5;

    /// <summary>Largest L2 distance between L2-normalised output rows of two passes still counted as identical (AutoAttack's 1e-4).</summary>
    public double RandomnessTolerance { get; init; } = 1e-4;

    /// <summary>
    /// The Square-after-white-box check warns when Square lowers robust accuracy by more than this fraction of the points
    /// after the white-box stages (AutoAttack's 0.002).
    /// </summary>
    public double SquareAfterWhiteBoxDrop { get; init; } = 0.002;

    /// <summary>A gradient with L2 norm at most this counts as zero.</summary>
    public double ZeroGradientNorm { get; init; } = 1e-12;

    /// <summary>The zero-gradient check fails when more than this fraction of points has a zero gradient.</summary>
    public double ZeroGradientFraction { get; init; } = 0.05;

    /// <summary>Steps of the PGD attack used by the black-box, ε-sweep and more-steps checks (1 restart, step 2.5ε/steps).</summary>
    public int PgdSteps { get; init; } = 20;

    /// <summary>Query budget of the Square attack in the black-box check.</summary>
    public int SquareQueries { get; init; } = 300;

    /// <summary>The black-box check fails when Square breaks more than this fraction of the points PGD left robust (as a fraction of all points).</summary>
    public double BlackBoxFraction { get; init; }

    /// <summary>Multiples of ε for the sweep (L∞ radii are capped at 1).</summary>
    public IReadOnlyList<double> EpsilonMultipliers { get; init; } = new double[] { 1, 2, 4, 8, 16 };

    /// <summary>The ε sweep fails when robust accuracy at the largest radius is above this.</summary>
    public double SweepMaxAccuracy { get; init; } = 0.10;

    /// <summary>Factor by which the more-steps check multiplies <see cref="PgdSteps"/>.</summary>
    public int MoreStepsFactor { get; init; } = 10;

    /// <summary>
    /// The more-steps check fails when the extra steps lower robust accuracy by more than this (a fraction, 0.05 = 5 points)
    /// and by more than 1.5 points of the sample (so one extra point broken among few is not flagged).
    /// </summary>
    public double MoreStepsMaxDrop { get; init; } = 0.05;
}
