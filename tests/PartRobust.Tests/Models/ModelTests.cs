using PartRobust.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Tests.Models;

public class ModelRegistryTests
{
    const int K = 5, C = 3;

    // Labels: background, two parts of class 0, one of class 1, one of class 2 (the Pixel heads group parts by class).
    static ModelSpec Spec(string name, int size) => new(name, C, K, size, Width: 8) { PartClass = new[] { -1, 0, 0, 1, 2 } };

    static Tensor Images(int b, int size, int seed = 1)
    {
        var g = new Generator((ulong)seed);
        return torch.rand(new long[] { b, 3, size, size }, generator: g);
    }

    public static IEnumerable<object[]> NamesAndSizes() =>
        ModelRegistry.Names.SelectMany(n => new[] { new object[] { n, 32 }, new object[] { n, 48 } });

    [Theory]
    [MemberData(nameof(NamesAndSizes))]
    public void Output_shapes(string name, int size)
    {
        using var scope = torch.NewDisposeScope();
        var model = ModelRegistry.Create(Spec(name, size));
        var x = Images(2, size);
        Assert.Equal(new long[] { 2, C }, model.call(x).shape);
        Assert.Equal(ModelRegistry.IsPartModel(name), model is IPartModel);
        if (model is IPartModel pm)
        {
            var (cls, parts) = pm.ForwardWithParts(x);
            Assert.Equal(new long[] { 2, C }, cls.shape);
            Assert.Equal(new long[] { 2, K, size, size }, parts.shape);
        }
    }

    [Theory]
    [MemberData(nameof(NamesAndSizes))]
    public void Eval_mode_is_deterministic_and_gradients_reach_the_input(string name, int size)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var model = ModelRegistry.Create(Spec(name, size));
        model.eval();
        var x = Images(2, size);
        var a = model.call(x);
        var b = model.call(x);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.True(a.isfinite().all().item<bool>());

        var xg = x.clone().requires_grad_(true);
        var loss = functional.cross_entropy(model.call(xg), torch.tensor(new long[] { 0, 2 }));
        var g = torch.autograd.grad(new[] { loss }, new[] { xg })[0];
        Assert.True(g.isfinite().all().item<bool>());
        Assert.True(g.abs().sum().item<float>() > 0, "no gradient reached the input");
    }

    [Fact]
    public void Training_mode_forward_and_backward_reach_every_parameter()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var name in ModelRegistry.Names)
        {
            var model = ModelRegistry.Create(Spec(name, 32));
            model.train();
            // Part models: class and part outputs both (a two-headed model's segmentation head is not on the class path).
            Tensor loss;
            if (model is IPartModel pm)
            {
                var (c, p) = pm.ForwardWithParts(Images(4, 32));
                loss = c.square().mean() + p.square().mean();
            }
            else loss = model.call(Images(4, 32)).square().mean();
            loss.backward();
            foreach (var (pname, p) in model.named_parameters())
                Assert.True(p.grad is not null, $"{name}: {pname} has no gradient");
        }
    }

    [Fact]
    public void Normalisation_happens_inside_the_model()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images(2, 32);
        var mean = torch.tensor(new float[] { 0.485f, 0.456f, 0.406f }).reshape(1, 3, 1, 1);
        var std = torch.tensor(new float[] { 0.229f, 0.224f, 0.225f }).reshape(1, 3, 1, 1);
        var xn = (x - mean) / std;

        var resnet = (ResNet)ModelRegistry.Create(Spec("resnet18", 32));
        resnet.eval();
        Assert.True(resnet.NormalizesInput);
        // The same weights without the normalisation (same torchvision keys) must see normalised images.
        var plain = new ResNet(18, C, 8, smallStem: true);
        plain.load_state_dict(resnet.state_dict());
        plain.eval();
        Assert.True(resnet.call(x).allclose(plain.call(xn), rtol: 1e-4, atol: 1e-5));
        Assert.False(resnet.call(x).allclose(plain.call(x), rtol: 1e-4, atol: 1e-5));

        foreach (var name in new[] { "part-downsampled", "part-bbox" })
        {
            var pm = (PartModel)ModelRegistry.Create(Spec(name, 32));
            pm.eval();
            Assert.True(pm.call(x).allclose(pm.Head.call(pm.Segmenter.call(xn)), rtol: 1e-4, atol: 1e-5), name);
            Assert.True(pm.ForwardWithParts(x).PartLogits.allclose(pm.Segmenter.call(xn), rtol: 1e-4, atol: 1e-5), name);
        }
    }

    [Fact]
    public void Normalisation_buffers_are_not_in_the_state_dict()
    {
        var model = ModelRegistry.Create(Spec("part-bbox", 32));
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("normalize"));
        Assert.Contains(model.state_dict().Keys, k => k.StartsWith("segmenter.backbone.layer4"));
    }

    [Fact]
    public void Unknown_name_is_rejected_with_the_list_of_names()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(Spec("vit", 32)));
        Assert.StartsWith("unknown model 'vit'; expected one of: resnet18, part-downsampled, part-bbox", e.Message);
        Assert.Throws<ArgumentException>(() => ModelRegistry.DisplayName("vit"));
        Assert.Throws<ArgumentException>(() => ModelRegistry.IsPartModel("vit"));
    }

    [Fact]
    public void Names_and_display_names()
    {
        foreach (var name in new[] { "resnet18", "part-downsampled", "part-bbox", "part-pixel", "part-pixel-fg-softmax", "part-pixel-fg-logits", "part-2heads-d", "part-2heads-e", "resnet34", "resnet50", "part-mask" })
            Assert.Contains(name, ModelRegistry.Names);
        Assert.Equal(new[] { "resnet18", "part-downsampled", "part-bbox" }, ModelRegistry.Names.Take(3));
        Assert.Equal("Pixel part model", ModelRegistry.DisplayName("part-pixel"));
        Assert.True(ModelRegistry.IsPartModel("part-2heads-e"));
        Assert.Equal("ResNet-50", ModelRegistry.DisplayName("resnet50"));
        Assert.Equal("ResNet-on-masks part model", ModelRegistry.DisplayName("part-mask"));
        Assert.Equal("ResNet-18", ModelRegistry.DisplayName("resnet18"));
        Assert.Equal("Downsampled part model", ModelRegistry.DisplayName("part-downsampled"));
        Assert.Equal("Bounding-Box part model", ModelRegistry.DisplayName("part-bbox"));
        Assert.False(ModelRegistry.IsPartModel("resnet18"));
        Assert.True(ModelRegistry.IsPartModel("part-bbox"));
    }

    [Fact]
    public void Heads_are_the_requested_ones()
    {
        var spec = new ModelSpec("part-downsampled", 11, 41, 32, Width: 8, PoolSize: 4);
        var ds = (PartModel)ModelRegistry.Create(spec);
        Assert.IsType<DownsampledPartClassifier>(ds.Head);
        Assert.Equal(146_056, ds.Head.ParameterCount());
        var bb = (PartModel)ModelRegistry.Create(spec with { Name = "part-bbox" });
        Assert.IsType<BoundingBoxPartClassifier>(bb.Head);
        Assert.Equal(11_111, bb.Head.ParameterCount());
        Assert.IsType<DeepLabSegmenter>(bb.Segmenter);
    }
}

