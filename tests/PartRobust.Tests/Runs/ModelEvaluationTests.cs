using PartRobust.Data;
using PartRobust.Reporting;
using PartRobust.Runs;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Runs;

// torch.set_num_threads is process-wide and clears oneDNN's primitive cache: it must not run while other tests compute,
// so this class joins the non-parallel collection of the CLI tests.
[Collection("console")]
public class ModelEvaluationTests
{
    static readonly EvalOptions Eval = new()
    {
        AutoAttackPoints = 5, MaskingChecks = true, AdaptiveAttacks = ["seg-sum", "seg-inverse"], AdversarialExamples = 0,
        BatchSize = 4, PgdSteps = 5,
    };

    static (ModelEvaluation Plain, ModelEvaluation Part) Evaluations(PartDataset data, nn.Module<Tensor, Tensor> plain, nn.Module<Tensor, Tensor> part) =>
        (new ModelEvaluation(plain, "plain", "Plain", 1, data, data, Eval, NullProgress.Instance),
         new ModelEvaluation(part, "part", "Part", 1, data, data, Eval, NullProgress.Instance));

    static void AssertSame(ModelResult expected, ModelResult actual)
    {
        Assert.Equal(expected.RobustAccuracy.OrderBy(kv => kv.Key), actual.RobustAccuracy.OrderBy(kv => kv.Key));
        Assert.Equal(expected.AutoAttackStages!.Single().Value.Select(s => (s.Attack, s.RobustAccuracy)),
            actual.AutoAttackStages!.Single().Value.Select(s => (s.Attack, s.RobustAccuracy)));
        Assert.Equal(expected.MaskingChecks!.Select(c => (c.Name, c.Status, c.Detail)), actual.MaskingChecks!.Select(c => (c.Name, c.Status, c.Detail)));
    }

    [Fact]
    public void AutoAttack_of_several_models_side_by_side_gives_what_one_after_another_gives()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish", "Snake", "Bird" });
        manual_seed(11);
        using var data = new PartDataset(rand(10, 3, 8, 8), randint(0, taxonomy.NumSegLabels, new long[] { 10, 8, 8 }),
            randint(0, 4, 10), taxonomy);
        using var plain = new TinyConvClassifier(4);
        using var part = new TinyPartModel(4, taxonomy.NumSegLabels);
        int threads = get_num_threads();

        // One after another, everything on one torch thread.
        ModelResult seqPlain, seqPart;
        set_num_threads(1);
        try
        {
            var (a, b) = Evaluations(data, plain, part);
            a.RunAttacks(); a.RunAutoAttack(); seqPlain = a.Finish();
            b.RunAttacks(); b.RunAutoAttack(); seqPart = b.Finish();
        }
        finally { set_num_threads(threads); }

        // The same two evaluations with their AutoAttack phases on two threads at once.
        var (c, d) = Evaluations(data, plain, part);
        set_num_threads(1);
        try { c.RunAttacks(); d.RunAttacks(); }
        finally { set_num_threads(threads); }
        ExperimentRunner.RunAutoAttackInParallel([c, d]);
        Assert.Equal(threads, get_num_threads());
        var parPlain = c.Finish();
        var parPart = d.Finish();

        AssertSame(seqPlain, parPlain);
        AssertSame(seqPart, parPart);
        Assert.Contains(ReportWriter.WorstCaseKey, parPart.RobustAccuracy.Keys);
        Assert.Contains("seg-sum", parPart.RobustAccuracy.Keys);
        Assert.DoesNotContain("seg-sum", parPlain.RobustAccuracy.Keys);
        Assert.Equal(5, parPart.AttackTiming!["autoattack"].Points);
        // The worst case is over the 5 points every attack ran on, and no attack beats it.
        Assert.All(parPart.RobustAccuracy.Where(kv => kv.Key != "pgd" && kv.Key != ReportWriter.WorstCaseKey),
            kv => Assert.True(parPart.RobustAccuracy[ReportWriter.WorstCaseKey] <= kv.Value, kv.Key));
    }

    [Fact]
    public void Steps_run_in_order_and_AutoAttack_is_skipped_without_points()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        manual_seed(3);
        using var data = new PartDataset(rand(4, 3, 8, 8), zeros(new long[] { 4, 8, 8 }, dtype: ScalarType.Int64), randint(0, 2, 4), taxonomy);
        using var model = new TinyConvClassifier(2);
        var e = new ModelEvaluation(model, "m", "M", 1, data, data, Eval with { AutoAttackPoints = 0 }, NullProgress.Instance);
        Assert.Throws<InvalidOperationException>(() => e.RunAutoAttack());
        Assert.Throws<InvalidOperationException>(() => e.Finish());
        e.RunAttacks();
        Assert.False(e.HasAutoAttack);
        e.RunAutoAttack();
        var r = e.Finish();
        Assert.Equal(new[] { "pgd" }, r.RobustAccuracy.Keys);
        Assert.Throws<InvalidOperationException>(() => e.RunAttacks());
    }
}
