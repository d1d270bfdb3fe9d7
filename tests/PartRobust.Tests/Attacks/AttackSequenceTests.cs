using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class AttackSequenceTests
{
    static (AffineClassifier Model, Tensor X, Tensor Y) Setup()
    {
        var g = new Generator(21);
        var model = new AffineClassifier(48, 4, randn(new long[] { 4, 48 }, generator: g) * 0.3f, randn(new long[] { 4 }, generator: g) * 0.3f);
        var x = rand(new long[] { 120, 3, 4, 4 }, generator: g);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1);
        return (model, x, y);
    }

    static bool[] Robust(AffineClassifier model, Tensor adv, Tensor y)
    {
        using var _ = no_grad();
        return model.call(adv).argmax(1).eq(y).data<bool>().ToArray();
    }

    [Fact]
    public void A_sequence_breaks_the_union_of_what_its_attacks_break_and_reports_monotone_stages()
    {
        var (model, x, y) = Setup();
        double eps = 0.04;
        var weak = new PgdAttack(eps, 1, eps, 1, seed: 1, name: "weak");
        var strong = new PgdAttack(eps, 30, eps / 8, 2, seed: 2, name: "strong");
        var weakRobust = Robust(model, weak.Perturb(model, x, y), y);
        var strongRobust = Robust(model, new PgdAttack(eps, 30, eps / 8, 2, seed: 2).Perturb(model, x, y), y);
        var seq = new AttackSequence(new IAttack[] { weak, new PgdAttack(eps, 30, eps / 8, 2, seed: 2, name: "strong") });
        Assert.Equal("weak+strong", seq.Name);
        var seqRobust = Robust(model, seq.Perturb(model, x, y), y);
        // Every point the first attack breaks stays broken; the second only adds to that.
        for (int i = 0; i < seqRobust.Length; i++)
            Assert.True(!seqRobust[i] || weakRobust[i], $"point {i} was broken by the first stage but reported robust");
        int final = seqRobust.Count(r => r);
        Assert.True(final < weakRobust.Count(r => r), "the strong stage found nothing more");
        Assert.InRange(strongRobust.Count(r => r), 0, weakRobust.Count(r => r));
        var stages = seq.LastRobustAfterStage;
        Assert.Equal(2, stages.Length);
        Assert.True(stages[0] >= stages[1]);
        Assert.Equal(final, stages[1]);
        Assert.Equal(weakRobust.Count(r => r), stages[0]);
    }

    [Fact]
    public void Sequences_must_share_one_threat_model()
    {
        Assert.Throws<ArgumentException>(() => new AttackSequence(new IAttack[] { new PgdAttack(0.1, 1), new PgdAttack(0.2, 1) }));
        Assert.Throws<ArgumentException>(() => new AttackSequence(Array.Empty<IAttack>()));
    }

    [Fact]
    public void Registry_builds_named_attacks_and_sequences_and_rejects_unknown_names()
    {
        var threat = new ThreatModel(Norm.Linf, 8.0 / 255);
        var pgd = Assert.IsType<PgdAttack>(AttackRegistry.Create("pgd", threat, 10));
        Assert.Equal(100, pgd.Steps);
        Assert.Equal(5, pgd.Restarts);
        Assert.Equal(0.001, pgd.StepSize, 12); // max(0.001, ε/40) at 8/255
        var seq = Assert.IsType<AttackSequence>(AttackRegistry.Create("pgd-10+pgd", threat, 10));
        Assert.Equal("pgd-10+pgd", seq.Name);
        var aaLike = Assert.IsType<AttackSequence>(AttackRegistry.Create("apgd-ce+apgd-t+square", threat, 11));
        Assert.Equal(new[] { "apgd-ce", "apgd-t", "square" }, aaLike.Attacks.Select(a => a.Name));
        Assert.Equal(9, Assert.IsType<ApgdTargetedAttack>(aaLike.Attacks[1]).TargetClasses);
        Assert.Equal(4, Assert.IsType<ApgdTargetedAttack>(AttackRegistry.Create("apgd-t", threat, 5)).TargetClasses); // capped at C−1
        var aa = Assert.IsType<AttackSequence>(AttackRegistry.Create("aa", threat, 11));
        Assert.Equal("autoattack", aa.Name);
        Assert.Equal(new[] { "apgd-ce", "apgd-t", "fab-t", "square" }, aa.Attacks.Select(a => a.Name));
        var aa2 = Assert.IsType<AttackSequence>(AttackRegistry.Create("aa", threat, 2)); // DLR undefined below 4 classes
        Assert.Equal(new[] { "apgd-ce", "fab", "square" }, aa2.Attacks.Select(a => a.Name));
        var e = Assert.Throws<ArgumentException>(() => AttackRegistry.Create("pgd+nope", threat, 10));
        Assert.Contains("nope", e.Message);
    }
}
