#!/usr/bin/python3
"""Times the PyTorch twins exactly as `partrobust bench` (Benchmark.MeasureModel) times the C# models.

For every MODEL-SIZEpx.json in DIR (written by `partrobust bench --save-weights DIR`) it builds the twin, loads the same
initial weights (MODEL-SIZEpx.safetensors) and measures, with the settings in the JSON file:

* data: random images in [0,1] [B,3,S,S], labels in [0,C), part masks in [0,K) [B,S,S] (torch.manual_seed(0));
* optimizer: AdamW (lr, betas, eps from the JSON), weight decay on parameters with more than one dimension, 0 on the rest;
* clean training: iterations+1 steps (model.train(), zero_grad, forward, loss, backward, step); the first is a warm-up
  and not timed;
* PGD-k adversarial training: the same steps on the same model and optimizer (continuing after the clean ones), each
  preceded by the training attack: model in eval mode, a uniform random start in the L-inf ball (its own generator,
  seed 0), k sign-gradient steps of step_size on the summed per-sample cross-entropy of the class logits, projection
  onto the ball and the [0,1] box after every step, then the check that the result is inside both (as PgdCore does);
* loss: (1 - c)·CE(class logits) + c·mean-over-pixels CE(part logits), per sample, averaged (PartLoss with c = 0.5) for
  part models; CE of the class logits for resnet18.

Throughput = iterations × batch / seconds of the timed steps, printed for each model and written with --json.

Usage: /usr/bin/python3 bench/pytorch/bench_twin.py DIR [--models a,b] [--iterations N] [--threads 2] [--json OUT]
"""

import argparse
import glob
import json
import os
import platform
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twins  # noqa: E402
from check_twins import load_twin  # noqa: E402
from points import IGNORE_LABEL  # noqa: E402

VERIFY_TOLERANCE = 1e-5  # ThreatModel.Tolerance


def part_loss_per_sample(class_logits, labels, part_logits, masks, seg_weight):
    """PartLoss.PerSample: (1 - c)·CE(class) + c·(mean CE over the labelled pixels) per sample (CE only without part logits)."""
    class_loss = F.cross_entropy(class_logits, labels, reduction="none")
    if part_logits is None or seg_weight == 0:
        return class_loss
    pixel_loss = F.cross_entropy(part_logits, masks, ignore_index=IGNORE_LABEL, reduction="none")
    valid = masks.ne(IGNORE_LABEL).to(pixel_loss.dtype)
    seg_loss = pixel_loss.flatten(1).sum(1) / valid.flatten(1).sum(1).clamp_min(1.0)
    return class_loss * (1 - seg_weight) + seg_loss * seg_weight


def part_loss(class_logits, labels, part_logits, masks, seg_weight):
    """PartLoss.Compute: the per-sample joint loss averaged over the batch."""
    return part_loss_per_sample(class_logits, labels, part_logits, masks, seg_weight).mean()


def create_optimizer(model, settings):
    """Trainer.CreateOptimizer for adamw: weight decay on parameters with more than one dimension only."""
    o = settings["optimizer"]
    if o["name"] != "adamw":
        raise ValueError(f"only adamw is supported, not {o['name']}")
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": o["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], amsgrad=False)


class PgdTraining:
    """PgdAttack.PaperTraining(eps, steps): one random start, the last iterate, model in eval mode during the attack."""

    def __init__(self, epsilon, steps, step_size, random_start=True, seed=0):
        self.epsilon, self.steps, self.step_size, self.random_start = epsilon, steps, step_size, random_start
        self.generator = torch.Generator().manual_seed(seed)

    def project_(self, x, delta):
        delta.clamp_(-self.epsilon, self.epsilon)
        delta.copy_((x + delta).clamp_(0.0, 1.0).sub_(x))

    def verify(self, x, adversarial):
        lo, hi = adversarial.min().item(), adversarial.max().item()
        if lo < -VERIFY_TOLERANCE or hi > 1 + VERIFY_TOLERANCE:
            raise RuntimeError(f"attack result leaves the [0,1] box (min {lo}, max {hi})")
        worst = (adversarial - x).flatten(1).abs().amax(1).max().item()
        if worst > self.epsilon + VERIFY_TOLERANCE * max(1.0, self.epsilon):
            raise RuntimeError(f"attack result leaves the Linf ball: {worst} > {self.epsilon}")

    def perturb(self, model, x, y):
        was_training = model.training
        model.eval()
        try:
            with torch.enable_grad():
                with torch.no_grad():
                    if self.random_start and self.epsilon > 0:
                        delta = torch.rand(x.shape, dtype=x.dtype, generator=self.generator).mul_(2 * self.epsilon).sub_(self.epsilon)
                        self.project_(x, delta)
                    else:
                        delta = torch.zeros_like(x)
                for _ in range(self.steps):
                    inputs = (x + delta).detach().requires_grad_(True)
                    losses = F.cross_entropy(model(inputs), y, reduction="none")
                    (grad,) = torch.autograd.grad(losses.sum(), [inputs])
                    with torch.no_grad():
                        delta.add_(grad.sign().mul_(self.step_size))
                        self.project_(x, delta)
            with torch.no_grad():
                adversarial = (x + delta).detach()
                self.verify(x, adversarial)
            return adversarial
        finally:
            model.train(was_training)


