#!/usr/bin/python3
"""Checks the PyTorch twins against the C# models: for every MODEL-SIZEpx.probe.safetensors in DIR (written by
`partrobust bench --save-weights DIR`), builds the twin from MODEL-SIZEpx.json, loads MODEL-SIZEpx.safetensors with
load_state_dict(strict=True), runs the probe input x in eval mode and compares the class logits (and, for part models,
the part logits) with the C# outputs stored in the probe.

For scale it also prints the float32 round-off of the twin itself: max |twin in float32 - twin in float64| on the same
input. The C# and PyTorch results differ by about that much (different libtorch versions pick different kernels and
summation orders), so a difference far above it means the twin computes something else.

Usage: /usr/bin/python3 bench/pytorch/check_twins.py DIR [--tolerance 1e-5] [--threads N]
Exit code 0 when every max |difference| is <= the tolerance times max(1, max |output|) (float32 sums in another order
differ in proportion to the values' size), 1 otherwise (or when DIR holds no probe).
"""

import argparse
import copy
import glob
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import twins  # noqa: E402

PROBE_SUFFIX = ".probe.safetensors"


def load_twin(directory, stem):
    """The twin of DIR/STEM.json with the weights of DIR/STEM.safetensors loaded (strict), and its settings."""
    with open(os.path.join(directory, stem + ".json"), encoding="utf-8") as f:
        settings = json.load(f)
    model = twins.build(settings)
    weights, _ = safetensors_io.load(os.path.join(directory, settings.get("weights", stem + ".safetensors")))
    model.load_state_dict(weights, strict=True)
    return model, settings


def max_abs_diff(a, b):
    return (a.double() - b.double()).abs().max().item()


def check(directory, stem):
    """A dict of the comparison of the twin with the C# outputs stored in DIR/STEM.probe.safetensors."""
    model, _ = load_twin(directory, stem)
    probe, _ = safetensors_io.load(os.path.join(directory, stem + PROBE_SUFFIX))
    model.eval()
    reference = copy.deepcopy(model).double()
    with torch.no_grad():
        if twins.is_part_model(model):
            logits, parts = model.forward_with_parts(probe["x"])
            logits64, parts64 = reference.forward_with_parts(probe["x"].double())
        else:
            logits, parts = model(probe["x"]), None
            logits64, parts64 = reference(probe["x"].double()), None
    if logits.shape != probe["logits"].shape:
        raise ValueError(f"logits shape {tuple(logits.shape)}, expected {tuple(probe['logits'].shape)}")
    result = {"logits": max_abs_diff(logits, probe["logits"]), "logits_scale": probe["logits"].abs().max().item(),
              "logits_f32_noise": max_abs_diff(logits, logits64), "parts": None}
    if "parts" in probe:
        if parts is None or parts.shape != probe["parts"].shape:
            raise ValueError(f"the probe has part logits {tuple(probe['parts'].shape)} but the twin gave "
                             f"{None if parts is None else tuple(parts.shape)}")
        result.update(parts=max_abs_diff(parts, probe["parts"]), parts_scale=probe["parts"].abs().max().item(),
                      parts_f32_noise=max_abs_diff(parts, parts64))
    elif parts is not None:
        raise ValueError("the twin is a part model but the probe has no part logits")
    return result


def settings_threads(directory, stem):
    with open(os.path.join(directory, stem + ".json"), encoding="utf-8") as f:
        return json.load(f).get("torch_threads")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="folder written by partrobust bench --save-weights")
    parser.add_argument("--tolerance", type=float, default=1e-5,
                        help="largest allowed max |difference| relative to max(1, max |output|) (default 1e-5)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: the torch_threads the C# bench recorded, as summation order depends on it)")
    args = parser.parse_args()
    probes = sorted(glob.glob(os.path.join(args.dir, "*" + PROBE_SUFFIX)))
    if not probes:
        print(f"check_twins: no *{PROBE_SUFFIX} in {args.dir}", file=sys.stderr)
        return 1
    failed = 0
    print(f"{'model':<24} {'max|Δlogits|':>12} {'(f32 noise)':>11} {'max|logits|':>11}   "
          f"{'max|Δparts|':>11} {'(f32 noise)':>11} {'max|parts|':>10}  result")
    for path in probes:
        stem = os.path.basename(path)[:-len(PROBE_SUFFIX)]
        try:
            torch.set_num_threads(args.threads or settings_threads(args.dir, stem) or 2)
            r = check(args.dir, stem)
        except Exception as e:  # a missing key or a shape mismatch is a failed check, reported and counted
            print(f"{stem:<24} FAILED: {type(e).__name__}: {str(e).splitlines()[0]}")
            failed += 1
            continue
        ok = r["logits"] <= args.tolerance * max(1.0, r["logits_scale"]) and (
            r["parts"] is None or r["parts"] <= args.tolerance * max(1.0, r["parts_scale"]))
        failed += not ok
        if r["parts"] is None:
            parts_text = f"{'-':>11} {'-':>11} {'-':>10}"
        else:
            parts_text = f"{r['parts']:>11.2e} {r['parts_f32_noise']:>11.2e} {r['parts_scale']:>10.3g}"
        print(f"{stem:<24} {r['logits']:>12.2e} {r['logits_f32_noise']:>11.2e} {r['logits_scale']:>11.3g}   "
              f"{parts_text}  {'ok' if ok else 'MISMATCH'}")
    print(f"{len(probes) - failed}/{len(probes)} twins match within {args.tolerance:g} × max(1, max |output|) "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
