using static TorchSharp.torch;
namespace PartRobust.Bench;
static class OptState
{
    public static void Run()
    {
        var taxonomy = PartRobust.Data.PartImageNetTaxonomy.Select(PartRobust.Data.PartImageNetTaxonomy.ClassNames);
        using var model = PartRobust.Models.ModelRegistry.Create(PartRobust.Models.ModelSpec.For("resnet18", taxonomy, 32, 16, "compact"));
        var opt = PartRobust.Training.Trainer.CreateOptimizer(model, new PartRobust.Training.TrainOptions { Optimizer = Environment.GetEnvironmentVariable("OPT") ?? "adamw" });
        var sd = opt.state_dict();
        Console.WriteLine($"{sd.GetType().FullName}: {string.Join(", ", sd.GetType().GetProperties().Select(p => p.Name))} {string.Join(", ", sd.GetType().GetFields().Select(p => p.Name))}");
        var states = (System.Collections.IEnumerable)sd.GetType().GetProperty("State")!.GetValue(sd)!;
        foreach (var s in states)
        {
            Console.WriteLine($"{s.GetType().FullName}: " + string.Join(", ", s.GetType().GetFields().Select(f => $"{f.Name}:{f.FieldType.Name}:{(f.GetValue(s) is Tensor t ? string.Join("/", t.stride()) : "")}")));
            break;
        }
        var x = rand(4, 3, 32, 32); var y = randint(0, 11, 4);
        model.train(); opt.zero_grad(); nn.functional.cross_entropy(model.call(x), y).backward(); opt.step();
        foreach (var s in (System.Collections.IEnumerable)opt.state_dict().State)
        {
            if (s is TorchSharp.Modules.AdamW.State a) Console.WriteLine($"after a step: exp_avg |.|max {a.exp_avg!.abs().max().item<float>()} strides {string.Join("/", a.exp_avg.stride())}");
            if (s is TorchSharp.Modules.SGD.State g) Console.WriteLine($"after a step: momentum {(g.momentum_buffer is null ? "null" : string.Join("/", g.momentum_buffer.stride()))}");
            break;
        }
    }
}
