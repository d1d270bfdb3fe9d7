using System.Collections.Concurrent;
using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation;

/// <summary>Attacks report where they are inside a batch, so a bar on a long AutoAttack stage moves.</summary>
public class AttackProgressTests
{
    /// <summary>Records every status each task was given, by task description.</summary>
    sealed class RecordingProgress : IProgressSink
    {
        public ConcurrentDictionary<string, ConcurrentQueue<string>> Statuses { get; } = new();
        public IProgressTask Start(string description, long total) => new Task(Statuses.GetOrAdd(description, _ => new()));
        public void Log(string message) { }

        sealed class Task(ConcurrentQueue<string> into) : IProgressTask
        {
            public void Advance(long units = 1) { }
            public void SetStatus(string status) => into.Enqueue(status);
            public void Dispose() { }
        }
    }

    static (AffineClassifier Model, PartDataset Data) Robust(int n)
    {
        var g = new Generator(5);
        const int d = 3 * 8 * 8;
        var model = new AffineClassifier(d, 3, randn(new long[] { 3, d }, generator: g) * 0.05f, zeros(3));
        var x = rand(new long[] { n, 3, 8, 8 }, generator: g);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1);
        return (model, new PartDataset(x, zeros(new long[] { n, 8, 8 }, dtype: ScalarType.Int64), y, PartImageNetTaxonomy.Select(new[] { "Car", "Fish", "Bird" })));
    }

    [Fact]
    public void Each_stage_of_a_sequence_reports_its_iterations_and_queries_with_an_eta()
    {
        var (model, data) = Robust(8);
        using var _ = model;
        using var __ = data;
        // ε so small that no point breaks: every stage runs on all 8 points.
        var apgd = new ApgdAttack(1e-4, iterations: 4);
        var square = new SquareAttack(1e-4, queries: 120);
        var sequence = new AttackSequence(new IAttack[] { apgd, square });
        var progress = new RecordingProgress();
        var r = Evaluator.RobustAccuracy(model, data, sequence, 4, progress, "aa");
        Assert.Equal(1.0, r.Accuracy);
        var apgdStatuses = progress.Statuses["  aa · apgd-ce"].ToList();
        Assert.Contains("batch 1/2, attacking 4: iteration 4/4, ETA 0s", apgdStatuses);
        Assert.Contains(apgdStatuses, s => s.StartsWith("batch 2/2, attacking 4: iteration 1/4, ETA"));
        var squareStatuses = progress.Statuses["  aa · square"].ToList();
        Assert.Contains(squareStatuses, s => s.StartsWith("batch 1/2, attacking 4: query 100/120, 4 point(s) left, ETA"));
        Assert.Equal("attacked 8, robust 8", squareStatuses.Last());
        Assert.Contains("batch 2/2, stage 2/2: square", progress.Statuses["aa"]); // the main bar names the running stage
        // Per-stage seconds, summed over the two batches, within the run's wall time.
        Assert.Equal(2, r.StageSeconds!.Length);
        Assert.All(r.StageSeconds, sec => Assert.True(sec > 0));
        Assert.True(r.StageSeconds.Sum() <= r.Seconds);
        // Nobody listens once the run is over.
        Assert.Null(apgd.Progress);
        Assert.Null(square.Progress);
        Assert.Null(sequence.StageStarted);
    }

    [Fact]
    public void A_single_attack_reports_its_steps_on_the_main_bar()
    {
        var (model, data) = Robust(3);
        using var _ = model;
        using var __ = data;
        var pgd = new PgdAttack(1e-4, 3, restarts: 2);
        var progress = new RecordingProgress();
        Evaluator.RobustAccuracy(model, data, pgd, 3, progress, "pgd");
        var statuses = progress.Statuses["pgd"].ToList();
        Assert.Contains(statuses, s => s.StartsWith("restart 2/2, step 3/3"));
        Assert.Equal("robust 3/3 (100.0%)", statuses.Last());
        Assert.Null(pgd.Progress);
    }

    [Fact]
    public void The_adaptive_part_attacks_report_their_steps()
    {
        var g = new Generator(3);
        using var model = new TinyPartModel(3, 5);
        var x = rand(new long[] { 6, 3, 8, 8 }, generator: g);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1);
        var masks = randint(0, 5, new long[] { 6, 8, 8 }, generator: g);
        // Guides of every class, so seg-guided finds a target for every point.
        var truth = new PartTruth(masks, masks, arange(6, dtype: ScalarType.Int64) % 3);
        // ε so small that no point breaks: every restart runs to its last step.
        var cases = new (IReportsProgress Attack, string Last)[]
        {
            (new SegSumAttack(1e-5, steps: 3, restarts: 2), "restart 2/2, step 3/3"),
            (new SegGuidedAttack(1e-5, steps: 3, restarts: 2), "restart 2/2, stage 2/2, step 3/3"),
            (new SegInverseAttack(1e-5, maskSteps: 2, steps: 3, restarts: 2), "restart 2/2, image step 3/3"),
        };
        foreach (var (attack, last) in cases)
        {
            var reports = new List<AttackProgress>();
            attack.Progress = reports.Add;
            ((IPartAttack)attack).Perturb(model, x, y, truth);
            Assert.Equal(last, reports[^1].Detail);
            Assert.Equal(1.0, reports[^1].Fraction, 9);
            var fractions = reports.Select(r => r.Fraction).ToList();
            Assert.Equal(fractions.Order(), fractions); // the bar only moves forward
            Assert.Equal(attack is SegGuidedAttack ? 12 : 6, reports.Count); // every step of every restart (and stage)
        }
    }
}
