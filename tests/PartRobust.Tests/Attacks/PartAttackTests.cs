using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Evaluation;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Attacks;

public class PartAttackTests
{
    const int Side = 4, Parts = 5;

    /// <summary>
    /// A binary part model that is affine end to end, inputs in [0.3,0.7] and ε below 0.3 so the box never binds:
    /// a point is robust iff its margin exceeds ε·Σ_ch |G_y,ch − G_o,ch| (L∞), with G the per-channel logit gradient
    /// summed over pixels.
    /// </summary>
    static (AffinePartModel Model, Tensor X, Tensor Y, PartTruth Truth, double Expected) Binary(int n, int seed, double eps) =>
        BinaryWithEps(n, seed, eps) is var r ? (r.Model, r.X, r.Y, r.Truth, r.Expected) : default;

    /// <summary>As <see cref="Binary"/>; with <paramref name="eps"/> null, ε is set to the median robustness radius so
    /// about half the points are robust.</summary>
    static (AffinePartModel Model, Tensor X, Tensor Y, PartTruth Truth, double Expected, double Eps) BinaryWithEps(int n, int seed, double? eps)
    {
        var g = new Generator((ulong)seed);
        var model = new AffinePartModel(2, Parts, g);
        var x = (rand(new long[] { n, 3, Side, Side }, generator: g) * 0.4 + 0.3).to_type(ScalarType.Float32);
        Tensor logits;
        using (no_grad())
        {
            // Centre the decision boundary on the data so both classes occur (seg-guided needs a guide of the other class).
            logits = model.call(x);
            var bias = model.named_parameters().First(p => p.name == "head.bias").parameter;
            var (sorted, _) = (logits[.., 0] - logits[.., 1]).sort();
            bias[0] = bias[0] - (sorted[n / 2 - 1] + sorted[n / 2]) / 2; // between two points: no margin is exactly 0
            logits = model.call(x);
        }
        var y = logits.argmax(1);
        var masks = randint(0, Parts, new long[] { n, Side, Side }, generator: g);
        var grad = model.ChannelGradient(); // [2,3]
        double l1 = (grad[0] - grad[1]).abs().sum().item<float>();
        var margin = (logits.gather(1, y.view(-1, 1)) - logits.gather(1, (1 - y).view(-1, 1))).squeeze(1).data<float>().ToArray();
        double e = eps ?? margin.OrderBy(m => m).ElementAt(n / 2) / l1 * 0.999;
        Assert.InRange(e, 1e-4, 0.29); // the box [0,1] never binds for inputs in [0.3,0.7]
        double expected = margin.Count(m => m > e * l1) / (double)n;
        return (model, x, y, new PartTruth(masks, masks, y), expected, e);
    }

