using System.Diagnostics;
using PartRobust.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PartRobust.Tests.Models;

/// <summary>
/// Forward+backward throughput at batch 64, 48 px, width 16. Runs only when PARTROBUST_BENCH names an output file
/// (it takes a minute); otherwise it returns immediately.
/// </summary>
public class ModelThroughput
{
    [Fact]
    public void Measure_forward_backward_images_per_second()
    {
        string? path = Environment.GetEnvironmentVariable("PARTROBUST_BENCH");
        if (string.IsNullOrEmpty(path)) return;
        const int B = 64, S = 48, Warm = 2, Iters = 6;
        var lines = new List<string> { $"threads={torch.get_num_threads()} batch={B} size={S} width=16" };
        foreach (var name in ModelRegistry.Names)
        {
            var model = ModelRegistry.Create(new ModelSpec(name, 11, 41, S, Width: 16));
            model.train();
            var x = torch.rand(B, 3, S, S);
            var y = torch.randint(0, 11, B);
            double secs = 0;
            for (int i = 0; i < Warm + Iters; i++)
            {
                using var scope = torch.NewDisposeScope();
                var sw = Stopwatch.StartNew();
                model.zero_grad();
                var loss = functional.cross_entropy(model.call(x), y);
                loss.backward();
                sw.Stop();
                if (i >= Warm) secs += sw.Elapsed.TotalSeconds;
            }
            string extra = model is PartModel pm
                ? $" segmenter={pm.Segmenter.ParameterCount():N0} head={pm.Head.ParameterCount():N0}" : "";
            lines.Add($"{name}: {B * Iters / secs:F1} img/s params={model.ParameterCount():N0}{extra}");
        }
        File.WriteAllLines(path, lines);
    }
}
