// Where the time of one training step goes: forward, loss, backward, optimizer, and the PGD attack's steps, each timed
// alone (libtorch's CPU ops are synchronous, so a stopwatch around a phase measures it).
//   dotnet run --project bench/StepProfile -c Release -- [model] [image size] [batch] [iterations] [threads] [nchw]
// (WIDTH=n sets the width; "ops" times single ops, to compare with bench/pytorch/ops.py.)

using System.Diagnostics;
using PartRobust.Attacks;
using PartRobust.Models;
using PartRobust.Training;
using static TorchSharp.torch;

if (args.Length > 0 && args[0] == "ops") { PartRobust.Bench.Ops.Run(args.Length > 1 ? int.Parse(args[1]) : 2); return; }
string modelName = args.Length > 0 ? args[0] : "resnet18";
int size = args.Length > 1 ? int.Parse(args[1]) : 32;
int batch = args.Length > 2 ? int.Parse(args[2]) : 64;
int iterations = args.Length > 3 ? int.Parse(args[3]) : 20;
int threads = args.Length > 4 ? int.Parse(args[4]) : 2;
var flags = args.Skip(5).ToHashSet();
set_num_threads(threads);
manual_seed(0);
var taxonomy = PartRobust.Data.PartImageNetTaxonomy.Select(PartRobust.Data.PartImageNetTaxonomy.ClassNames);
var spec = ModelSpec.For(modelName, taxonomy, size, int.Parse(Environment.GetEnvironmentVariable("WIDTH") ?? "16"), SegmenterRegistry.Default);
using var model = ModelRegistry.Create(spec);
// The registry stores convolution weights channels-last; "nchw" puts them back, to measure what that gains.
if (flags.Contains("nchw"))
    using (no_grad())
        foreach (var conv in model.modules().OfType<TorchSharp.Modules.Conv2d>())
            conv.weight = new TorchSharp.Modules.Parameter(conv.weight!.detach().contiguous(), conv.weight.requires_grad);
var options = new TrainOptions { BatchSize = batch, AttackSteps = 10 };
var optimizer = Trainer.CreateOptimizer(model, options);
var x = rand(batch, 3, size, size);
var y = randint(0, spec.NumClasses, batch);
var masks = randint(0, spec.NumSegLabels, new long[] { batch, size, size });
var phases = new Dictionary<string, double>();
void Time(string name, Action a) { var c = Stopwatch.StartNew(); a(); phases[name] = phases.GetValueOrDefault(name) + c.Elapsed.TotalMilliseconds; }

Console.WriteLine($"{modelName} {size}px batch {batch} threads {get_num_threads()} interop {get_num_interop_threads()} flags [{string.Join(",", flags)}]");
for (int i = 0; i <= iterations; i++)
{
    if (i == 1) phases.Clear();
    using var scope = NewDisposeScope();
    model.train();
    Tensor loss = null!;
    Tensor c = null!, p = null!;
    Time("forward", () =>
    {
        if (model is IPartModel pm) (c, p) = pm.ForwardWithParts(x); else { c = model.call(x); p = null!; }
    });
    Time("loss", () => loss = PartLoss.Compute(c, y, p, p is null ? null : masks, p is null ? 0 : 0.5));
    Time("zero_grad", () => optimizer.zero_grad());
    Time("backward", () => loss.backward());
    Time("optimizer", () => optimizer.step());
    Time("scalar", () => loss.item<float>());
}
// The attack: forward + input gradient only, model in eval mode (as the training attack).
model.eval();
for (int i = 0; i <= iterations; i++)
{
    if (i == 1) { phases["attack forward"] = 0; phases["attack backward"] = 0; phases["attack update"] = 0; }
    using var scope = NewDisposeScope();
    using var g = enable_grad();
    var input = x.detach().requires_grad_(true);
    Tensor loss = null!;
    Time("attack forward", () =>
    {
        var logits = model.call(input);
        loss = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None).sum();
    });
    Tensor grad = null!;
    Time("attack backward", () => grad = autograd.grad(new[] { loss }, new[] { input })[0]);
    Time("attack update", () => { using var ng = no_grad(); var d = (input.detach() + grad.sign() * 0.01).clamp(0, 1); });
}
double step = phases.Where(kv => !kv.Key.StartsWith("attack")).Sum(kv => kv.Value) / iterations;
Console.WriteLine($"clean training step {step:F1} ms = {batch * 1000 / step:F0} img/s");
foreach (var (k, v) in phases) Console.WriteLine($"  {k,-16} {v / iterations,8:F2} ms");
