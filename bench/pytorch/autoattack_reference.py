"""Reference AutoAttack (fra31/auto-attack) on the PyTorch twin of a PartRobust checkpoint, on a PartRobust data folder.

    /usr/bin/python3 bench/pytorch/autoattack_reference.py --autoattack-src DIR --checkpoint RUN/checkpoints/resnet18 \
        --data DIR/test --n 100 [--batch 250] [--eps 0.0313725] [--threads 2] [--json OUT]

--autoattack-src is a checkout of github.com/fra31/auto-attack (the folder holding the `autoattack` package); nothing of
it is part of PartRobust. The points are the first N rows of the folder's index.csv, the images PartRobust's
`attack --data` reads. Prints (and writes with --json) the clean and robust accuracy, each stage's seconds and which
points stayed robust, so that `autoattack_side_by_side.sh` can put them beside PartRobust's `attack_stages`.
"""
import argparse, io, os, re, sys, time
from contextlib import redirect_stdout

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twins  # noqa: E402
from points import load_points, write_result  # noqa: E402


STAGE = re.compile(r"robust accuracy after (\S+): ([\d.]+)% \(total time ([\d.]+) s\)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--autoattack-src", required=True)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--batch", type=int, default=250)
    p.add_argument("--eps", type=float, default=8 / 255)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    a = p.parse_args()
    sys.path.insert(0, a.autoattack_src)
    from autoattack import AutoAttack

    torch.set_num_threads(a.threads)
    model = twins.load_checkpoint(a.checkpoint)
    x, y = load_points(a.data, a.n)
    with torch.no_grad():
        clean = model(x).argmax(1).eq(y)
    attack = AutoAttack(model, norm="Linf", eps=a.eps, version="standard", seed=a.seed, device="cpu")
    log = io.StringIO()
    start = time.perf_counter()
    with redirect_stdout(log):
        adv = attack.run_standard_evaluation(x, y, bs=a.batch)
    total = time.perf_counter() - start
    sys.stdout.write(log.getvalue())
    with torch.no_grad():
        robust = model(adv).argmax(1).eq(y) & clean
    stages, previous = [], 0.0
    for name, acc, cumulative in STAGE.findall(log.getvalue()):
        stages.append({"attack": name, "robust_accuracy": float(acc) / 100, "seconds": float(cumulative) - previous})
        previous = float(cumulative)
    write_result("fra31/auto-attack (standard)", clean, robust, total, a.json, stages=stages)

if __name__ == "__main__":
    main()