public class ResNetAndSegmenterTests
{
    [Fact]
    public void Standard_resnet18_has_torchvision_parameter_count()
    {
        // torchvision resnet18(num_classes=1000): 11,689,512 parameters.
        Assert.Equal(11_689_512, ResNet.Classifier(18, 1000, 64, 224).ParameterCount());
    }

    [Fact]
    public void Stems_and_output_strides()
    {
        Assert.True(ResNet.Classifier(18, 2, 16, 48).SmallStem);
        Assert.False(ResNet.Classifier(18, 2, 16, 96).SmallStem);
        Assert.Equal(8, ResNet.Classifier(18, 2, 16, 48).OutputStride);
        Assert.Equal(32, ResNet.Classifier(18, 2, 16, 224).OutputStride);
        Assert.Equal(8, new DeepLabSegmenter(3, 16, 48).Backbone.OutputStride);
        var big = new DeepLabSegmenter(3, 8, 224);
        Assert.Equal(16, big.Backbone.OutputStride);
        Assert.Equal(new[] { 4, 8, 16, 16 }, big.Backbone.StageStrides);
        Assert.Equal(new[] { 1, 2, 3 }, new DeepLabSegmenter(3, 16, 48).AtrousRates);
    }

    [Fact]
    public void Segmenter_at_large_input_and_non_square_input_returns_full_resolution_logits()
    {
        using var scope = torch.NewDisposeScope();
        var seg = new DeepLabSegmenter(4, 4, 96);
        seg.eval();
        Assert.Equal(new long[] { 1, 4, 96, 96 }, seg.call(torch.rand(1, 3, 96, 96)).shape);
        var small = new DeepLabSegmenter(4, 4, 48);
        small.eval();
        Assert.Equal(new long[] { 1, 4, 40, 56 }, small.call(torch.rand(1, 3, 40, 56)).shape);
    }

    [Fact]
    public void Kaiming_init_like_torchvision()
    {
        using var scope = torch.NewDisposeScope();
        var m = ResNet.Classifier(18, 2, 64, 224);
        var w = m.named_parameters().First(p => p.name == "layer3.0.conv1.weight").parameter;
        // fan_out = 256·3·3 → std = sqrt(2/2304) ≈ 0.02946
        Assert.InRange(w.std().item<float>(), 0.028, 0.031);
        var bn = m.named_parameters().First(p => p.name == "layer3.0.bn1.weight").parameter;
        Assert.True(bn.eq(1).all().item<bool>());
    }

    [Fact]
    public void ParameterCount_counts_only_trainable_parameters()
    {
        var lin = torch.nn.Linear(3, 2);
        Assert.Equal(8, lin.ParameterCount());
        lin.bias!.requires_grad_(false);
        Assert.Equal(6, lin.ParameterCount());
    }
}
