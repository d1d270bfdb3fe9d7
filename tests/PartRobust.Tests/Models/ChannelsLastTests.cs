using PartRobust.Data;
using PartRobust.Models;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class ChannelsLastTests
{
    static ModelSpec Spec(string name, int width) => ModelSpec.For(name, PartImageNetTaxonomy.Select(["Car", "Fish", "Snake"]), 32, width, SegmenterRegistry.Default);

    [Theory]
    [InlineData("resnet18")]
    [InlineData("part-downsampled")]
    [InlineData("part-bbox")]
    public void The_registry_stores_convolutions_channels_last_with_the_same_outputs_and_input_gradients(string name)
    {
        manual_seed(1);
        using var model = ModelRegistry.Create(Spec(name, 8));
        var convs = model.modules().OfType<TorchSharp.Modules.Conv2d>().ToList();
        Assert.NotEmpty(convs);
        Assert.All(convs, c => Assert.True(ModuleExtensions.IsChannelsLast(c.weight!)));
        // The same model with contiguous (NCHW) weights computes the same function.
        using var nchw = ModelRegistry.Create(Spec(name, 8));
        using (no_grad())
        {
            foreach (var (a, b) in nchw.parameters().Zip(model.parameters())) a.copy_(b);
            foreach (var c in nchw.modules().OfType<TorchSharp.Modules.Conv2d>())
                c.weight = new TorchSharp.Modules.Parameter(c.weight!.detach().contiguous(), c.weight.requires_grad);
        }
        Assert.Contains(nchw.modules().OfType<TorchSharp.Modules.Conv2d>(), c => !ModuleExtensions.IsChannelsLast(c.weight!));
        model.eval();
        nchw.eval();
        var x = rand(4, 3, 32, 32);
        var (za, ga) = OutputAndGradient(model, x);
        var (zb, gb) = OutputAndGradient(nchw, x);
        Assert.True(za.allclose(zb, rtol: 1e-4, atol: 1e-5), $"max |Δlogits| {(za - zb).abs().max().item<float>()}");
        // Float32 sums in another order: compare with the gradient's scale.
        double gradError = (ga - gb).abs().max().item<float>(), gradScale = gb.abs().max().item<float>();
        Assert.True(gradError <= 1e-3 * gradScale, $"max |Δgrad| {gradError} against max |grad| {gradScale}");
    }

    static (Tensor Logits, Tensor Grad) OutputAndGradient(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        var input = x.clone().requires_grad_(true);
        var z = model.call(input);
        var g = autograd.grad(new[] { z.logsumexp(1).sum() }, new[] { input })[0];
        return (z.detach(), g);
    }

    [Fact]
    public void A_model_with_a_narrow_convolution_keeps_NCHW()
    {
        // libtorch 2.10's oneDNN hangs on an NHWC 1×1 weight gradient from 4 channels, so width 4 stays NCHW.
        using var model = ModelRegistry.Create(Spec("part-downsampled", 4));
        Assert.DoesNotContain(model.modules().OfType<TorchSharp.Modules.Conv2d>(), c => c.kernel_size![0] > 1 && ModuleExtensions.IsChannelsLast(c.weight!));
    }

    [Fact]
    public void ChannelsLast_keeps_shape_and_values_with_NHWC_strides()
    {
        var t = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).view(2, 3, 4, 5);
        var c = ModuleExtensions.ChannelsLast(t);
        Assert.Equal(t.shape, c.shape);
        Assert.True(c.eq(t).all().item<bool>());
        Assert.Equal(new long[] { 60, 1, 15, 3 }, c.stride());
        Assert.True(ModuleExtensions.IsChannelsLast(c));
        Assert.False(ModuleExtensions.IsChannelsLast(t));
    }
}
