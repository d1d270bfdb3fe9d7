using PartRobust.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class PixelHeadTests
{
    // K = 4 labels on 2×2 pixels (a, b, c, d in row-major order): background, parts 1 and 2 of class 0, part 3 of class 1.
    static readonly int[] PartClass = { -1, 0, 0, 1 };
    static readonly float[,] Logits =
    {
        { 0, 1, 2, 0 },    // background
        { 1, 0, 0, 2 },    // part 1 (class 0)
        { 2, 1, 0, 0 },    // part 2 (class 0)
        { 0, 0, 1, -1 },   // part 3 (class 1)
    };

    static Tensor Input()
    {
        var flat = new float[16];
        for (int k = 0; k < 4; k++) for (int i = 0; i < 4; i++) flat[k * 4 + i] = Logits[k, i];
        return torch.tensor(flat).reshape(1, 4, 2, 2);
    }

    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    // Hand computation.
    //   class maps: z0 = part1 + part2 = (3, 1, 0, 2), z1 = part3 = (0, 0, 1, −1).
    //   mean: (6/4, 0/4) = (1.5, 0).
    //   fg = sigmoid(Σ parts − bg) = sigmoid(3, 0, −1, 1) = (0.952574, 0.5, 0.268941, 0.731059), sum S = 2.452574, w = fg/S.
    //   logits: out0 = (3·0.952574 + 1·0.5 + 0 + 2·0.731059)/S = 1.965217, out1 = (0.268941 − 0.731059)/S = −0.188421.
    //   softmax: softmax(z0, z1) class 0 per pixel = sigmoid(z0 − z1) = sigmoid(3, 1, −1, 3);
    //            out0 = Σ sigmoid(z0−z1)·w = 0.832449, out1 = 1 − out0 = 0.167551 (w sums to 1).
    [Theory]
    [InlineData(PixelMode.Mean, 1.5, 0.0)]
    [InlineData(PixelMode.ForegroundLogits, 1.9652167, -0.1884213)]
    [InlineData(PixelMode.ForegroundSoftmax, 0.8324493, 0.1675507)]
    public void Output_matches_a_hand_computation(PixelMode mode, double class0, double class1)
    {
        using var scope = torch.NewDisposeScope();
        var head = new PixelPartClassifier(PartClass, 2, mode);
        var v = head.call(Input()).data<float>().ToArray();
        Assert.Equal(2, v.Length);
        Assert.Equal(class0, v[0], 5);
        Assert.Equal(class1, v[1], 5);
    }

    [Fact]
    public void The_hand_numbers_follow_from_the_definition()
    {
        // The literals above, recomputed from the logits in double precision.
        double[] z0 = { 3, 1, 0, 2 }, z1 = { 0, 0, 1, -1 };
        var fg = Enumerable.Range(0, 4).Select(i => Sigmoid(Logits[1, i] + Logits[2, i] + Logits[3, i] - Logits[0, i])).ToArray();
        double s = fg.Sum();
        Assert.Equal(1.9652167, Enumerable.Range(0, 4).Sum(i => z0[i] * fg[i] / s), 6);
        Assert.Equal(-0.1884213, Enumerable.Range(0, 4).Sum(i => z1[i] * fg[i] / s), 6);
        Assert.Equal(0.8324493, Enumerable.Range(0, 4).Sum(i => Sigmoid(z0[i] - z1[i]) * fg[i] / s), 6);
    }

    [Fact]
    public void Has_no_learned_parameters_and_is_not_in_the_state_dict()
    {
        var head = new PixelPartClassifier(new[] { -1, 0, 1, 1, 2 }, 3);
        Assert.Equal(0, head.ParameterCount());
        Assert.Empty(head.state_dict());
        foreach (var name in new[] { "part-pixel", "part-pixel-fg-softmax", "part-pixel-fg-logits" })
        {
            var model = (PartModel)ModelRegistry.Create(new ModelSpec(name, 3, 5, 32, Width: 4) { PartClass = new[] { -1, 0, 1, 1, 2 } });
            Assert.Equal(0, model.Head.ParameterCount());
            Assert.Equal(model.Segmenter.ParameterCount(), model.ParameterCount());
        }
    }

    [Fact]
    public void Missing_or_wrong_part_class_map_is_rejected_with_a_clear_message()
    {
        var spec = new ModelSpec("part-pixel", 3, 5, 32, Width: 4);
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(spec));
        Assert.Contains("part_class", e.Message);
        e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(spec with { PartClass = new[] { -1, 0, 1 } }));
        Assert.Contains("K = 5", e.Message);
        Assert.Throws<ArgumentException>(() => new PixelPartClassifier(new[] { -1, 0, 3 }, 3));   // class out of range
        Assert.Throws<ArgumentException>(() => new PixelPartClassifier(new[] { 0, -1, 1 }, 3));   // label 0 not background
        Assert.Throws<ArgumentException>(() => new PixelPartClassifier(PartClass, 2).call(torch.zeros(1, 3, 2, 2)));
    }

    [Fact]
    public void Gradient_reaches_every_label_in_the_foreground_modes()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var mode in new[] { PixelMode.ForegroundSoftmax, PixelMode.ForegroundLogits })
        {
            var x = Input().requires_grad_(true);
            var g = torch.autograd.grad(new[] { new PixelPartClassifier(PartClass, 2, mode).call(x)[0, 0] }, new[] { x })[0];
            Assert.True(g.isfinite().all().item<bool>());
            Assert.True(g.abs().sum(new long[] { 0, 2, 3 }).gt(0).all().item<bool>(), $"{mode}: some label gets no gradient");
        }
    }
}
