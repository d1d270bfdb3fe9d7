using PartRobust.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Models;

public class BoundingBoxHeadTests
{
    // K = 3 on a 4×4 grid. Logit 20 for the pixel's label and 0 elsewhere, so softmax is one-hot up to e^-20.
    //   part 1: (y=0,x=0), (y=0,x=1)
    //   part 2: (y=1,x=3), (y=2,x=3), (y=3,x=3)
    //   everything else background.
    static Tensor Example()
    {
        var labels = new int[4, 4];
        labels[0, 0] = 1; labels[0, 1] = 1;
        labels[1, 3] = 2; labels[2, 3] = 2; labels[3, 3] = 2;
        var data = new float[3 * 16];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                data[labels[y, x] * 16 + y * 4 + x] = 20f;
        return torch.tensor(data).reshape(1, 3, 4, 4);
    }

    /// <summary>
    /// The reference's <c>WeightedBBoxFeatureExtractor</c> (norm_img) written out with loops in double precision: 1e-6 on
    /// the mass and on every row/column marginal, no epsilon in the square root; x over W, y over H.
    /// </summary>
    static double[] ReferenceFeatures(double[,,] logits)
    {
        int k = logits.GetLength(0), h = logits.GetLength(1), w = logits.GetLength(2);
        const double e = 1e-6;
        var p = new double[k, h, w];
        var fg = new double[h, w];
        double fgSum = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double max = double.NegativeInfinity, z = 0, partSum = 0;
                for (int c = 0; c < k; c++) max = Math.Max(max, logits[c, y, x]);
                for (int c = 0; c < k; c++) z += Math.Exp(logits[c, y, x] - max);
                for (int c = 0; c < k; c++) p[c, y, x] = Math.Exp(logits[c, y, x] - max) / z;
                for (int c = 1; c < k; c++) partSum += logits[c, y, x];
                fg[y, x] = 1 / (1 + Math.Exp(-(partSum - logits[0, y, x])));
                fgSum += fg[y, x];
            }
        fgSum = Math.Max(fgSum, e);
        var f = new List<double>();
        for (int c = 1; c < k; c++)
        {
            double score = 0, mass = e;
            var colSum = new double[w];
            var rowSum = new double[h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    score += logits[c, y, x] * fg[y, x] / fgSum;
                    mass += p[c, y, x];
                    colSum[x] += p[c, y, x];
                    rowSum[y] += p[c, y, x];
                }
            double cx = 0, cy = 0, vx = 0, vy = 0;
            for (int x = 0; x < w; x++) cx += x * (colSum[x] + e) / mass;
            for (int y = 0; y < h; y++) cy += y * (rowSum[y] + e) / mass;
            for (int x = 0; x < w; x++) vx += (x - cx) * (x - cx) * (colSum[x] + e) / mass;
            for (int y = 0; y < h; y++) vy += (y - cy) * (y - cy) * (rowSum[y] + e) / mass;
            f.AddRange(new[] { score, cx / w * 2 - 1, cy / h * 2 - 1, Math.Sqrt(vx) / w * 2, Math.Sqrt(vy) / h * 2 });
        }
        return f.ToArray();
    }

    static double[,,] ToArray(Tensor logits)
    {
        int k = (int)logits.shape[1], h = (int)logits.shape[2], w = (int)logits.shape[3];
        var v = logits.to_type(ScalarType.Float64).data<double>().ToArray();
        var a = new double[k, h, w];
        for (int c = 0; c < k; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) a[c, y, x] = v[(c * h + y) * w + x];
        return a;
    }

    [Fact]
    public void Features_match_a_hand_computation()
    {
        using var scope = torch.NewDisposeScope();
        var head = new BoundingBoxPartClassifier(3, 2);
        var f = head.Features(Example().to_type(ScalarType.Float64));
        Assert.Equal(new long[] { 1, 2, 5 }, f.shape);
        var v = f.data<double>().ToArray();
        // fg = sigmoid(l1 + l2 − l0) ≈ 1 on the 5 foreground pixels, ≈ 0 elsewhere → 1/5 per foreground pixel.
        // s1 = 20·2/5 = 8, s2 = 20·3/5 = 12.
        // part 1: x̄ = 0.5 → 0.5/4·2−1 = −0.75; ȳ = 0 → −1; σx = 0.5 → 0.25; σy ≈ 0 (√(14e-6/2)/2 from the marginal 1e-6).
        // part 2: x̄ = 3 → 0.5; ȳ = 2 → 0; σx ≈ 0; σy = sqrt(2/3) → sqrt(2/3)/2.
        double[] expected = { 8, -0.75, -1, 0.25, 0, 12, 0.5, 0, 0, Math.Sqrt(2.0 / 3.0) / 2 };
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(v[i] - expected[i]) < 2e-3, $"feature {i}: {v[i]} vs {expected[i]}");
        var reference = ReferenceFeatures(ToArray(Example()));
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(v[i] - reference[i]) < 1e-9, $"feature {i}: {v[i]} vs reference {reference[i]}");
    }

    /// <summary>
    /// An absent part (probability exactly 0 everywhere, as for most PartImageNet parts in one image): its marginals are
    /// all 1e-6, the mass 1e-6, so on a 3×3 grid x̄ = (0+1+2)·1e-6/1e-6 = 3 → 3/3·2−1 = 1 and σx = √((9+4+1)) → √14/3·2,
    /// the reference's values; without the marginal epsilon they would be −1 and 0.
    /// </summary>
    [Fact]
    public void An_absent_part_gets_the_references_features()
    {
        using var scope = torch.NewDisposeScope();
        var data = new double[3 * 9];
        for (int i = 0; i < 9; i++) data[i] = 5;          // background logit 5
        for (int i = 0; i < 9; i++) data[9 + i] = 0.3 * i; // part 1 present with varying logits
        for (int i = 0; i < 9; i++) data[18 + i] = -1e4;   // part 2: softmax exactly 0 in float64
        var logits = torch.tensor(data).reshape(1, 3, 3, 3);
        var v = new BoundingBoxPartClassifier(3, 2).Features(logits).data<double>().ToArray();
        Assert.Equal(1.0, v[6], 9);
        Assert.Equal(1.0, v[7], 9);
        Assert.Equal(Math.Sqrt(14) / 3 * 2, v[8], 9);
        Assert.Equal(Math.Sqrt(14) / 3 * 2, v[9], 9);
        var reference = ReferenceFeatures(ToArray(logits));
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(v[i] - reference[i]) < 1e-9, $"feature {i}: {v[i]} vs reference {reference[i]}");
    }

    [Fact]
    public void Non_square_inputs_use_W_for_x_and_H_for_y()
    {
        using var scope = torch.NewDisposeScope();
        // K = 2, H = 2, W = 4; the only part pixel is (y=1, x=3) → x̄ ≈ 3/4·2−1 = 0.5, ȳ ≈ 1/2·2−1 = 0.
        var data = new double[2 * 2 * 4];
        for (int i = 0; i < 8; i++) data[i] = 40;       // background everywhere ...
        data[1 * 4 + 3] = 0;                            // ... except (y=1, x=3),
        data[8 + 1 * 4 + 3] = 40;                       // which is part 1
        var logits = torch.tensor(data).reshape(1, 2, 2, 4);
        var v = new BoundingBoxPartClassifier(2, 2).Features(logits).data<double>().ToArray();
        Assert.Equal(40, v[0], 4);
        Assert.Equal(0.5, v[1], 4);
        Assert.Equal(0.0, v[2], 4);
        var reference = ReferenceFeatures(ToArray(logits));
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(v[i] - reference[i]) < 1e-9, $"feature {i}: {v[i]} vs reference {reference[i]}");
    }

    [Fact]
    public void Gradient_is_finite_for_one_hot_masks()
    {
        using var scope = torch.NewDisposeScope();
        var logits = Example().mul(5).requires_grad_(true);   // logits of 100: exactly one-hot in float32
        var head = new BoundingBoxPartClassifier(3, 2);
        var loss = head.Features(logits).sum();
        var g = torch.autograd.grad(new[] { loss }, new[] { logits })[0];
        Assert.True(g.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(41, 11, 11_111)]
    [InlineData(10, 2, 2_592)]
    [InlineData(16, 5, 4_305)]
    public void Parameter_count_matches_the_hand_computation(int k, int c, long expected)
    {
        // BN1d(5(K−1)) 2·5(K−1) + Linear 5(K−1)·50+50 + BN1d(50) 100 + Linear 50·C+C.
        Assert.Equal(expected, new BoundingBoxPartClassifier(k, c).ParameterCount());
    }

    [Fact]
    public void Wrong_channel_count_is_rejected()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => new BoundingBoxPartClassifier(3, 2).Features(torch.zeros(1, 4, 4, 4)));
    }
}

