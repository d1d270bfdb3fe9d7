using PartRobust.Attacks;
using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Runs;
using PartRobust.Tests.Reporting;
using PartRobust.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class TwoHeadedModelTests
{
    const int K = 5, C = 3, Size = 32;

    static TwoHeadedPartModel Model(string name, int width = 8) =>
        (TwoHeadedPartModel)ModelRegistry.Create(new ModelSpec(name, C, K, Size, Width: width));

    static Tensor Images(int b) => torch.rand(new long[] { b, 3, Size, Size }, generator: new Generator(7));

    /// <summary>A segmenter with the paper's feature sizes (DeepLabv3+ R50: 256-channel decoder at stride 4, 2048-channel encoder) and no weights.</summary>
    sealed class PaperSizedSegmenter : nn.Module<Tensor, Tensor>, IPartSegmenter
    {
        public PaperSizedSegmenter() : base(nameof(PaperSizedSegmenter)) { }
        public int NumSegLabels => 41;
        public int EncoderChannels => 2048;
        public int EncoderStride => 16;
        public int DecoderChannels => 256;
        public int DecoderStride => 4;
        public SegmenterOutput ForwardFeatures(Tensor normalizedImages) => throw new NotSupportedException();
        public override Tensor forward(Tensor x) => throw new NotSupportedException();
    }

    [Theory]
    // Decoder head, 224 px, stride 4 → 56×56×256: Conv3×3 256·50·9+50 = 115,250; BN 100; Conv1×1 510; BN 20;
    // 56→54→27→27→13: Linear(10·13·13 = 1690, 100) 169,100; Linear(100, C) 101·C... = 100C + C.
    //   C = 11: 115,250 + 100 + 510 + 20 + 169,100 + 1,111 = 286,091;  C = 2: 284,980 + 202 = 285,182.
    [InlineData(TwoHeadedVariant.Decoder, 11, 286_091)]
    [InlineData(TwoHeadedVariant.Decoder, 2, 285_182)]
    // Encoder head on 2048 channels: BN 4,096; Conv(2048,64,4×4) 2,097,216; BN 128; Linear(64,C) 65C.
    //   C = 11: 4,096 + 2,097,216 + 128 + 715 = 2,102,155;  C = 2: 2,101,440 + 130 = 2,101,570.
    [InlineData(TwoHeadedVariant.Encoder, 11, 2_102_155)]
    [InlineData(TwoHeadedVariant.Encoder, 2, 2_101_570)]
    public void Class_head_parameter_count_at_the_paper_sizes(TwoHeadedVariant variant, int classes, long expected)
    {
        var model = new TwoHeadedPartModel(new PaperSizedSegmenter(), classes, 224, variant);
        Assert.Equal(expected, model.ClassHead.ParameterCount());
    }

    [Fact]
    public void Parameter_counts_with_the_compact_segmenter_at_32_px_width_8()
    {
        // Compact segmenter at 32 px, width 8: small stem, decoder 4·8 = 32 channels at stride 2 (16×16), encoder 64 channels.
        // d: Conv(32,50,3×3) 14,450; BN 100; Conv(50,10,1) 510; BN 20; 16→14→7→7→3: Linear(90,100) 9,100; Linear(100,3) 303 → 24,483.
        // e: BN(64) 128; Conv(64,64,4×4) 65,600; BN(64) 128; Linear(64,3) 195 → 66,051.
        var d = Model("part-2heads-d");
        var e = Model("part-2heads-e");
        Assert.Equal(24_483, d.ClassHead.ParameterCount());
        Assert.Equal(66_051, e.ClassHead.ParameterCount());
        Assert.Equal(d.Segmenter.ParameterCount() + 24_483, d.ParameterCount());
        Assert.Equal(e.Segmenter.ParameterCount() + 66_051, e.ParameterCount());
        Assert.Equal(d.Segmenter.ParameterCount(), e.Segmenter.ParameterCount());
    }

    [Theory]
    [InlineData("part-2heads-d")]
    [InlineData("part-2heads-e")]
    public void Class_logits_come_from_the_class_head_and_part_logits_from_the_segmentation_head(string name)
    {
        // The reference's 2heads_e returned the masks as class logits (in the authors' part-model code); here the order is checked by value.
        using var scope = torch.NewDisposeScope();
        var model = Model(name);
        model.eval();
        var x = Images(2);
        var (cls, parts) = model.ForwardWithParts(x);
        Assert.Equal(new long[] { 2, C }, cls.shape);
        Assert.Equal(new long[] { 2, K, Size, Size }, parts.shape);

        var xn = new ImageNormalization().call(x);
        var f = ((IPartSegmenter)model.Segmenter).ForwardFeatures(xn);
        var expected = model.ClassHead.call(name.EndsWith("-d") ? f.Decoder : f.Encoder);
        Assert.True(cls.allclose(expected, rtol: 1e-4, atol: 1e-5));
        Assert.True(parts.allclose(f.Logits, rtol: 1e-4, atol: 1e-5));
        Assert.True(model.call(x).allclose(cls, rtol: 1e-4, atol: 1e-5));
        Assert.IsNotAssignableFrom<IBottomUpPartModel>(model);
    }

    [Fact]
    public void Decoder_head_rejects_inputs_of_another_size_and_too_small_decoders()
    {
        using var scope = torch.NewDisposeScope();
        var d = Model("part-2heads-d", 4);
        d.eval();
        var e = Assert.Throws<ArgumentException>(() => d.call(torch.rand(1, 3, 48, 48)));
        Assert.Contains("image size", e.Message);
        Assert.Equal(16, TwoHeadedPartModel.DecoderSide(64, 4));
        Assert.Equal(56, TwoHeadedPartModel.DecoderSide(224, 4));
        Assert.Equal(25, TwoHeadedPartModel.DecoderSide(98, 4));
        Assert.Throws<ArgumentException>(() => new TwoHeadedPartModel(new PaperSizedSegmenter(), 2, 20, TwoHeadedVariant.Decoder));
    }

    [Fact]
    public void Mask_attacks_refuse_a_two_headed_model_in_one_line_and_seg_sum_runs()
    {
        using var scope = torch.NewDisposeScope();
        var model = Model("part-2heads-e", 4);
        var x = Images(2);
        var y = torch.tensor(new long[] { 0, 2 });
        var masks = torch.randint(0, K, new long[] { 2, Size, Size }, generator: new Generator(3));
        var truth = new PartTruth(masks, masks, y);
        foreach (IPartAttack attack in new IPartAttack[] { new SegGuidedAttack(8.0 / 255, steps: 1), new SegInverseAttack(8.0 / 255, maskSteps: 1, steps: 1) })
        {
            var e = Assert.Throws<ArgumentException>(() => attack.Perturb(model, x, y, truth));
            Assert.StartsWith($"attack {attack.Name} works through the part mask", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        var sum = new SegSumAttack(8.0 / 255, steps: 2, restarts: 1, seed: 1);
        var adv = sum.Perturb(model, x, y, truth);
        sum.Threat.Verify(x, adv);
        Assert.Equal(x.shape, adv.shape);

        Assert.Null(AttackRegistry.NotApplicableReason("seg-sum:0.3", model));
        Assert.NotNull(AttackRegistry.NotApplicableReason("seg-guided", model));
        Assert.NotNull(AttackRegistry.NotApplicableReason("apgd-ce+seg-inverse", model));
        Assert.Null(AttackRegistry.NotApplicableReason("seg-guided", new TinyPartModel(3, K)));
        Assert.Equal("needs a part model", AttackRegistry.NotApplicableReason("seg-sum", new TinyConvClassifier(3)));
        Assert.Null(AttackRegistry.NotApplicableReason("aa", new TinyConvClassifier(3)));
    }

    [Fact]
    public void Evaluation_runs_the_applicable_adaptive_attacks_and_the_report_names_the_others()
    {
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish", "Snake", "Bird" });
        manual_seed(5);
        using var data = new PartDataset(rand(4, 3, 8, 8), randint(0, taxonomy.NumSegLabels, new long[] { 4, 8, 8 }), randint(0, 4, 4), taxonomy);
        using var model = new TinyTwoHeadModel(4, taxonomy.NumSegLabels);
        var eval = new EvalOptions
        {
            AutoAttackPoints = 2, MaskingChecks = false, AdaptiveAttacks = ["seg-sum", "seg-guided", "seg-inverse"], AdversarialExamples = 0,
            BatchSize = 4, PgdSteps = 2,
        };
        var evaluation = new ModelEvaluation(model, "two", "Two-headed", 1, data, data, eval, NullProgress.Instance);
        evaluation.RunAttacks();
        evaluation.RunAutoAttack();
        var result = evaluation.Finish();
        Assert.Contains("seg-sum", result.RobustAccuracy.Keys);
        Assert.DoesNotContain("seg-guided", result.RobustAccuracy.Keys);
        Assert.DoesNotContain("seg-inverse", result.RobustAccuracy.Keys);
        Assert.Equal(new[] { "seg-guided", "seg-inverse" }, result.AttacksNotApplicable!.Keys.Order());

        var md = ReportWriter.ToMarkdown(ReportSamples.TempDir(), ReportSamples.Report(4, result), [], "cmd");
        Assert.Contains("Not run because they do not apply: seg-guided and seg-inverse for Two-headed (works through the part mask", md);
    }
}
