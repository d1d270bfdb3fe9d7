using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

/// <summary>AutoAttack's <c>plus</c> and <c>rand</c> versions (fra31/auto-attack <c>set_version</c>).</summary>
public class AutoAttackVersionsTests
{
    static readonly ThreatModel Linf = new(Norm.Linf, 8.0 / 255);

    [Fact]
    public void Plus_runs_the_six_attacks_of_the_reference_and_drops_the_ones_undefined_for_few_classes()
    {
        var aa = Assert.IsType<AttackSequence>(AttackRegistry.Create("aa-plus", Linf, 11, seed: 4));
        Assert.Equal("autoattack-plus", aa.Name);
        Assert.Equal(new[] { "apgd-ce", "apgd-dlr", "fab", "square", "apgd-t", "fab-t" }, aa.Attacks.Select(a => a.Name));
        Assert.All(aa.Attacks, a => Assert.Equal(Linf, a.Threat));
        var ce = Assert.IsType<ApgdAttack>(aa.Attacks[0]);
        var dlr = Assert.IsType<ApgdAttack>(aa.Attacks[1]);
        Assert.Equal(("ce", 5, 100, 1, 4L), (ce.Loss, ce.Restarts, ce.Iterations, ce.EotIterations, ce.Seed));
        Assert.Equal(("dlr", 5, 100, 1, 4L), (dlr.Loss, dlr.Restarts, dlr.Iterations, dlr.EotIterations, dlr.Seed));
        var fab = Assert.IsType<FabAttack>(aa.Attacks[2]);
        Assert.Equal((false, 5, 100, 4L), (fab.Targeted, fab.Restarts, fab.Iterations, fab.Seed));
        var square = Assert.IsType<SquareAttack>(aa.Attacks[3]);
        Assert.Equal((5000, 4L), (square.Queries, square.Seed));
        var apgdT = Assert.IsType<ApgdTargetedAttack>(aa.Attacks[4]);
        Assert.Equal((9, 1, 100, 4L), (apgdT.TargetClasses, apgdT.Restarts, apgdT.Iterations, apgdT.Seed));
        // The reference's loop sets fab.n_restarts = 1 before FAB-T.
        var fabT = Assert.IsType<FabAttack>(aa.Attacks[5]);
        Assert.Equal((true, 9, 1, 4L), (fabT.Targeted, fabT.TargetClasses, fabT.Restarts, fabT.Seed));

        var five = AttackRegistry.AutoAttackPlus(Linf, 5);
        Assert.Equal("autoattack-plus", five.Name);
        Assert.Equal(4, Assert.IsType<ApgdTargetedAttack>(five.Attacks[4]).TargetClasses); // capped at C−1
        Assert.Equal(4, Assert.IsType<FabAttack>(five.Attacks[5]).TargetClasses);

        var three = AttackRegistry.AutoAttackPlus(Linf, 3);
        Assert.Equal("autoattack-plus-c<4", three.Name); // no targeted DLR below 4 classes
        Assert.Equal(new[] { "apgd-ce", "apgd-dlr", "fab", "square" }, three.Attacks.Select(a => a.Name));
        var two = AttackRegistry.AutoAttackPlus(Linf, 2);
        Assert.Equal("autoattack-plus-c<3", two.Name); // no DLR below 3 classes
        Assert.Equal(new[] { "apgd-ce", "fab", "square" }, two.Attacks.Select(a => a.Name));
        Assert.Equal(5, Assert.IsType<FabAttack>(two.Attacks[1]).Restarts);
    }

    [Fact]
    public void Standard_keeps_apgd_dlr_at_three_classes_and_reduces_only_at_two()
    {
        var eleven = AttackRegistry.AutoAttackStandard(Linf, 11);
        Assert.Equal("autoattack", eleven.Name);
        Assert.Equal(new[] { "apgd-ce", "apgd-t", "fab-t", "square" }, eleven.Attacks.Select(a => a.Name));
        var three = AttackRegistry.AutoAttackStandard(Linf, 3);
        Assert.Equal("autoattack-c<4", three.Name); // the targeted DLR needs 4 classes, the untargeted one only 3
        Assert.Equal(new[] { "apgd-ce", "apgd-dlr", "fab", "square" }, three.Attacks.Select(a => a.Name));
        Assert.Equal("dlr", Assert.IsType<ApgdAttack>(three.Attacks[1]).Loss);
        var two = AttackRegistry.AutoAttackStandard(Linf, 2);
        Assert.Equal("autoattack-c<3", two.Name);   // the authors' list for 2-class Cityscapes
        Assert.Equal(new[] { "apgd-ce", "fab", "square" }, two.Attacks.Select(a => a.Name));
    }

