using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation;

/// <summary>
/// A randomised model must not be scored by one more lucky forward pass: the reported number is the count of the
/// flags that steered the attack (AutoAttack's rule), and a point misclassified on the clean pass stays broken.
/// </summary>
public class RandomisedScoringTests
{
    /// <summary>Two classes, every label 0; forward call number k (from 1) answers class 1 for every point iff k is listed.</summary>
    sealed class ScriptedModel : nn.Module<Tensor, Tensor>
    {
        readonly HashSet<int> wrongCalls;
        public int Calls { get; private set; }

        public ScriptedModel(params int[] wrongCalls) : base("scripted")
        {
            this.wrongCalls = wrongCalls.ToHashSet();
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            var row = wrongCalls.Contains(Calls) ? new float[] { 0, 1 } : new float[] { 1, 0 };
            return tensor(row).view(1, 2).expand(x.shape[0], 2) + 0 * x.sum();
        }
    }

    /// <summary>Returns its input: a stage that breaks a point only if the model's own pass says so.</summary>
    sealed class IdentityAttack : IAttack
    {
        public string Name => "identity";
        public string Describe() => "test double";
        public ThreatModel Threat { get; } = new(Norm.Linf, 0.01);
        public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels) => images.clone();
    }

    static PartDataset Data(int n) => new(full(new long[] { n, 3, 4, 4 }, 0.5f), zeros(new long[] { n, 4, 4 }, dtype: ScalarType.Int64),
        zeros(n, dtype: ScalarType.Int64), PartImageNetTaxonomy.Select(new[] { "Car", "Fish" }));

    [Fact]
    public void A_sequence_reports_its_own_flags_not_a_fresh_pass()
    {
        // Calls: 1 = evaluator's clean pass, 2 = sequence's clean pass, 3 = the stage's check (wrong: every point broken),
        // 4 = a fresh pass on the output (right again). Re-scoring with call 4 would report 100% robust.
        using var model = new ScriptedModel(3);
        using var data = Data(6);
        var sequence = new AttackSequence(new IAttack[] { new IdentityAttack() });
        var r = Evaluator.RobustAccuracy(model, data, sequence, 6, NullProgress.Instance);
        Assert.Equal(4, model.Calls);
        Assert.Equal(0.0, r.Accuracy);
        Assert.Equal(sequence.LastRobust.Count(v => v) / 6.0, r.Accuracy);
        Assert.All(r.RobustMask, Assert.False);
        Assert.Equal(1.0, r.CleanAccuracy);
    }

    [Fact]
    public void A_point_wrong_on_the_sequences_clean_pass_is_never_robust()
    {
        // Call 2 (the sequence's clean pass) is wrong: nothing is attacked, nothing is robust, clean accuracy 0 as AutoAttack reports.
        using var model = new ScriptedModel(2);
        using var data = Data(5);
        var sequence = new AttackSequence(new IAttack[] { new IdentityAttack() });
        var r = Evaluator.RobustAccuracy(model, data, sequence, 5, NullProgress.Instance);
        Assert.Equal(0.0, r.Accuracy);
        Assert.Equal(0.0, r.CleanAccuracy);
        Assert.Equal(new[] { 0 }, r.RobustAfterStage!.Select(v => (int)(v * 5)));
    }

    [Fact]
    public void A_single_attack_cannot_resurrect_a_point_misclassified_on_the_clean_pass()
    {
        // Call 1 (clean) wrong, call 2 (the pass on the attack's output) right: the point counts as broken.
        using var model = new ScriptedModel(1);
        using var data = Data(3);
        var r = Evaluator.RobustAccuracy(model, data, new IdentityAttack(), 3, NullProgress.Instance);
        Assert.Equal(0.0, r.Accuracy);
        Assert.Equal(0.0, r.CleanAccuracy);
    }

    [Fact]
    public void On_a_deterministic_model_the_flags_equal_a_fresh_pass()
    {
        using var model = new ScriptedModel();
        using var data = Data(4);
        var r = Evaluator.RobustAccuracy(model, data, new AttackSequence(new IAttack[] { new IdentityAttack() }), 2, NullProgress.Instance);
        Assert.Equal(1.0, r.Accuracy);
        Assert.Equal(1.0, r.CleanAccuracy);
    }
}
