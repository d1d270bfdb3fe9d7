using PartRobust.Attacks;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

/// <summary>
/// What every registered attack promises, checked for every name the registry builds (as the model-registry tests do for
/// models): its result stays in the ε-ball and the [0,1] box, the same seed gives the same result, its name is the
/// report key, it describes itself, it leaves the model's mode as it found it, and it says which models it needs.
/// </summary>
public class AttackRegistryContractTests
{
    const int Classes = 4, Parts = 5, Side = 8, Points = 8;

    public static TheoryData<string, Norm> NamesAndNorms()
    {
        var data = new TheoryData<string, Norm>();
        foreach (var name in AttackRegistry.Names)
        {
            data.Add(name, Norm.Linf);
            // The AutoAttack versions are sequences of the attacks above, which are checked under L2 one by one.
            if (!name.StartsWith("aa", StringComparison.Ordinal)) data.Add(name, Norm.L2);
        }
        return data;
    }

    static ThreatModel Threat(Norm norm) => new(norm, norm == Norm.Linf ? 8.0 / 255 : 0.5);

    /// <summary>A bottom-up part model, images that touch the box, every class present (seg-guided needs guides of other classes).</summary>
    static (TinyPartModel Model, Tensor X, Tensor Y, PartTruth Truth) Problem()
    {
        manual_seed(7);
        var model = new TinyPartModel(Classes, Parts);
        var g = new Generator(11);
        var x = rand(new long[] { Points, 3, Side, Side }, generator: g);
        x[0].fill_(0); x[1].fill_(1); // all at the box's faces
        var y = arange(Points, dtype: ScalarType.Int64).remainder(Classes);
        var masks = randint(0, Parts, new long[] { Points, Side, Side }, generator: g);
        return (model, x, y, new PartTruth(masks, masks, y));
    }

    static Tensor Run(IAttack attack, TinyPartModel model, Tensor x, Tensor y, PartTruth truth) =>
        attack is IPartAttack part ? part.Perturb(model, x, y, truth) : attack.Perturb(model, x, y);

    [Theory]
    [MemberData(nameof(NamesAndNorms))]
    public void Every_attack_stays_in_its_threat_model_and_repeats_itself(string name, Norm norm)
    {
        using var scope = NewDisposeScope();
        var (model, x, y, truth) = Problem();
        var threat = Threat(norm);
        var first = AttackRegistry.Create(name, threat, Classes, seed: 3);
        model.train();

        var adv = Run(first, model, x, y, truth);

        Assert.True(model.training, $"{name} must restore the model's training mode");
        Assert.Equal(x.shape, adv.shape);
        Assert.Equal(threat, first.Threat);
        first.Threat.Verify(x, adv); // throws outside the ε-ball or the box
        var again = Run(AttackRegistry.Create(name, threat, Classes, seed: 3), model, x, y, truth);
        Assert.True(adv.eq(again).all().item<bool>(), $"{name}: the same seed must give the same adversarial examples");
    }

    [Fact]
    public void Every_attack_is_named_by_its_report_key_and_describes_itself()
    {
        var threat = Threat(Norm.Linf);
        foreach (var name in AttackRegistry.Names)
        {
            var attack = AttackRegistry.Create(name, threat, Classes);
            // The AutoAttack versions are sequences named for the list that ran (autoattack, autoattack-plus, ...).
            if (attack is AttackSequence && name.StartsWith("aa", StringComparison.Ordinal))
                Assert.StartsWith("autoattack", attack.Name);
            else
                Assert.Equal(name, attack.Name);
            Assert.False(string.IsNullOrWhiteSpace(attack.Describe()), name);
            Assert.False(string.IsNullOrWhiteSpace(AttackRegistry.Describe(name)), name);
        }
    }

    [Fact]
    public void The_part_attacks_say_which_models_they_need()
    {
        using var plain = new TinyConvClassifier(Classes);
        using var bottomUp = new TinyPartModel(Classes, Parts);
        using var twoHeaded = new TinyTwoHeadModel(Classes, Parts);
        foreach (var name in AttackRegistry.Names)
        {
            bool part = AttackRegistry.PartAttackNames.Contains(name), maskOnly = AttackRegistry.BottomUpAttackNames.Contains(name);
            Assert.Equal(part, AttackRegistry.NeedsPartModel(name));
            Assert.Equal(part, AttackRegistry.NotApplicableReason(name, plain) is not null);
            Assert.Null(AttackRegistry.NotApplicableReason(name, bottomUp));
            Assert.Equal(maskOnly, AttackRegistry.NotApplicableReason(name, twoHeaded) is not null);
        }
        Assert.Equal(["seg-sum", "seg-guided", "seg-inverse"], AttackRegistry.PartAttackNames);
        Assert.Equal(["seg-guided", "seg-inverse"], AttackRegistry.BottomUpAttackNames);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_negative_or_NaN_radius_is_refused_by_the_threat_model(double epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreatModel(Norm.Linf, epsilon));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreatModel(Norm.Linf, 0.1) with { Epsilon = epsilon });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgdAttack(epsilon, 10));
    }
}
