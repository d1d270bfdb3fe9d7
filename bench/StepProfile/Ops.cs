using System.Diagnostics;
using static TorchSharp.torch;

namespace PartRobust.Bench;

/// <summary>Single ops timed alone, for comparing with the same ops in PyTorch (bench/pytorch/ops.py).</summary>
static class Ops
{
    public static void Run(int threads)
    {
        set_num_threads(threads);
        var x = rand(64, 16, 32, 32);
        var conv = nn.Conv2d(16, 16, 3, padding: 1, bias: false);
        var bn = nn.BatchNorm2d(16);
        void T(string name, Action a, int n = 50)
        {
            for (int i = 0; i < 3; i++) { using var s0 = NewDisposeScope(); a(); }
            var c = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) { using var s = NewDisposeScope(); a(); }
            Console.WriteLine($"  {name,-36} {c.Elapsed.TotalMilliseconds / n,8:F3} ms");
        }
        static Tensor Nhwc(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        var convCl = nn.Conv2d(16, 16, 3, padding: 1, bias: false);
        using (no_grad()) convCl.weight = new TorchSharp.Modules.Parameter(Nhwc(convCl.weight!.detach()));
        var xCl = Nhwc(x);
        Console.WriteLine($"  strides x {string.Join(",", xCl.stride())} w {string.Join(",", convCl.weight!.stride())} out {string.Join(",", convCl.call(xCl).stride())}");
        using (no_grad())
        {
            T("conv nhwc no_grad", () => convCl.call(xCl));
            T("conv 16→16 3×3 [64,16,32,32] no_grad", () => conv.call(x));
            bn.eval(); T("bn eval no_grad", () => bn.call(x));
            bn.train(); T("bn train no_grad", () => bn.call(x));
            T("relu", () => nn.functional.relu(x));
            T("add", () => { var s = x + x; });
        }
        bn.eval();
        var xg = x.clone().requires_grad_(true);
        var xClg = xCl.clone().requires_grad_(true);
        Console.WriteLine($"  strides clone {string.Join(",", xClg.stride())}");
        T("conv nhwc fwd+bwd(input)", () => { var y = convCl.call(xClg); autograd.grad(new[] { y.sum() }, new[] { xClg }); });
        T("conv fwd+bwd(input)", () => { var y = conv.call(xg); autograd.grad(new[] { y.sum() }, new[] { xg }); });
        T("bn eval fwd+bwd(input)", () => { var y = bn.call(xg); autograd.grad(new[] { y.sum() }, new[] { xg }); });
        bn.train();
        T("bn train fwd+bwd(input)", () => { var y = bn.call(xg); autograd.grad(new[] { y.sum() }, new[] { xg }); });
        // The segmenter's other ops, channels-last input as in the model, forward + backward to the input.
        var h = Nhwc(rand(64, 64, 8, 8)).requires_grad_(true);
        var bn64 = nn.BatchNorm2d(64);
        bn64.train();
        T("bn train nhwc [64,64,8,8] fwd+bwd", () => { var o = bn64.call(h); autograd.grad(new[] { o.sum() }, new[] { h }); });
        T("relu nhwc fwd+bwd", () => { var o = nn.functional.relu(h); autograd.grad(new[] { o.sum() }, new[] { h }); });
        T("cat 5× nhwc fwd+bwd", () => { var o = cat(new[] { h, h, h, h, h }, 1); autograd.grad(new[] { o.sum() }, new[] { h }); });
        T("bilinear 8→32 nhwc fwd+bwd", () => { var o = nn.functional.interpolate(h, new long[] { 32, 32 }, mode: InterpolationMode.Bilinear, align_corners: false); autograd.grad(new[] { o.sum() }, new[] { h }); });
        var hc = rand(64, 64, 8, 8).requires_grad_(true);
        T("bilinear 8→32 nchw fwd+bwd", () => { var o = nn.functional.interpolate(hc, new long[] { 32, 32 }, mode: InterpolationMode.Bilinear, align_corners: false); autograd.grad(new[] { o.sum() }, new[] { hc }); });
        var logits = rand(64, 41, 32, 32).requires_grad_(true);
        var target = randint(0, 41, new long[] { 64, 32, 32 });
        T("pixel CE [64,41,32,32] fwd+bwd", () => { var o = nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.None); autograd.grad(new[] { o.sum() }, new[] { logits }); });
    }
}
