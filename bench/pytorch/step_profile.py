"""The PyTorch side of bench/StepProfile: where one training step of a twin goes (forward, loss, zero_grad, backward,
optimizer, and the training attack's eval-mode forward and input-gradient backward), each phase timed alone.

    /usr/bin/python3 bench/pytorch/step_profile.py MODEL [SIZE] [BATCH] [ITERATIONS] [THREADS] [channels_last]
    dotnet run --project bench/StepProfile -c Release -- MODEL [SIZE] [BATCH] [ITERATIONS] [THREADS] [nchw]
"""
import os, sys, time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twins  # noqa: E402
from bench_twin import part_loss  # noqa: E402

name = sys.argv[1] if len(sys.argv) > 1 else "resnet18"
size, batch, iterations, threads = (int(a) for a in (sys.argv[2:6] + ["32", "64", "20", "2"][len(sys.argv[2:6]):]))
channels_last = "channels_last" in sys.argv[6:]
torch.set_num_threads(threads)
torch.manual_seed(0)
settings = {"model": name, "image_size": size, "width": int(os.environ.get("WIDTH", "16")), "num_classes": 11, "num_seg_labels": 41}
model = twins.build(settings)
part = twins.is_part_model(model)
optimizer = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=5e-4)
x = torch.rand(batch, 3, size, size)
y = torch.randint(0, 11, (batch,))
masks = torch.randint(0, 41, (batch, size, size))
if channels_last:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
phases = {}


def timed(phase, f):
    start = time.perf_counter()
    result = f()
    phases[phase] = phases.get(phase, 0.0) + (time.perf_counter() - start) * 1000
    return result


print(f"{name} {size}px batch {batch} threads {torch.get_num_threads()} torch {torch.__version__}{' channels_last' if channels_last else ''}")
for i in range(iterations + 1):
    if i == 1:
        phases.clear()
    model.train()
    out = timed("forward", lambda: model.forward_with_parts(x) if part else (model(x), None))
    loss = timed("loss", lambda: part_loss(out[0], y, out[1], masks, 0.5 if part else 0))
    timed("zero_grad", lambda: optimizer.zero_grad())
    timed("backward", lambda: loss.backward())
    timed("optimizer", lambda: optimizer.step())
    timed("scalar", lambda: loss.item())
model.eval()
for i in range(iterations + 1):
    if i == 1:
        phases["attack forward"] = phases["attack backward"] = 0.0
    inp = x.detach().requires_grad_(True)
    attack_loss = timed("attack forward", lambda: F.cross_entropy(model(inp), y, reduction="none").sum())
    timed("attack backward", lambda: torch.autograd.grad(attack_loss, inp)[0])
step = sum(v for k, v in phases.items() if not k.startswith("attack")) / iterations
print(f"clean training step {step:.1f} ms = {batch * 1000 / step:.0f} img/s")
for k, v in phases.items():
    print(f"  {k:16s} {v / iterations:8.2f} ms")
