#!/usr/bin/env python3
"""Cost model of data-parallel training: per-step compute per rank against a ring Allreduce of the gradient.

    python3 bench/distributed/cost_model.py            # the tables in docs/distributed.md ("Going big")

Plain python3, no dependencies. Every assumption is a constant below and is printed with the tables.

Per step, each of N ranks computes forward+backward on its b images (C = b * t_img * m, m = 1 for clean training, the
PGD-k multiplier for adversarial training), then all ranks sum the gradient (S bytes) with a ring Allreduce:
    T = 2 (N-1)/N * S / bandwidth + 2 (N-1) * latency
No overlap of communication with the backward pass is assumed (PyTorch DDP and Horovod overlap by buckets; that hides
up to the backward's share, about 2/3, of C, so these efficiencies are lower bounds). Efficiency E = C / (C + T);
speedup over one rank with the same per-rank batch (weak scaling) = N * E.
"""

import math

# Gradients, float32 (4 bytes per parameter); forward FLOPs at 224 px counting a multiply-add as 2 FLOPs
# (torchvision lists 1.82 / 4.09 G multiply-adds; bench measured 8.174 GFLOP for the ResNet-50 forward).
MODELS = {
    "ResNet-18": {"params": 11.69e6, "fwd_gflop": 3.64},
    "ResNet-50": {"params": 25.56e6, "fwd_gflop": 8.18},
}
BYTES_PER_PARAM = 4

# Links: nominal bandwidth and per-hop latency (software + switch, one ring step).
LINKS = {
    "10 Gb/s (10GbE, 50 us/hop)": {"bandwidth": 10e9 / 8, "latency": 50e-6},
    "100 Gb/s (IB-class, 5 us/hop)": {"bandwidth": 100e9 / 8, "latency": 5e-6},
}

# Compute per image, forward+backward+update = 3 x forward FLOPs, at an effective rate.
GPU_TFLOPS = 50.0  # effective, mixed precision: ~2,000 ResNet-50 images/s, an A100-class GPU in a tuned pipeline
CPU_MS_PER_IMAGE = {"ResNet-18": 72.0, "ResNet-50": 252.0}  # measured on this 2-core VM (docs/benchmarks.md), 2 threads


def gpu_seconds_per_image(model):
    return 3 * MODELS[model]["fwd_gflop"] * 1e9 / (GPU_TFLOPS * 1e12)


PROFILES = {  # name -> seconds per image (clean forward+backward)
    "GPU-class": gpu_seconds_per_image,
    "this CPU (2 cores)": lambda model: CPU_MS_PER_IMAGE[model] / 1e3,
}

# PGD-k adversarial training: k attack steps (forward + backward to the input, ~2F each) + the training step (3F).
PGD_STEPS = 10
PGD_MULTIPLIER = (2 * PGD_STEPS + 3) / 3  # 7.67 for PGD-10; (k+1) = 11 if an attack step cost a full training step

# SyncBN (as PyTorch's SyncBatchNorm): one small collective per BatchNorm layer in the forward pass (batch statistics)
# and one in the backward pass, latency-bound; MPI sends small messages by recursive doubling, ceil(log2 N) steps.
BN_LAYERS = {"ResNet-18": 20, "ResNet-50": 53}

RANKS = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
TARGET = 0.90
REFERENCE_BATCHES = (32, 256)
GLOBAL_BATCH = 1024


def grad_bytes(model):
    return MODELS[model]["params"] * BYTES_PER_PARAM


def allreduce_seconds(size_bytes, n, link):
    if n == 1:
        return 0.0
    return 2 * (n - 1) / n * size_bytes / link["bandwidth"] + 2 * (n - 1) * link["latency"]


def min_batch(t_img, multiplier, t_comm, target=TARGET):
    """Smallest per-rank batch with C / (C + T) >= target."""
    return max(1, math.ceil(target / (1 - target) * t_comm / (t_img * multiplier) - 1e-9))


def efficiency(b, t_img, multiplier, t_comm):
    c = b * t_img * multiplier
    return c / (c + t_comm)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(seconds):
    return f"{seconds * 1e3:.1f}" if seconds < 10 else f"{seconds:.0f} s"


