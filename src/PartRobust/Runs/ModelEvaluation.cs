using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// The evaluation of one trained model, in three steps so that a run can attack several models' AutoAttack subsets at
/// once: <see cref="RunAttacks"/> (clean accuracy, part metrics, PGD and any extra attacks on the attacked set),
/// <see cref="RunAutoAttack"/> (the gradient-masking checks, AutoAttack standard and, for part models, the adaptive
/// attacks on the first <see cref="EvalOptions.AutoAttackPoints"/> points) and <see cref="Finish"/> (the per-point
/// worst case over every attack, and the result). One instance is used by one thread at a time.
/// </summary>
public sealed class ModelEvaluation
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly string display;
    readonly long parameters;
    readonly PartDataset test, attackSet;
    readonly EvalOptions eval;
    readonly IProgressSink progress;
    readonly Attacks.Norm norm;
    readonly Dictionary<string, double> robust = new();
    readonly Dictionary<string, bool[]> robustMasks = new();
    readonly Dictionary<string, AttackTiming> timing = new();
    readonly Dictionary<string, string> notApplicable = new();
    Dictionary<string, List<StageResult>>? stages, aaStages;
    List<MaskingCheckRecord>? checks, sequenceChecks;
    double clean, cleanSubset;
    bool[] cleanCorrect = Array.Empty<bool>();
    PartMetrics? parts;
    Attacks.IAttack? keepFrom;
    AdversarialExamples? examples;
    bool attacked, autoAttacked;

    /// <summary>Registry name of the model.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="RunAutoAttack"/> has work to do (AutoAttack points and points to attack).</summary>
    public bool HasAutoAttack => eval.AutoAttackPoints > 0 && attackSet.Count > 0;

    /// <summary>Prepares the evaluation of <paramref name="model"/>; nothing runs yet.</summary>
    public ModelEvaluation(nn.Module<Tensor, Tensor> model, string name, string display, long parameters,
        PartDataset test, PartDataset attackSet, EvalOptions eval, IProgressSink progress, Attacks.Norm norm = Attacks.Norm.Linf)
    {
        this.model = model;
        Name = name;
        this.display = display;
        this.parameters = parameters;
        this.test = test;
        this.attackSet = attackSet;
        this.eval = eval;
        this.progress = progress;
        this.norm = norm;
    }

    /// <summary>
    /// Clean accuracy, part metrics (part models), the configured PGD (unless <paramref name="skipPgd"/>) and
    /// <paramref name="extraAttacks"/> on the attacked set. The first <see cref="EvalOptions.AdversarialExamples"/>
    /// points of <paramref name="examplesFrom"/> (null = the configured PGD) are kept for the figure.
    /// </summary>
    public void RunAttacks(IReadOnlyList<Attacks.IAttack>? extraAttacks = null, bool skipPgd = false, Attacks.IAttack? examplesFrom = null)
    {
        if (attacked) throw new InvalidOperationException("RunAttacks has already run");
        attacked = true;
        cleanCorrect = test.Count == 0 ? Array.Empty<bool>() : Evaluator.Correct(model, test, eval.BatchSize);
        clean = cleanSubset = test.Count == 0 ? 0 : (double)cleanCorrect.Count(c => c) / test.Count;
        parts = model is IPartModel part ? Evaluator.PartSegmentation(part, test, eval.BatchSize) : null;
        keepFrom = examplesFrom;
        if (attackSet.Count == 0) return;
        var attacks = new List<Attacks.IAttack>();
        if (!skipPgd) attacks.Add(eval.CreatePgd());
        if (extraAttacks is not null) attacks.AddRange(extraAttacks);
        if (keepFrom is null && !skipPgd) keepFrom = attacks[0];
        foreach (var attack in attacks) Run(attack, attackSet);
    }

    /// <summary>
    /// On the first <see cref="EvalOptions.AutoAttackPoints"/> attacked points: the gradient-masking checks (unless
    /// switched off), AutoAttack standard and, for part models, the adaptive attacks that apply to them (the others are
    /// listed in <see cref="ModelResult.AttacksNotApplicable"/>). Nothing when the count is 0.
    /// </summary>
    public void RunAutoAttack()
    {
        if (!attacked) throw new InvalidOperationException("RunAttacks must run first");
        if (autoAttacked || !HasAutoAttack) return;
        autoAttacked = true;
        using var aaSet = attackSet.Take(Math.Min(eval.AutoAttackPoints, attackSet.Count));
        var threat = new Attacks.ThreatModel(norm, eval.Epsilon);
        if (eval.MaskingChecks)
            checks = ExperimentRunner.RunMaskingChecks(model, aaSet, threat, eval.Seed, eval.BatchSize, progress, display);
        Run(Attacks.AttackRegistry.AutoAttackStandard(threat, aaSet.Taxonomy.NumClasses, eval.Seed), aaSet);
        if (model is IPartModel)
            foreach (var adaptive in eval.AdaptiveAttacks ?? Array.Empty<string>())
            {
                // A part model runs the adaptive attacks that apply to it; the others are recorded as not applicable.
                if (Attacks.AttackRegistry.NotApplicableReason(adaptive, model) is { } reason)
                {
                    notApplicable[adaptive] = reason;
                    progress.Log($"{display}: {adaptive} not run: {reason}");
                    continue;
                }
                Run(Attacks.AttackRegistry.Create(adaptive, threat, aaSet.Taxonomy.NumClasses, eval.Seed), aaSet);
            }
    }

    /// <summary>
    /// The result: every attack's robust accuracy and, with two or more attacks, <c>worst_case</c>: per point, robust
    /// only if no attack broke it, over the points every attack ran on.
    /// </summary>
    public ModelResult Finish()
    {
        if (!attacked) throw new InvalidOperationException("RunAttacks must run first");
        if (robustMasks.Count > 1)
        {
            int common = robustMasks.Values.Min(m => m.Length);
            var worst = Enumerable.Range(0, common).Select(i => robustMasks.Values.All(m => m[i])).ToArray();
            robust[ReportWriter.WorstCaseKey] = common == 0 ? 0 : (double)worst.Count(v => v) / common;
            robustMasks[ReportWriter.WorstCaseKey] = worst;
            progress.Log($"{display}: worst case over {string.Join(", ", robustMasks.Keys)}: {100 * robust[ReportWriter.WorstCaseKey]:F1}% on {common} points");
        }
        progress.Log($"{display}: clean {100 * clean:F1}%" +
                     (robust.TryGetValue("pgd", out var pgdAcc) ? $", PGD {100 * pgdAcc:F1}% (clean on attacked subset {100 * cleanSubset:F1}%)" : "") +
                     (parts is null ? "" : $", part pixel acc {100 * parts.PixelAccuracy:F1}%, part mIoU {100 * parts.MeanIoU:F1}%"));
        return new ModelResult
        {
            Name = Name, DisplayName = display, Parameters = parameters, TrainSeconds = 0, CleanAccuracy = clean,
            CleanAccuracyAttackSubset = cleanSubset, RobustAccuracy = new Dictionary<string, double>(robust), AttackStages = stages,
            AutoAttackStages = aaStages, AttackTiming = timing.Count == 0 ? null : new Dictionary<string, AttackTiming>(timing),
            AttacksNotApplicable = notApplicable.Count == 0 ? null : new Dictionary<string, string>(notApplicable),
            MaskingChecks = checks is null && sequenceChecks is null ? null : [.. checks ?? [], .. sequenceChecks ?? []], PartPixelAccuracy = parts?.PixelAccuracy, PartMiou = parts?.MeanIoU, Checkpoint = "",
            History = new List<EpochRecord>(), Examples = examples,
            PerPoint = PerPointOutcomes.Encode(cleanCorrect, robustMasks),
        };
    }

    void Run(Attacks.IAttack attack, PartDataset points)
    {
        // Examples come from this very run: an attack is never rerun just to draw it.
        var r = Evaluator.RobustAccuracy(model, points, attack, eval.BatchSize, progress, $"{Name} {attack.Name}",
            ReferenceEquals(attack, keepFrom) ? eval.AdversarialExamples : 0);
        if (ReferenceEquals(attack, keepFrom)) examples = r.Examples;
        robust[attack.Name] = r.Accuracy;
        robustMasks[attack.Name] = r.RobustMask;
        if (points.Count == attackSet.Count) cleanSubset = r.CleanAccuracy;
        timing[attack.Name] = new AttackTiming
        {
            Points = r.Points, CleanAccuracy = r.CleanAccuracy, Seconds = r.Seconds, PointsPerSecond = r.Points / Math.Max(r.Seconds, 1e-9),
            BatchSize = eval.BatchSize, BatchSeconds = (r.BatchSeconds ?? Array.Empty<double>()).ToList(),
        };
        if (attack is Attacks.AttackSequence seq && r.RobustAfterStage is { } after)
        {
            var list = seq.Attacks.Select((a, i) => new StageResult { Attack = a.Name, RobustAccuracy = after[i], Seconds = r.StageSeconds?[i] }).ToList();
            if (seq.Name.StartsWith("autoattack", StringComparison.Ordinal)) (aaStages ??= new())[seq.Name] = list;
            else (stages ??= new())[seq.Name] = list;
            // AutoAttack's own checks on what the sequence saw; they cost nothing, so they always run.
            foreach (var check in GradientMaskingChecks.AfterSequence(seq, r))
            {
                progress.Log($"{display}: {check.Message}");
                (sequenceChecks ??= new()).Add(MaskingCheckRecord.From(check));
            }
        }
        progress.Log($"{display}: {attack.Name} robust accuracy {100 * r.Accuracy:F1}% on {r.Points} points ({r.Seconds:F0}s)");
    }
}
