using System.Diagnostics;
using PartRobust.Training;
using static TorchSharp.torch;
var (model, info) = Checkpoint.Load(args[0]);
model.eval();
int n = int.Parse(args[1]);
var x = rand(n, 3, 32, 32);
var y = randint(0, 11, n);
void T(string name, int reps, Action a) { for (int i=0;i<20;i++) a(); var sw=Stopwatch.StartNew(); for(int i=0;i<reps;i++) a(); Console.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds/reps:F2} ms"); }
for (int round = 0; round < 2; round++) {
T("fwd inference_mode", 200, () => { using var s = NewDisposeScope(); using var g = inference_mode(); model.call(x); });
T("fwd nograd", 200, () => { using var s = NewDisposeScope(); using var g = no_grad(); model.call(x); });
T("fwd grad", 200, () => { using var s = NewDisposeScope(); var xi = x.clone().requires_grad_(true); model.call(xi); });
}
