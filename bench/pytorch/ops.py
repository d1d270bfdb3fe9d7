"""Single ops timed alone: the PyTorch side of `dotnet run --project bench/StepProfile -c Release -- ops [threads]`."""
import sys, time
import torch, torch.nn as nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
x = torch.rand(64, 16, 32, 32)
conv, bn = nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)


def T(name, f, n=50):
    for _ in range(3):
        f()
    t = time.perf_counter()
    for _ in range(n):
        f()
    print(f"  {name:36s} {(time.perf_counter() - t) * 1000 / n:8.3f} ms")


with torch.no_grad():
    T("conv 16→16 3×3 [64,16,32,32] no_grad", lambda: conv(x))
    bn.eval(); T("bn eval no_grad", lambda: bn(x))
    bn.train(); T("bn train no_grad", lambda: bn(x))
    T("relu", lambda: torch.relu(x))
    T("add", lambda: x + x)
bn.eval()
xg = x.clone().requires_grad_(True)
T("conv fwd+bwd(input)", lambda: torch.autograd.grad(conv(xg).sum(), xg))
T("bn eval fwd+bwd(input)", lambda: torch.autograd.grad(bn(xg).sum(), xg))
bn.train()
T("bn train fwd+bwd(input)", lambda: torch.autograd.grad(bn(xg).sum(), xg))
# The segmenter's other ops, channels-last input as in the model, forward + backward to the input.
h = torch.rand(64, 64, 8, 8).contiguous(memory_format=torch.channels_last).requires_grad_(True)
bn64 = nn.BatchNorm2d(64).train()
T("bn train nhwc [64,64,8,8] fwd+bwd", lambda: torch.autograd.grad(bn64(h).sum(), h))
T("relu nhwc fwd+bwd", lambda: torch.autograd.grad(torch.relu(h).sum(), h))
T("cat 5× nhwc fwd+bwd", lambda: torch.autograd.grad(torch.cat([h, h, h, h, h], 1).sum(), h))
T("bilinear 8→32 nhwc fwd+bwd", lambda: torch.autograd.grad(
    torch.nn.functional.interpolate(h, size=(32, 32), mode="bilinear", align_corners=False).sum(), h))
hc = torch.rand(64, 64, 8, 8).requires_grad_(True)
T("bilinear 8→32 nchw fwd+bwd", lambda: torch.autograd.grad(
    torch.nn.functional.interpolate(hc, size=(32, 32), mode="bilinear", align_corners=False).sum(), hc))
logits = torch.rand(64, 41, 32, 32).requires_grad_(True)
target = torch.randint(0, 41, (64, 32, 32))
T("pixel CE [64,41,32,32] fwd+bwd", lambda: torch.autograd.grad(
    torch.nn.functional.cross_entropy(logits, target, reduction="none").sum(), logits))