    static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor adv, Tensor y)
    {
        using var _ = no_grad();
        return model.call(adv).argmax(1).eq(y).to_type(ScalarType.Float32).mean().item<float>();
    }

    [Fact]
    public void SegSumWithoutThePartTermIsExactlyPgd()
    {
        var g = new Generator(3);
        var model = new TinyPartModel(3, Parts);
        var x = rand(new long[] { 12, 3, 8, 8 }, generator: g);
        var y = randint(0, 3, new long[] { 12 }, generator: g);
        var masks = randint(0, Parts, new long[] { 12, 8, 8 }, generator: g);
        double eps = 8.0 / 255;
        var segSum = new SegSumAttack(eps, segWeight: 0, steps: 7, restarts: 2, seed: 5);
        var pgd = new PgdAttack(eps, 7, Math.Max(0.001, eps / 40), 2, seed: 5);
        var a = segSum.Perturb(model, x, y, new PartTruth(masks, masks, y));
        var b = pgd.Perturb(model, x, y);
        Assert.Equal(0.0, (a - b).abs().max().item<float>());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void SegSumAndSegGuidedReachTheAnalyticRobustAccuracyOfAnAffinePartModel(int seed)
    {
        var (model, x, y, truth, expected, eps) = BinaryWithEps(200, seed, null);
        Assert.InRange(expected, 0.3, 0.7); // both robust and breakable points exist
        var segSum = new SegSumAttack(eps, segWeight: 0, restarts: 1, seed: 1).Perturb(model, x, y, truth);
        Assert.Equal(expected, Accuracy(model, segSum, y), 3);
        var guided = new SegGuidedAttack(eps, seed: 1).Perturb(model, x, y, truth);
        Assert.Equal(expected, Accuracy(model, guided, y), 3);
    }

    [Fact]
    public void SegSumOnThePartTermAloneRaisesThePartLoss()
    {
        var (model, x, y, truth, _) = Binary(64, 21, 0.05);
        var adv = new SegSumAttack(0.05, segWeight: 1, restarts: 1, steps: 20, seed: 2).Perturb(model, x, y, truth);
        using var _ = no_grad();
        var before = PartRobust.Models.PartLoss.SegmentationPerSample(model.ForwardWithParts(x).PartLogits, truth.Masks);
        var after = PartRobust.Models.PartLoss.SegmentationPerSample(model.ForwardWithParts(adv).PartLogits, truth.Masks);
        // Per sample a misclassified iterate wins (robust accuracy is what is reported); every other one must have
        // a higher part loss than the clean image.
        var fooled = model.call(adv).argmax(1).ne(y);
        Assert.True(after.gt(before).logical_or(fooled).all().item<bool>(), "the attack must raise the part loss of every sample it did not misclassify");
        Assert.True(after.mean().item<float>() > before.mean().item<float>());
    }

    /// <summary>
    /// The mask attack of seg-inverse against the linear tiny classifier: the smallest L2 change of the part logits that
    /// flips the class is margin·√(HW)/‖w_y − w_o‖₂, so a radius above every point's minimum fools all points and one
    /// below every point's minimum fools none.
    /// </summary>
    [Fact]
    public void SegInverseMaskAttackMatchesTheAnalyticMinimalLogitChange()
    {
        var (model, x, y, _, _) = Binary(50, 31, 0.05);
        Tensor parts, logits;
        using (no_grad()) (logits, parts) = model.ForwardWithParts(x);
        var head = model.named_parameters().First(p => p.name == "head.weight").parameter.detach();
        double dw = (head[0] - head[1]).norm().item<float>();
        var margin = (logits.gather(1, y.view(-1, 1)) - logits.gather(1, (1 - y).view(-1, 1))).squeeze(1).data<float>().ToArray();
        var minimal = margin.Select(m => m * Side / dw).ToArray(); // √(HW) = Side
        using (no_grad())
        {
            var big = new SegInverseAttack(0.05, maskEpsilon: minimal.Max() * 1.2).AdversarialMask(model, parts, y);
            Assert.True(model.ClassifyParts(big).argmax(1).ne(y).all().item<bool>(), "every point must be fooled above the minimal radius");
            var small = new SegInverseAttack(0.05, maskEpsilon: minimal.Min() * 0.8).AdversarialMask(model, parts, y);
            Assert.True(model.ClassifyParts(small).argmax(1).eq(y).all().item<bool>(), "no point can be fooled below the minimal radius");
        }
    }

    /// <summary>
    /// The reference's <c>_load_guides</c> + <c>2nd_pred_by_scores</c>: each pool mask is filed under the class the tiny
    /// classifier predicts on its one-hot mask ×1000, and a class's guides are its masks by descending softmax score.
    /// </summary>
    [Fact]
    public void GuidesOfEachClassAreThePoolMasksTheClassifierAssignsToItBestScoreFirst()
    {
        var g = new Generator(41);
        var model = new AffinePartModel(3, Parts, g);
        var head = model.named_parameters().First(p => p.name == "head.weight").parameter;
        using (no_grad()) head.mul_(0.003); // keep the softmax of logits ~1000·w away from exact 0/1, so scores are distinct
        var masks = randint(0, Parts, new long[] { 40, Side, Side }, generator: g);
        masks[0, 0, 0] = tensor(-1L); // an ignored pixel counts as background
        var labels = randint(0, 3, new long[] { 40 }, generator: g);
        var guides = SegGuidedAttack.GuidesPerClass(model, new PartTruth(masks, masks, labels), Parts, 3, count: 5);
        // Independent score: the head is linear on the mean of the one-hot ×1000 logits.
        var w = head.detach().to_type(ScalarType.Float64);
        var bias = model.named_parameters().First(p => p.name == "head.bias").parameter.detach().to_type(ScalarType.Float64);
        var byClass = Enumerable.Range(0, 3).Select(_ => new List<(double Score, int Index)>()).ToArray();
        var probs = new double[40][];
        for (int j = 0; j < 40; j++)
        {
            var counts = nn.functional.one_hot(masks[j].clamp_min(0).flatten(), Parts).to_type(ScalarType.Float64).mean(new long[] { 0 });
            probs[j] = (w.matmul(counts * 1000) + bias).softmax(0).data<double>().ToArray();
            int c = Array.IndexOf(probs[j], probs[j].Max());
            byClass[c].Add((probs[j][c], j));
        }
        var lab = labels.data<long>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            // A class no mask is assigned to falls back to the masks labelled with it.
            var candidates = byClass[c].Count > 0 ? byClass[c]
                : Enumerable.Range(0, 40).Where(j => lab[j] == c).Select(j => (probs[j][c], j)).ToList();
            Assert.Equal(candidates.OrderByDescending(s => s.Item1).Take(5).Select(s => (long)s.Item2), guides[c]);
        }
        Assert.Contains(guides, list => list.Length == 5);
        Assert.Contains(byClass, list => list.Count == 0); // the fallback is exercised (seed chosen for it)
    }

    [Fact]
    public void SegGuidedAndSegInverseDefaultsAreTheAuthorsEvaluationSettings()
    {
        double eps = 8.0 / 255;
        var guided = Assert.IsType<SegGuidedAttack>(AttackRegistry.Create("seg-guided", new ThreatModel(Norm.Linf, eps), 11));
        // setup_eval_attacker: seg-guide/2nd_pred_by_scores/0.0/ts → 100 steps of max(0.001, ε/4/(100/10)), 5 restarts, c 0, two stages.
        Assert.Equal((100, 0.001, 5, 0.0, true), (guided.Steps, guided.StepSize, guided.Restarts, guided.SegWeight, guided.TwoStage));
        var inverse = Assert.IsType<SegInverseAttack>(AttackRegistry.Create("seg-inverse", new ThreatModel(Norm.Linf, eps), 11));
        // seg-inverse: the same 100 steps, num_restarts 2, mask radius side·√K (224·√K at 224 px), mask steps = pgd_steps.
        Assert.Equal((100, 100, 0.001, 2, (double?)null), (inverse.Steps, inverse.MaskSteps, inverse.StepSize, inverse.Restarts, inverse.MaskEpsilon));
        Assert.Equal(0.5, inverse.SegWeight);
        Assert.Equal(0.3, Assert.IsType<SegInverseAttack>(AttackRegistry.Create("seg-inverse:0.3", new ThreatModel(Norm.Linf, eps), 11)).SegWeight);
        Assert.Equal(0.25, Assert.IsType<SegGuidedAttack>(AttackRegistry.Create("seg-guided:0.25", new ThreatModel(Norm.Linf, eps), 11)).SegWeight);
        Assert.Equal(0.0025, Assert.IsType<SegGuidedAttack>(AttackRegistry.Create("seg-guided", new ThreatModel(Norm.Linf, 0.1), 11)).StepSize, 12);
    }

    /// <summary>
    /// The mask attack starts from a random point of the sphere and stays on it (the reference projects onto the sphere,
    /// not into the ball): every returned mask is at L2 distance exactly the radius from the clean part logits, and two
    /// restarts start from different points.
    /// </summary>
    [Fact]
    public void SegInverseMaskAttackStaysOnTheSphereFromARandomStart()
    {
        var (model, x, y, _, _) = Binary(20, 33, 0.05);
        Tensor parts;
        using (no_grad()) parts = model.ForwardWithParts(x).PartLogits;
        var attack = new SegInverseAttack(0.05, maskEpsilon: 0.7, maskSteps: 3, seed: 4);
        var first = attack.AdversarialMask(model, parts, y);
        var second = attack.AdversarialMask(model, parts, y);
        var distance = (first - parts).flatten(1).norm(1).data<float>().ToArray();
        Assert.All(distance, d => Assert.Equal(0.7, d, 4));
        Assert.True((first - second).abs().max().item<float>() > 1e-3, "each call must start from a new random point");
    }

    public static IEnumerable<object[]> AllPartAttacks()
    {
        foreach (var norm in new[] { Norm.Linf, Norm.L2 })
            foreach (var eps in new[] { 0.0, 0.02, 0.3 })
            {
                yield return new object[] { "seg-sum", norm, eps };
                yield return new object[] { "seg-guided", norm, eps };
                yield return new object[] { "seg-inverse", norm, eps };
            }
    }

    [Theory]
    [MemberData(nameof(AllPartAttacks))]
    public void PartAttacksStayInTheBallAndBox(string name, Norm norm, double eps)
    {
        var g = new Generator(51);
        var model = new TinyPartModel(4, Parts);
        var x = rand(new long[] { 10, 3, 8, 8 }, generator: g);
        x = where(x.lt(0.1), zeros_like(x), where(x.gt(0.9), ones_like(x), x)); // pixels on the faces of the box
        var y = randint(0, 4, new long[] { 10 }, generator: g);
        var masks = randint(-1, Parts, new long[] { 10, 8, 8 }, generator: g);
        // Few steps keep the test fast; the projection runs after every step whatever their number.
        IPartAttack attack = name switch
        {
            "seg-sum" => new SegSumAttack(eps, steps: 6, restarts: 2, norm: norm, seed: 3),
            "seg-guided" => new SegGuidedAttack(eps, segWeight: 0.3, steps: 6, norm: norm, seed: 3),
            _ => new SegInverseAttack(eps, maskSteps: 6, steps: 6, norm: norm, seed: 3),
        };
        var adv = attack.Perturb(model, x, y, new PartTruth(masks, masks, y));
        attack.Threat.Verify(x, adv); // throws outside the ball or box
        Assert.Equal(x.shape, adv.shape);
    }

    [Fact]
    public void PartAttacksRefusePlainClassifiersAndMissingMasks()
    {
        var g = new Generator(61);
        var x = rand(new long[] { 4, 3, 8, 8 }, generator: g);
        var y = randint(0, 3, new long[] { 4 }, generator: g);
        var attack = new SegSumAttack(0.03);
        Assert.Throws<InvalidOperationException>(() => attack.Perturb(new TinyPartModel(3, Parts), x, y));
        var masks = zeros(new long[] { 4, 8, 8 }, dtype: ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => attack.Perturb(new TinyConvClassifier(3), x, y, new PartTruth(masks, masks, y)));
        Assert.Contains("part model", e.Message);
    }

    [Fact]
    public void RegistryParsesThePartLossWeight()
    {
        var t = new ThreatModel(Norm.Linf, 0.03);
        Assert.Equal(0.1, ((SegSumAttack)AttackRegistry.Create("seg-sum:0.1", t, 11)).SegWeight);
        Assert.Equal("seg-sum:0.1", AttackRegistry.Create("seg-sum:0.1", t, 11).Name);
        Assert.Equal(0.0, ((SegGuidedAttack)AttackRegistry.Create("seg-guided", t, 11)).SegWeight);
        Assert.Throws<ArgumentException>(() => AttackRegistry.Create("seg-sum:2", t, 11));
        Assert.Throws<ArgumentException>(() => AttackRegistry.Create("square:0.1", t, 11));
        Assert.True(AttackRegistry.NeedsPartModel("apgd-ce+seg-sum:0.3"));
        Assert.False(AttackRegistry.NeedsPartModel("aa"));
    }

    [Fact]
    public void SequenceAndEvaluatorPassTheMasksOfTheAttackedPoints()
    {
        var (model, x, y, truth, expected) = Binary(80, 71, 0.05);
        var taxonomy = new PartTaxonomy(["a", "b"], ["background", "a-1", "a-2", "b-1", "b-2"], [-1, 0, 0, 1, 1]);
        using var data = new PartDataset(x, truth.Masks, y, taxonomy);
        var seq = new AttackSequence(new IAttack[] { new ApgdAttack(0.05, iterations: 5), new SegSumAttack(0.05, segWeight: 0, restarts: 1, seed: 1) });
        var r = Evaluator.RobustAccuracy(model, data, seq, 32, NullProgress.Instance);
        Assert.Equal(expected, r.Accuracy, 3);
        Assert.Equal(2, r.RobustAfterStage!.Length);
        Assert.Throws<ArgumentException>(() => Evaluator.RobustAccuracy(new TinyConvClassifier(2), data, new SegSumAttack(0.05), 32, NullProgress.Instance));
    }
}