public class DownsampledHeadTests
{
    [Theory]
    [InlineData(41, 11, 146_056)]
    [InlineData(10, 2, 10_902)]
    [InlineData(16, 5, 25_125)]
    public void Parameter_count_matches_the_hand_computation(int k, int c, long expected)
    {
        // Conv2d(K,5K,4×4) 16·5K²+5K + BN2d 10K + Linear(5K,50) 250K+50 + BN1d 100 + Linear(50,C) 51C.
        Assert.Equal(expected, new DownsampledPartClassifier(k, c, 4).ParameterCount());
    }

    [Theory]
    [InlineData(41, 11, 139_311)]
    [InlineData(10, 2, 9_117)]
    [InlineData(16, 5, 22_380)]
    public void Parameter_count_without_background_matches_the_hand_computation(int k, int c, long expected)
    {
        // The same layers on K' = K−1 channels: 80K'² + 265K' + 150 + 51C.
        //   K'=40, C=11: Conv 16·40·200+200 = 128,200; BN2d 400; Linear(200,50) 10,050; BN1d 100; Linear(50,11) 561 → 139,311.
        //   K'=9,  C=2:  Conv 16·9·45+45 = 6,525;     BN2d 90;  Linear(45,50) 2,300;   BN1d 100; Linear(50,2) 102   → 9,117.
        //   K'=15, C=5:  Conv 16·15·75+75 = 18,075;   BN2d 150; Linear(75,50) 3,800;   BN1d 100; Linear(50,5) 255   → 22,380.
        Assert.Equal(expected, new DownsampledPartClassifier(k, c, 4, background: false).ParameterCount());
    }

