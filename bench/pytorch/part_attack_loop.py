"""A straightforward PGD loop of the seg-sum attack on the PyTorch twin of a PartRobust part model: the peer of
`partrobust attack --attack seg-sum` in bench/pytorch/part_attack_side_by_side.sh.

    /usr/bin/python3 bench/pytorch/part_attack_loop.py --checkpoint RUN/checkpoints/part-downsampled --data DIR/test \
        --n 100 [--batch 200] [--eps 0.0313725] [--c 0.5] [--steps 100] [--restarts 5] [--threads 2] [--json OUT]

The attack as PartRobust's registry describes seg-sum: L-inf PGD on (1-c)*CE(class) + c*CE(parts vs the true mask,
per-sample mean over labelled pixels), c = 0.5, 100 steps of max(0.001, eps/40), a uniform random start in the eps-ball,
5 restarts, keeping per point the worst iterate (one that fools the model, else the highest loss). Written the way a
researcher would: every restart attacks every point of the batch, the model in eval mode, one forward and one input
gradient per step. The one thing PartRobust does differently by design: restarts after the first attack only the points
not yet fooled (a fooled point stays fooled, so robust accuracy has the same meaning; the random draws differ).
"""
import argparse, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twins  # noqa: E402
from bench_twin import part_loss_per_sample  # noqa: E402
from points import load_points, write_result  # noqa: E402


def seg_sum_loss(model, images, labels, masks, c):
    class_logits, part_logits = model.forward_with_parts(images)
    return class_logits, part_loss_per_sample(class_logits, labels, part_logits, masks, c)


def seg_sum_attack(model, x, y, m, eps, c, steps, step_size, restarts):
    best = x.clone()
    with torch.no_grad():
        logits, best_loss = seg_sum_loss(model, x, y, m, c)
    fooled = logits.argmax(1).ne(y)
    for _ in range(restarts):
        delta = (torch.rand_like(x) * 2 - 1) * eps
        for step in range(steps + 1):
            adv = (x + delta).clamp(0, 1).detach().requires_grad_(True)
            logits, loss = seg_sum_loss(model, adv, y, m, c)
            with torch.no_grad():
                now = logits.argmax(1).ne(y)
                better = (now & ~fooled) | (now.eq(fooled) & loss.gt(best_loss))
                best[better] = adv.detach()[better]
                best_loss[better] = loss.detach()[better]
                fooled |= now
            if step == steps:
                break
            grad, = torch.autograd.grad(loss.sum(), adv)
            with torch.no_grad():
                delta = (adv + step_size * grad.sign() - x).clamp(-eps, eps)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--eps", type=float, default=8 / 255)
    p.add_argument("--c", type=float, default=0.5)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--restarts", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = twins.load_checkpoint(a.checkpoint)
    if not twins.is_part_model(model):
        sys.exit(f"part_attack_loop.py: --checkpoint {a.checkpoint}: seg-sum needs a part model")
    x, y, m = load_points(a.data, a.n, masks=True)
    step_size = max(0.001, a.eps / 40)
    start = time.perf_counter()
    with torch.no_grad():
        clean = model(x).argmax(1).eq(y)
    adv = torch.cat([seg_sum_attack(model, x[i:i + a.batch], y[i:i + a.batch], m[i:i + a.batch], a.eps, a.c, a.steps,
                                    step_size, a.restarts) for i in range(0, len(y), a.batch)])
    seconds = time.perf_counter() - start
    assert (adv - x).abs().max().item() <= a.eps + 1e-6 and adv.min().item() >= 0 and adv.max().item() <= 1
    with torch.no_grad():
        robust = model(adv).argmax(1).eq(y) & clean
    write_result("straightforward PGD loop (seg-sum)", clean, robust, seconds, a.json)

if __name__ == "__main__":
    main()
