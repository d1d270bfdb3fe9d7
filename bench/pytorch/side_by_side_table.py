#!/usr/bin/python3
"""Prints the Markdown table of a side_by_side.sh run: for each model and image size, the median over rounds (with the
range) of our clean and PGD-k adversarial-training throughput, the twin's, and their ratio (ours / twin, per round).

Usage: /usr/bin/python3 bench/pytorch/side_by_side_table.py OUT_DIR [--cpu NAME] [--nproc N] [--libtorch VERSION]
OUT_DIR/runs/SIZE/rROUND/MODEL/ holds ours.json (partrobust bench --json), twin.json (bench_twin.py --json) and, when
measured, twin-cl.json (bench_twin.py --channels-last --json): the twin in PyTorch's default NCHW layout and in NHWC.
"""

import argparse
import glob
import json
import os
import statistics
import sys

MODEL_ORDER = ("resnet18", "part-downsampled", "part-bbox")


def load_runs(out_dir):
    """{(model, size): [(ours clean, twin clean, ours adv, twin adv, twin NHWC clean, twin NHWC adv), ...]} (NaN where the
    NHWC twin was not measured) and (ours JSON, twin JSON) of the last run."""
    runs, example = {}, (None, None)
    for ours_path in sorted(glob.glob(os.path.join(out_dir, "runs", "*", "*", "*", "ours.json"))):
        twin_path = os.path.join(os.path.dirname(ours_path), "twin.json")
        if not os.path.exists(twin_path):
            continue
        with open(ours_path, encoding="utf-8") as f:
            ours = json.load(f)
        with open(twin_path, encoding="utf-8") as f:
            twin = json.load(f)
        o, t = ours["models"][0], twin["models"][0]
        cl_path = os.path.join(os.path.dirname(ours_path), "twin-cl.json")
        cl = json.load(open(cl_path, encoding="utf-8"))["models"][0] if os.path.exists(cl_path) else None
        key = (t["model"], t["image_size"])
        runs.setdefault(key, []).append((o["clean_train_images_per_second"], t["clean_train_images_per_second"],
                                         o["adv_train_images_per_second"], t["adv_train_images_per_second"],
                                         cl["clean_train_images_per_second"] if cl else float("nan"),
                                         cl["adv_train_images_per_second"] if cl else float("nan")))
        if example[0] is None or ours["machine"]["date_utc"] > example[0]["machine"]["date_utc"]:
            example = (ours, twin)  # the last run, for the date and versions
    return runs, example


def cell(values, digits):
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--cpu", default="?", help="CPU model name (lscpu)")
    parser.add_argument("--nproc", default="?", help="processors (nproc)")
    parser.add_argument("--libtorch", default="?", help="libtorch version of the C# build")
    args = parser.parse_args()
    runs, (ours, twin) = load_runs(args.out_dir)
    if not runs:
        print(f"side_by_side_table: no finished runs in {args.out_dir}/runs", file=sys.stderr)
        return 1
    s, tm = ours["settings"], twin["models"][0]
    k = s["attack_steps"]
    rounds = max(len(v) for v in runs.values())
    print(f"Machine: {args.cpu}, nproc {args.nproc}; date {ours['machine']['date_utc'][:16].replace('T', ' ')} UTC.")
    print(f"Ours: PartRobust (.NET) on TorchSharp {ours['machine']['torchsharp_version']} / libtorch {args.libtorch}, "
          f"{ours['machine']['torch_threads']} torch threads. Twin: PyTorch {twin['torch_version']} "
          f"(Python {twin['python']}), {twin['threads']} threads.")
    print(f"Setting: batch {s['batch_size']}, width {s['width']}, segmenter {s['segmenter']}, C={s['num_classes']}, "
          f"K={ours['num_seg_labels']}, PGD-{k} training attack, {tm['iterations']} timed steps after one warm-up step; "
          f"same initial weights; ours and the twin alternate, one model at a time; {rounds} round(s).")
    print("Values: median over rounds (range); ratio = ours / twin per round (> 1: ours faster). Twin: PyTorch's default "
          "NCHW layout; NHWC: the same twin with model and input in memory_format=torch.channels_last (ours stores "
          "convolution weights channels-last).")
    print()
    print(f"| model | image size | ours clean img/s | twin clean img/s | ratio | twin NHWC clean | ratio | "
          f"ours PGD-{k} AT img/s | twin PGD-{k} AT img/s | ratio | twin NHWC PGD-{k} AT | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = {m: i for i, m in enumerate(MODEL_ORDER)}
    for (model, size) in sorted(runs, key=lambda ms: (ms[1], order.get(ms[0], 99), ms[0])):
        rows = runs[(model, size)]
        oc, tc, oa, ta, cc, ca = (list(col) for col in zip(*rows))
        print(f"| {model} | {size} | {cell(oc, 1)} | {cell(tc, 1)} | {cell([a / b for a, b in zip(oc, tc)], 2)} | "
              f"{cell(cc, 1)} | {cell([a / b for a, b in zip(oc, cc)], 2)} | "
              f"{cell(oa, 2)} | {cell(ta, 2)} | {cell([a / b for a, b in zip(oa, ta)], 2)} | "
              f"{cell(ca, 2)} | {cell([a / b for a, b in zip(oa, ca)], 2)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
