using PartRobust.Models;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;
using ResNet = PartRobust.Models.ResNet;

namespace PartRobust.Tests.Models;

/// <summary>torchvision ResNets and the paper's segmenters: names, sizes, shapes, dilation, weight round trips.</summary>
public class ResNetZooTests
{
    const int K = 41, C = 11;

    static string[] ExpectedKeys(string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Models", "TestData", file))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    static void AssertSameKeys(IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var e = expected.ToHashSet();
        var a = actual.ToHashSet();
        var missing = e.Except(a).Take(5).ToArray();
        var extra = a.Except(e).Take(5).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"missing: {string.Join(", ", missing)}; unexpected: {string.Join(", ", extra)}");
        Assert.Equal(e.Count, a.Count);
    }

    static Conv2d Conv(nn.Module m, string name) =>
        (Conv2d)m.named_modules().Single(x => x.name == name).module;

    [Theory]
    [InlineData(18, "torchvision_resnet18.txt")]
    [InlineData(50, "torchvision_resnet50.txt")]
    public void Classifier_keys_are_torchvisions(int depth, string file)
    {
        using var m = ResNet.Classifier(depth, 1000, 64, 224);
        AssertSameKeys(ExpectedKeys(file), m.state_dict().Keys);
        // The registry entry too: normalisation inside adds no keys.
        using var r = ModelRegistry.Create(new ModelSpec($"resnet{depth}", 1000, K, 224, Width: 64));
        AssertSameKeys(ExpectedKeys(file), r.state_dict().Keys);
    }

    [Fact]
    public void DeepLabV3Plus_keys_are_smps_and_a_part_model_prefixes_them_with_segmenter()
    {
        using var seg = new DeepLabV3PlusSegmenter(50, K);
        AssertSameKeys(ExpectedKeys("smp_deeplabv3plus_resnet50.txt"), seg.state_dict().Keys);
        using var pm = ModelRegistry.Create(new ModelSpec("part-downsampled", C, K, 64) { Segmenter = "deeplabv3plus-resnet50" });
        AssertSameKeys(ExpectedKeys("smp_deeplabv3plus_resnet50.txt").Select(k => "segmenter." + k),
            pm.state_dict().Keys.Where(k => k.StartsWith("segmenter.", StringComparison.Ordinal)));
    }

    [Fact]
    public void DeepLabV3_keys_are_torchvisions()
    {
        using var seg = new DeepLabV3Segmenter(50, K);
        AssertSameKeys(ExpectedKeys("torchvision_deeplabv3_resnet50.txt"), seg.state_dict().Keys);
    }

    [Theory]
    // torchvision resnet18/34/50(num_classes=1000).
    [InlineData(18, 11_689_512)]
    [InlineData(34, 21_797_672)]
    [InlineData(50, 25_557_032)]
    public void Parameter_counts_match_torchvision(int depth, long count)
    {
        using var m = new ResNet(depth, 1000);
        Assert.Equal(count, m.ParameterCount());
    }

    [Fact]
    public void DeepLabV3Plus_resnet50_parameter_count()
    {
        using var seg = new DeepLabV3PlusSegmenter(50, K);
        long encoder = seg.named_parameters().Where(p => p.name.StartsWith("encoder.")).Sum(p => p.parameter.numel());
        long decoder = seg.named_parameters().Where(p => p.name.StartsWith("decoder.")).Sum(p => p.parameter.numel());
        long head = seg.named_parameters().Where(p => p.name.StartsWith("segmentation_head.")).Sum(p => p.parameter.numel());
        // smp's resnet50 encoder = torchvision resnet50 minus fc (2048·1000 + 1000).
        Assert.Equal(25_557_032 - 2_049_000, encoder);
        Assert.Equal(23_508_032, encoder);
        // Decoder from the layer definitions (BN = 2 parameters per channel):
        //   aspp.0.convs.0   1×1 2048→256 + BN                      524,288 + 512        =   524,800
        //   aspp.0.convs.1-3 dw 3×3 on 2048 + pw 2048→256 + BN, ×3 (18,432 + 524,288 + 512)·3 = 1,629,696
        //   aspp.0.convs.4   pooling 1×1 2048→256 + BN               524,288 + 512        =   524,800
        //   aspp.0.project   1×1 1280→256 + BN                       327,680 + 512        =   328,192
        //   aspp.1 + aspp.2  dw 3×3 on 256 + pw 256→256 + BN         2,304 + 65,536 + 512 =    68,352
        //   block1           1×1 256→48 + BN                         12,288 + 96          =    12,384
        //   block2           dw 3×3 on 304 + pw 304→256 + BN         2,736 + 77,824 + 512 =    81,072
        Assert.Equal(3_169_296, decoder);
        Assert.Equal(256 * K + K, head); // 10,537
        Assert.Equal(26_687_865, seg.ParameterCount());
    }

    [Fact]
    public void DeepLabV3_resnet50_parameter_count_matches_torchvision_without_aux_head()
    {
        // torchvision's deeplabv3_resnet50 weights (21 classes, with the aux FCNHead) report 42,004,074 parameters;
        // FCNHead(1024, 21) = 3×3 1024→256 (2,359,296) + BN (512) + 1×1 256→21 with bias (5,397) = 2,365,205.
        using var seg = new DeepLabV3Segmenter(50, 21);
        Assert.Equal(42_004_074 - 2_365_205, seg.ParameterCount());
    }

    [Fact]
    public void Forward_shapes_and_segmenter_features_at_64_px()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = rand(1, 3, 64, 64);
        using (var r50 = ResNet.Classifier(50, C, 64, 224))
        {
            r50.eval();
            Assert.Equal(new long[] { 1, C }, r50.call(x).shape);
            var f = r50.Features(x);
            Assert.Equal(new long[] { 1, 64, 32, 32 }, f.Stem.shape);
            Assert.Equal(new long[] { 1, 256, 16, 16 }, f.Layer1.shape);
            Assert.Equal(new long[] { 1, 2048, 2, 2 }, f.Layer4.shape);
        }
        using (var plus = new DeepLabV3PlusSegmenter(50, K))
        {
            plus.eval();
            var o = plus.ForwardFeatures(x);
            Assert.Equal(new long[] { 1, K, 64, 64 }, o.Logits.shape);
            Assert.Equal(new long[] { 1, 256, 16, 16 }, o.Decoder.shape);
            Assert.Equal(new long[] { 1, 2048, 4, 4 }, o.Encoder.shape);
            Assert.Equal((2048, 16, 256, 4), (plus.EncoderChannels, plus.EncoderStride, plus.DecoderChannels, plus.DecoderStride));
            Assert.Throws<ArgumentException>(() => plus.call(rand(1, 3, 72, 72)));
        }
        using (var v3 = new DeepLabV3Segmenter(50, K))
        {
            v3.eval();
            var o = v3.ForwardFeatures(x);
            Assert.Equal(new long[] { 1, K, 64, 64 }, o.Logits.shape);
            Assert.Equal(new long[] { 1, 256, 8, 8 }, o.Decoder.shape);
            Assert.Equal(new long[] { 1, 2048, 8, 8 }, o.Encoder.shape);
            Assert.Equal((2048, 8, 256, 8), (v3.EncoderChannels, v3.EncoderStride, v3.DecoderChannels, v3.DecoderStride));
            Assert.Equal(new long[] { 1, K, 40, 56 }, v3.call(rand(1, 3, 40, 56)).shape);
        }
        using (var plus18 = new DeepLabV3PlusSegmenter(18, 5))
        {
            plus18.eval();
            var o = plus18.ForwardFeatures(rand(2, 3, 32, 48));
            Assert.Equal(new long[] { 2, 5, 32, 48 }, o.Logits.shape);
            Assert.Equal(new long[] { 2, 512, 2, 3 }, o.Encoder.shape);
        }
    }

    [Fact]
    public void Logit_upsampling_uses_align_corners_true_in_DeepLabV3Plus_and_false_in_DeepLabV3()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = rand(1, 3, 64, 64);
        Tensor Param(nn.Module m, string name) => m.named_parameters().Single(p => p.name == name).parameter;

        // smp: nn.UpsamplingBilinear2d(scale_factor=4) on the 16×16 head output. align_corners=True puts output
        // column 1 at source x = 1·15/63; align_corners=False would put it at −0.125, i.e. clamp to column 0.
        using (var plus = new DeepLabV3PlusSegmenter(18, 3))
        {
            plus.eval();
            var o = plus.ForwardFeatures(x);
            var head = nn.functional.conv2d(o.Decoder, Param(plus, "segmentation_head.0.weight"), Param(plus, "segmentation_head.0.bias"));
            var expected = head[.., .., 0, 0] + (head[.., .., 0, 1] - head[.., .., 0, 0]) * (15.0 / 63.0);
            Assert.True(o.Logits[.., .., 0, 1].allclose(expected, rtol: 1e-4, atol: 1e-5));
        }
        // torchvision: F.interpolate(size=input, bilinear, align_corners=False) from 8×8: output column 4 sits at
        // source x = 4.5/8 − 0.5 = 0.0625.
        using (var v3 = new DeepLabV3Segmenter(18, 3))
        {
            v3.eval();
            var o = v3.ForwardFeatures(x);
            var head = nn.functional.conv2d(o.Decoder, Param(v3, "classifier.4.weight"), Param(v3, "classifier.4.bias"));
            var expected = head[.., .., 0, 0] + (head[.., .., 0, 1] - head[.., .., 0, 0]) * 0.0625;
            Assert.True(o.Logits[.., .., 0, 4].allclose(expected, rtol: 1e-4, atol: 1e-5));
            Assert.True(o.Logits[.., .., 0, 1].allclose(head[.., .., 0, 0], rtol: 1e-4, atol: 1e-5));
        }
    }

    [Theory]
    [InlineData("resnet50")]
    [InlineData("deeplabv3plus-resnet50")]
    public void Safetensors_round_trip_is_bit_identical(string what)
    {
        using var scope = NewDisposeScope();
        nn.Module<Tensor, Tensor> Build() => what == "resnet50"
            ? ResNet.Classifier(50, C, 64, 224)
            : new DeepLabV3PlusSegmenter(50, K);
        manual_seed(5);
        var model = Build();
        // Move the batch-norm statistics so that buffers are part of the test.
        model.train();
        using (no_grad()) model.call(rand(2, 3, 64, 64));
        model.eval();
        var x = rand(2, 3, 64, 64);
        var expected = model.call(x);

        string path = Path.Combine(Path.GetTempPath(), $"zoo-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.save_safetensors(path);
            manual_seed(6);
            var fresh = Build();
            fresh.eval();
            Assert.False(fresh.call(x).equal(expected).all().item<bool>());
            fresh.load_safetensors(path, strict: true);
            var got = fresh.call(x);
            Assert.Equal(expected.data<float>().ToArray(), got.data<float>().ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Output_stride_16_dilates_layer4_in_torchvisions_or_smps_way()
    {
        using var scope = NewDisposeScope();
        using var tv = new ResNet(50, null, outputStride: 16, dilationStyle: ResNetDilationStyle.Torchvision);
        using var smp = new ResNet(50, null, outputStride: 16, dilationStyle: ResNetDilationStyle.Smp);
        foreach (var m in new[] { tv, smp })
        {
            Assert.Equal(new[] { 4, 8, 16, 16 }, m.StageStrides);
            Assert.Equal(new long[] { 1, 2048, 4, 4 }, m.call(rand(1, 3, 64, 64)).shape); // 1/16 of 64 px
        }
        // torchvision: the first block of the dilated stage keeps the previous dilation; 1×1 convs untouched.
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer4.0.conv2").dilation);
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer4.0.conv2").padding);
        Assert.Equal(new long[] { 2, 2 }, Conv(tv, "layer4.1.conv2").dilation);
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer4.0.downsample.0").stride);
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer4.0.downsample.0").dilation);
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer4.1.conv1").dilation);
        // smp: every conv of the stage gets stride 1, dilation 2, padding (k//2)·2.
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer4.0.conv2").dilation);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer4.0.conv2").padding);
        Assert.Equal(new long[] { 1, 1 }, Conv(smp, "layer4.0.conv2").stride);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer4.0.conv1").dilation);
        Assert.Equal(new long[] { 0, 0 }, Conv(smp, "layer4.0.conv1").padding);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer4.0.downsample.0").dilation);
        Assert.Equal(new long[] { 1, 1 }, Conv(smp, "layer4.0.downsample.0").stride);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer4.2.conv2").dilation);
        Assert.Equal(new long[] { 1, 1 }, Conv(smp, "layer3.0.conv2").dilation);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer3.0.conv2").stride);

        // Same names and shapes, so the same weights load into both, but the first block differs.
        smp.load_state_dict(tv.state_dict());
        tv.eval();
        smp.eval();
        var x = rand(1, 3, 64, 64);
        Assert.False(tv.call(x).allclose(smp.call(x), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Output_stride_8_dilates_layer3_and_layer4()
    {
        using var scope = NewDisposeScope();
        using var tv = new ResNet(18, null, outputStride: 8, dilationStyle: ResNetDilationStyle.Torchvision);
        using var smp = new ResNet(18, null, outputStride: 8, dilationStyle: ResNetDilationStyle.Smp);
        Assert.Equal(new[] { 4, 8, 8, 8 }, tv.StageStrides);
        Assert.Equal(new[] { 1, 1, 2, 4 }, tv.StageDilations);
        Assert.Equal(new long[] { 1, 512, 8, 8 }, tv.call(rand(1, 3, 64, 64)).shape);
        Assert.Equal(new long[] { 1, 512, 8, 8 }, smp.call(rand(1, 3, 64, 64)).shape);
        // torchvision: layer3.0 dilation 1, layer3.1 2, layer4.0 2 (the previous one), layer4.1 4.
        Assert.Equal(new long[] { 1, 1 }, Conv(tv, "layer3.0.conv1").dilation);
        Assert.Equal(new long[] { 2, 2 }, Conv(tv, "layer3.1.conv1").dilation);
        Assert.Equal(new long[] { 2, 2 }, Conv(tv, "layer4.0.conv2").dilation);
        Assert.Equal(new long[] { 4, 4 }, Conv(tv, "layer4.1.conv2").dilation);
        // smp: (2, 4) for every conv of layer3 and layer4.
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer3.0.conv1").dilation);
        Assert.Equal(new long[] { 2, 2 }, Conv(smp, "layer3.0.downsample.0").dilation);
        Assert.Equal(new long[] { 4, 4 }, Conv(smp, "layer4.0.conv1").dilation);
        Assert.Equal(new long[] { 4, 4 }, Conv(smp, "layer4.0.conv1").padding);
        Assert.Equal(new long[] { 4, 4 }, Conv(smp, "layer4.1.conv2").dilation);
        // The segmenters use the style of their reference.
        using var plus = new DeepLabV3PlusSegmenter(18, 3);
        Assert.Equal(ResNetDilationStyle.Smp, plus.Encoder.DilationStyle);
        using var v3 = new DeepLabV3Segmenter(18, 3);
        Assert.Equal(ResNetDilationStyle.Torchvision, v3.Backbone.DilationStyle);
        Assert.Equal(8, v3.Backbone.OutputStride);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(18, outputStride: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResNet(18, outputStride: 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeepLabV3PlusSegmenter(18, 3, outputStride: 32));
        using var narrow = new ResNet(34, 10, width: 16, smallStem: true, inChannels: 5);
        Assert.Equal(new long[] { 16, 5, 3, 3 }, Conv(narrow, "conv1").weight.shape);
        Assert.Equal(new[] { 16, 32, 64, 128 }, narrow.StageChannels);
        Assert.Equal(new[] { 1, 2, 4, 8 }, narrow.StageStrides);
    }
}

public class MaskResNetPartClassifierTests
{
    [Fact]
    public void Registry_builds_it_with_k_or_k_minus_1_input_channels()
    {
        var spec = new ModelSpec("part-mask", 3, 5, 32, Width: 8);
        using var withBg = (PartModel)ModelRegistry.Create(spec);
        var head = Assert.IsType<MaskResNetPartClassifier>(withBg.Head);
        Assert.Equal(new long[] { 8, 5, 3, 3 }, head.ResNet.named_parameters().Single(p => p.name == "conv1.weight").parameter.shape);
        Assert.False(head.ResNet.NormalizesInput);
        Assert.Contains("head.resnet.layer4.1.bn2.running_mean", withBg.state_dict().Keys);
        Assert.Contains("head.resnet.fc.weight", withBg.state_dict().Keys);

        using var noBg = (PartModel)ModelRegistry.Create(spec with { Background = false });
        var h2 = (MaskResNetPartClassifier)noBg.Head;
        Assert.Equal(new long[] { 8, 4, 3, 3 }, h2.ResNet.named_parameters().Single(p => p.name == "conv1.weight").parameter.shape);
    }

    [Fact]
    public void Masks_are_the_softmax_with_or_without_background()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 5, 8, 8);
        var soft = nn.functional.softmax(logits, 1);
        var all = new MaskResNetPartClassifier(5, 3, 8, 32).Masks(logits);
        Assert.True(all.allclose(soft));
        var parts = new MaskResNetPartClassifier(5, 3, 8, 32, background: false).Masks(logits);
        Assert.Equal(new long[] { 2, 4, 8, 8 }, parts.shape);
        Assert.True(parts.allclose(soft[.., 1..]));
    }
}

public class SegmenterRegistryTests
{
    public static IEnumerable<object[]> Names() => SegmenterRegistry.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_segmenter_gives_input_size_logits_and_features_that_fit_its_contract(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var spec = new ModelSpec("part-downsampled", 3, 5, 32, Width: 8) { Segmenter = name };
        var pm = (PartModel)ModelRegistry.Create(spec);
        pm.eval();
        var x = rand(2, 3, 32, 32);
        var (cls, parts) = pm.ForwardWithParts(x);
        Assert.Equal(new long[] { 2, 3 }, cls.shape);
        Assert.Equal(new long[] { 2, 5, 32, 32 }, parts.shape);
        var seg = Assert.IsAssignableFrom<IPartSegmenter>(pm.Segmenter);
        Assert.Equal(5, seg.NumSegLabels);
        var o = seg.ForwardFeatures(x);
        Assert.True(o.Logits.isfinite().all().item<bool>());
        Assert.Equal(new long[] { 2, seg.DecoderChannels, 32 / seg.DecoderStride, 32 / seg.DecoderStride }, o.Decoder.shape);
        Assert.Equal(new long[] { 2, seg.EncoderChannels, 32 / seg.EncoderStride, 32 / seg.EncoderStride }, o.Encoder.shape);
        Assert.False(string.IsNullOrWhiteSpace(SegmenterRegistry.Describe(name)));
    }

    [Fact]
    public void DeepLabV3Plus_rejects_an_image_size_that_is_not_a_multiple_of_16_when_built()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ModelRegistry.Create(new ModelSpec("part-bbox", 3, 5, 40) { Segmenter = "deeplabv3plus-resnet18" }));
        Assert.Contains("--image-size 40", e.Message);
    }

    [Theory]
    [InlineData("part-2heads-d", "deeplabv3plus-resnet18")]
    [InlineData("part-2heads-e", "deeplabv3plus-resnet18")]
    [InlineData("part-2heads-d", "deeplabv3-resnet18")]
    [InlineData("part-2heads-e", "deeplabv3-resnet18")]
    [InlineData("part-mask", "deeplabv3plus-resnet18")]
    public void Paper_segmenters_work_under_the_feature_reading_heads(string model, string segmenter)
    {
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(model, 3, 5, 64, Width: 8) { Segmenter = segmenter };
        var pm = (IPartModel)ModelRegistry.Create(spec);
        ((nn.Module)pm).eval();
        var (cls, parts) = pm.ForwardWithParts(rand(2, 3, 64, 64));
        Assert.Equal(new long[] { 2, 3 }, cls.shape);
        Assert.Equal(new long[] { 2, 5, 64, 64 }, parts.shape);
    }
}