def main():
    link_names = list(LINKS)
    short = {name: name.split(" (")[0] for name in link_names}
    print("**Assumptions**")
    for m, spec in MODELS.items():
        print(f"- {m}: {spec['params'] / 1e6:.2f}M parameters, gradient {grad_bytes(m) / 1e6:.1f} MB fp32; "
              f"forward {spec['fwd_gflop']} GFLOP/image at 224 px, forward+backward 3x = {3 * spec['fwd_gflop']:.1f} GFLOP")
    for name, link in LINKS.items():
        print(f"- {name}: {link['bandwidth'] / 1e9:.2f} GB/s, {link['latency'] * 1e6:.0f} us per ring step")
    print(f"- GPU-class rank: {GPU_TFLOPS:.0f} TFLOP/s effective -> " + ", ".join(
        f"{m} {gpu_seconds_per_image(m) * 1e3:.2f} ms/image ({1 / gpu_seconds_per_image(m):,.0f} images/s)" for m in MODELS))
    print("- this CPU (2-core VM, one rank of 2 threads), measured: " + ", ".join(
        f"{m} {CPU_MS_PER_IMAGE[m]:.0f} ms/image" for m in MODELS))
    print(f"- PGD-{PGD_STEPS} adversarial training: {PGD_MULTIPLIER:.2f}x the compute per step "
          f"({PGD_STEPS} x 2F + 3F over 3F; at most {PGD_STEPS + 1}x); gradient size unchanged")
    print("- no overlap of communication with compute; ring Allreduce T = 2(N-1)/N * S/B + 2(N-1) * latency")
    print()

    print("**Table 1.** Ring Allreduce time per step (ms)")
    print()
    header = ["N"] + [f"{m}, {short[l]}" for m in MODELS for l in link_names]
    rows = [[n] + [ms(allreduce_seconds(grad_bytes(m), n, LINKS[l])) for m in MODELS for l in link_names] for n in RANKS]
    print(table(header, rows))
    print()

    print(f"**Table 2.** Smallest per-rank batch for >= {TARGET:.0%} efficiency (GPU-class rank)")
    print()
    header = ["N"] + [f"{m} {kind}, {short[l]}" for m in MODELS for kind in ("clean", f"PGD-{PGD_STEPS}") for l in link_names]
    rows = []
    for n in RANKS:
        row = [n]
        for m in MODELS:
            t = gpu_seconds_per_image(m)
            for mult in (1.0, PGD_MULTIPLIER):
                for l in link_names:
                    row.append(min_batch(t, mult, allreduce_seconds(grad_bytes(m), n, LINKS[l])))
        rows.append(row)
    print(table(header, rows))
    print()

    print("**Table 3.** Efficiency (and speedup over one rank = N x efficiency) at a fixed per-rank batch, ResNet-50, GPU-class rank")
    print()
    header = ["N"] + [f"b={b} {kind}, {short[l]}" for b in REFERENCE_BATCHES for kind in ("clean", f"PGD-{PGD_STEPS}") for l in link_names]
    rows = []
    t = gpu_seconds_per_image("ResNet-50")
    for n in RANKS:
        row = [n]
        for b in REFERENCE_BATCHES:
            for mult in (1.0, PGD_MULTIPLIER):
                for l in link_names:
                    e = efficiency(b, t, mult, allreduce_seconds(grad_bytes("ResNet-50"), n, LINKS[l]))
                    row.append(f"{e:.0%} ({n * e:.1f}x)" if n * e < 10 else f"{e:.0%} ({n * e:.0f}x)")
        rows.append(row)
    print(table(header, rows))
    print()

    print(f"**Table 4.** Smallest per-rank batch for >= {TARGET:.0%} efficiency, CPU ranks like this machine (clean; PGD-{PGD_STEPS} needs 1)")
    print()
    header = ["N"] + [f"{m}, {short[l]}" for m in MODELS for l in link_names]
    rows = [[n] + [min_batch(CPU_MS_PER_IMAGE[m] / 1e3, 1.0, allreduce_seconds(grad_bytes(m), n, LINKS[l]))
                   for m in MODELS for l in link_names] for n in RANKS]
    print(table(header, rows))
    print()

    print(f"**Table 5.** Fixed global batch {GLOBAL_BATCH} split over N GPU-class ranks (strong scaling): speedup over one rank")
    print()
    header = ["N", "per-rank batch"] + [f"{m} {kind}, {short[l]}" for m in MODELS for kind in ("clean", f"PGD-{PGD_STEPS}") for l in link_names]
    speedups = []
    for n in [1] + RANKS:
        b = GLOBAL_BATCH / n
        row = []
        for m in MODELS:
            t = gpu_seconds_per_image(m)
            for mult in (1.0, PGD_MULTIPLIER):
                single = GLOBAL_BATCH * t * mult
                for l in link_names:
                    row.append(single / (b * t * mult + allreduce_seconds(grad_bytes(m), n, LINKS[l])))
        speedups.append(row)
    peaks = [max(col) for col in zip(*speedups)]
    rows = [[n, f"{GLOBAL_BATCH / n:g}"] + [f"**{v:.1f}x**" if v == peak else f"{v:.1f}x" for v, peak in zip(row, peaks)]
            for n, row in zip([1] + RANKS, speedups)]
    print(table(header, rows))
    print()
    print("Bold: the fastest N; beyond it more ranks make each step slower.")
    print()
    print("**Table 6.** SyncBN: latency of its small collectives per training step (ms; 2 per BatchNorm layer, ceil(log2 N) hops each)")
    print()
    header = ["N"] + [f"{m} ({BN_LAYERS[m]} BN), {short[l]}" for m in MODELS for l in link_names]
    rows = [[n] + [f"{2 * BN_LAYERS[m] * math.ceil(math.log2(n)) * LINKS[l]['latency'] * 1e3:.1f}" for m in MODELS for l in link_names]
            for n in RANKS]
    print(table(header, rows))


if __name__ == "__main__":
    main()