    [Fact]
    public void Without_background_the_pooled_masks_are_the_softmax_over_all_labels_minus_channel_0()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn(new long[] { 2, 4, 8, 8 }, generator: new Generator(5));
        var with = new DownsampledPartClassifier(4, 3, 2).PooledMasks(logits);
        var without = new DownsampledPartClassifier(4, 3, 2, background: false).PooledMasks(logits);
        Assert.Equal(new long[] { 2, 3, 2, 2 }, without.shape);
        Assert.True(without.allclose(with.narrow(1, 1, 3)));
        Assert.Equal(3, new DownsampledPartClassifier(4, 3, 2, background: false).Conv.weight!.shape[1]);
        Assert.Throws<ArgumentException>(() => new DownsampledPartClassifier(4, 3, 2, background: false).PooledMasks(torch.zeros(1, 3, 8, 8)));
    }

    [Fact]
    public void Background_option_reaches_the_downsampled_head_and_leaves_the_bbox_head_unchanged()
    {
        var spec = new ModelSpec("part-downsampled", 11, 41, 32, Width: 4) { Background = false };
        var head = Assert.IsType<DownsampledPartClassifier>(((PartModel)ModelRegistry.Create(spec)).Head);
        Assert.False(head.Background);
        Assert.Equal(139_311, head.ParameterCount());
        Assert.Equal(11_111, ((PartModel)ModelRegistry.Create(spec with { Name = "part-bbox" })).Head.ParameterCount());
    }

    static double W(int a, int b, int c, int d) => ((a * 7 + b * 5 + c * 3 + d * 2) % 11 - 5) / 10.0;

    [Fact]
    public void Forward_matches_a_hand_computation_with_known_weights()
    {
        using var scope = torch.NewDisposeScope();
        const int K = 2, N = 2, H = 4, C = 3, O = 5 * K;
        var logits = new double[K, H, H];
        for (int k = 0; k < K; k++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < H; x++)
                    logits[k, y, x] = Math.Sin(1 + k * 3.1 + y * 1.7 + x * 0.9) * 2;

        // Hand computation: softmax over k, 2×2 block averages, dense layers.
        var pooled = new double[K, N, N];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < H; x++)
            {
                double z = 0;
                for (int k = 0; k < K; k++) z += Math.Exp(logits[k, y, x]);
                for (int k = 0; k < K; k++) pooled[k, y / 2, x / 2] += Math.Exp(logits[k, y, x]) / z / 4;
            }
        double bnScale = 1 / Math.Sqrt(1 + 1e-5);   // eval-mode BN with mean 0, var 1, weight 1, bias 0
        var h1 = new double[O];
        for (int o = 0; o < O; o++)
        {
            double s = 0.1 * o;  // conv bias
            for (int k = 0; k < K; k++)
                for (int i = 0; i < N; i++)
                    for (int j = 0; j < N; j++) s += W(o, k, i, j) * pooled[k, i, j];
            h1[o] = Math.Max(0, s * bnScale);
        }
        var h2 = new double[50];
        for (int u = 0; u < 50; u++)
        {
            double s = -0.05;
            for (int o = 0; o < O; o++) s += W(u, o, 1, 0) * h1[o];
            h2[u] = Math.Max(0, s * bnScale);
        }
        var expected = new double[C];
        for (int c = 0; c < C; c++)
        {
            double s = c;
            for (int u = 0; u < 50; u++) s += W(c, u, 0, 1) * h2[u];
            expected[c] = s;
        }

        var head = new DownsampledPartClassifier(K, C, N);
        using (torch.no_grad())
        {
            var cw = new float[O * K * N * N];
            for (int o = 0; o < O; o++) for (int k = 0; k < K; k++) for (int i = 0; i < N; i++) for (int j = 0; j < N; j++)
                cw[((o * K + k) * N + i) * N + j] = (float)W(o, k, i, j);
            head.Conv.weight!.copy_(torch.tensor(cw).reshape(O, K, N, N));
            head.Conv.bias!.copy_(torch.arange(O, dtype: ScalarType.Float32) * 0.1f);
            var f1 = new float[50 * O];
            for (int u = 0; u < 50; u++) for (int o = 0; o < O; o++) f1[u * O + o] = (float)W(u, o, 1, 0);
            head.Fc1.weight!.copy_(torch.tensor(f1).reshape(50, O));
            head.Fc1.bias!.fill_(-0.05);
            var f2 = new float[C * 50];
            for (int c = 0; c < C; c++) for (int u = 0; u < 50; u++) f2[c * 50 + u] = (float)W(c, u, 0, 1);
            head.Fc2.weight!.copy_(torch.tensor(f2).reshape(C, 50));
            head.Fc2.bias!.copy_(torch.arange(C, dtype: ScalarType.Float32));
        }
        head.eval();   // fresh BN: running mean 0, var 1, weight 1, bias 0

        var flat = new float[K * H * H];
        for (int k = 0; k < K; k++) for (int y = 0; y < H; y++) for (int x = 0; x < H; x++) flat[(k * H + y) * H + x] = (float)logits[k, y, x];
        var input = torch.tensor(flat).reshape(1, K, H, H);

        var p = head.PooledMasks(input).data<float>().ToArray();
        for (int k = 0; k < K; k++) for (int i = 0; i < N; i++) for (int j = 0; j < N; j++)
            Assert.Equal(pooled[k, i, j], p[(k * N + i) * N + j], 5);

        var outp = head.call(input).data<float>().ToArray();
        Assert.Equal(C, outp.Length);
        for (int c = 0; c < C; c++) Assert.True(Math.Abs(outp[c] - expected[c]) < 1e-4, $"class {c}: {outp[c]} vs {expected[c]}");
    }
}