    [Fact]
    public void Rand_runs_apgd_ce_and_apgd_dlr_with_eot_over_20_passes()
    {
        var threat = new ThreatModel(Norm.L2, 0.5);
        foreach (int classes in new[] { 11, 3 })
        {
            var aa = Assert.IsType<AttackSequence>(AttackRegistry.Create("aa-rand", threat, classes, seed: 2));
            Assert.Equal("autoattack-rand", aa.Name);
            Assert.Equal(new[] { "apgd-ce", "apgd-dlr" }, aa.Attacks.Select(a => a.Name));
            foreach (var a in aa.Attacks.Cast<ApgdAttack>())
            {
                Assert.Equal((1, 20, 100, 2L), (a.Restarts, a.EotIterations, a.Iterations, a.Seed));
                Assert.Equal(threat, a.Threat);
                Assert.Contains("EoT over 20", a.Describe());
            }
        }
        var two = AttackRegistry.AutoAttackRand(threat, 2);
        Assert.Equal("autoattack-rand-c<3", two.Name);
        Assert.Equal(new[] { "apgd-ce" }, two.Attacks.Select(a => a.Name));
        Assert.Equal(20, Assert.IsType<ApgdAttack>(two.Attacks[0]).EotIterations);
    }

    [Fact]
    public void The_versions_are_registered_described_and_cannot_be_joined_with_other_attacks()
    {
        foreach (var name in new[] { "aa", "aa-plus", "aa-rand" })
        {
            Assert.Contains(name, AttackRegistry.Names);
            Assert.StartsWith("AutoAttack", AttackRegistry.Describe(name));
            foreach (var joined in new[] { name + "+square", "apgd-ce+" + name })
            {
                var e = Assert.Throws<ArgumentException>(() => AttackRegistry.Create(joined, Linf, 10));
                Assert.Contains($"'{name}' is itself a sequence", e.Message);
            }
        }
        Assert.Contains("plus", AttackRegistry.Describe("aa-plus"));
        Assert.Contains("EoT over 20", AttackRegistry.Describe("aa-rand"));
        Assert.Equal("autoattack", AttackRegistry.Create("aa", Linf, 10).Name);
        var unknown = Assert.Throws<ArgumentException>(() => AttackRegistry.Create("aa-pluss", Linf, 10));
        Assert.Contains("aa-rand", unknown.Message);
    }

    [Theory]
    [InlineData("aa-plus", Norm.Linf, 0.1, 4, 1)]
    [InlineData("aa-plus", Norm.L2, 0.3, 3, 5)]
    [InlineData("aa-rand", Norm.L2, 0.5, 3, 3)]
    [InlineData("aa-rand", Norm.Linf, 0.1, 2, 4)]
    public void Results_stay_in_the_ball_and_the_box(string name, Norm norm, double eps, int classes, int seed)
    {
        // Few points: Square alone spends its 5000 queries on every point still robust when it runs.
        const int Points = 4, D = 48;
        var g = new Generator((ulong)seed);
        var model = new AffineClassifier(D, classes, randn(new long[] { classes, D }, generator: g) * 0.5f,
            randn(new long[] { classes }, generator: g) * 0.5f);
        // Inputs at and near the box edges, where clipping matters most.
        var x = rand(new long[] { Points, 3, 4, 4 }, generator: g);
        x = where(rand(new long[] { Points, 3, 4, 4 }, generator: g).lt(0.3), x.round(), x);
        Tensor y;
        using (no_grad()) y = model.call(x).argmax(1);
        y[0] = (y[0] + 1) % classes; // one point misclassified on the clean image
        var aa = Assert.IsType<AttackSequence>(AttackRegistry.Create(name, new ThreatModel(norm, eps), classes, seed));

        var adv = aa.Perturb(model, x, y);
        Assert.Equal(x.shape, adv.shape);
        Assert.True(adv.min().item<float>() >= 0f && adv.max().item<float>() <= 1f, "outside [0,1]");
        var d = (adv - x).flatten(1);
        double worst = (norm == Norm.Linf ? d.abs().amax(1) : d.norm(1)).max().item<float>();
        Assert.True(worst <= eps + 1e-5, $"‖δ‖ {worst} > ε {eps}");
        Assert.Equal(0f, (adv[0] - x[0]).abs().max().item<float>()); // the misclassified point is left alone
        bool[] robust;
        using (no_grad()) robust = model.call(adv).argmax(1).eq(y).data<bool>().ToArray();
        var stages = aa.LastRobustAfterStage;
        Assert.Equal(aa.Attacks.Count, stages.Length);
        for (int i = 1; i < stages.Length; i++) Assert.True(stages[i] <= stages[i - 1]);
        Assert.Equal(robust.Count(r => r), stages[^1]);
        // The case exercises the sequence: some point is broken, and some point stays robust through every stage.
        Assert.True(stages[0] < Points - 1 && stages[^1] > 0, $"robust after each stage: {string.Join(", ", stages)}");
    }
}