def train_step(model, optimizer, images, labels, masks, seg_weight, attack):
    inputs = images if attack is None else attack.perturb(model, images, labels)
    model.train()
    optimizer.zero_grad()
    if twins.is_part_model(model):
        class_logits, part_logits = model.forward_with_parts(inputs)
        loss = part_loss(class_logits, labels, part_logits, masks, seg_weight)
    else:
        loss = part_loss(model(inputs), labels, None, None, 0.0)
    loss.backward()
    optimizer.step()


def throughput(model, optimizer, batch, seg_weight, attack, iterations):
    """Images per second of `iterations` steps after one untimed warm-up step."""
    images, labels, masks = batch
    start = None
    for i in range(iterations + 1):
        if i == 1:
            start = time.perf_counter()
        train_step(model, optimizer, images, labels, masks, seg_weight, attack)
    return iterations * images.shape[0] / (time.perf_counter() - start)


def measure(directory, stem, iterations=None, channels_last=False):
    """(settings, clean img/s, PGD-k AT img/s) of the twin of DIR/STEM; with channels_last, model and input NHWC
    (memory_format=torch.channels_last, as PyTorch's performance guide recommends for CPU convolutions)."""
    torch.manual_seed(0)
    model, settings = load_twin(directory, stem)
    iterations = iterations or settings["iterations"]
    b, s = settings["batch_size"], settings["image_size"]
    batch = (torch.rand(b, 3, s, s), torch.randint(0, settings["num_classes"], (b,)),
             torch.randint(0, settings["num_seg_labels"], (b, s, s)))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        batch = (batch[0].contiguous(memory_format=torch.channels_last),) + batch[1:]
    optimizer = create_optimizer(model, settings)
    attack = PgdTraining(settings["epsilon"], settings["attack_steps"], settings["step_size"], settings.get("random_start", True))
    clean = throughput(model, optimizer, batch, settings["seg_weight"], None, iterations)
    adv = throughput(model, optimizer, batch, settings["seg_weight"], attack, iterations)
    return settings, iterations, clean, adv


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="folder written by partrobust bench --save-weights")
    parser.add_argument("--models", help="comma-separated models (default: every MODEL-SIZEpx.json in DIR)")
    parser.add_argument("--iterations", type=int, help="timed steps per measurement (default: the C# run's)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    parser.add_argument("--channels-last", action="store_true", help="model and input in memory_format=torch.channels_last")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    stems = sorted(os.path.basename(p)[:-len(".json")] for p in glob.glob(os.path.join(args.dir, "*px.json")))
    if args.models:
        wanted = set(args.models.split(","))
        stems = [st for st in stems if st.rsplit("-", 1)[0] in wanted]
    if not stems:
        print(f"bench_twin: no MODEL-SIZEpx.json to measure in {args.dir}", file=sys.stderr)
        return 1
    rows = []
    for stem in stems:
        settings, iterations, clean, adv = measure(args.dir, stem, args.iterations, args.channels_last)
        k = settings["attack_steps"]
        print(f"twin{' (channels_last)' if args.channels_last else ''} {settings['model']} {settings['image_size']}px: clean {clean:.1f} img/s ({1000 / clean:.0f} ms/img), "
              f"PGD-{k} AT {adv:.2f} img/s ({1000 / adv:.0f} ms/img)", flush=True)
        rows.append({"model": settings["model"], "image_size": settings["image_size"], "batch_size": settings["batch_size"],
                     "attack_steps": k, "iterations": iterations,
                     "clean_train_images_per_second": clean, "adv_train_images_per_second": adv})
    if args.json:
        result = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "channels_last": args.channels_last,
                  "python": platform.python_version(), "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "models": rows}
        temp = f"{args.json}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        os.replace(temp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
