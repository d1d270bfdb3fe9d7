"""Mean absolute change of bethgelab/imagecorruptions' random corruptions on PartRobust's fidelity image.

    /usr/bin/python3 bench/corruption-fidelity/reference_mean_change.py --imagecorruptions DIR \
        [--seeds 3] [--first-seed 0] [--size 64] [--json OUT] [--motion-blur-angles]

--imagecorruptions is a checkout of github.com/bethgelab/imagecorruptions (the folder holding the `imagecorruptions`
package; c959e65 for docs/corruption-fidelity.md); nothing of it is part of PartRobust. It needs numpy, Pillow, scipy,
scikit-image, opencv and numba (Debian: python3-scipy python3-skimage python3-opencv python3-numba).

For every random corruption and severity 1-5 (ImageNet parameters) this prints the mean over seeds of
mean(|corrupted - clean|) on the 0-255 scale, the library's float output before `corrupt`'s uint8 cast (PartRobust's
corruptions do not quantise either), with np.random.seed(seed) before each call. The image is the integer-defined
structured image of FidelityImage.cs (same formula, so both sides see the same pixels). --motion-blur-angles instead
prints the deterministic _motion_blur at fixed angles, the numbers MotionBlurReferenceTests pins.
"""
import argparse, json, os, sys

import numpy as np
from PIL import Image

RANDOM = ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "glass_blur", "motion_blur", "snow",
          "frost", "fog", "elastic_transform", "spatter"]
MOTION_PARAMS = [(10, 3), (15, 5), (15, 8), (15, 12), (20, 15)]
FIXED_ANGLES = [-45.0, -30.0, -7.5, 0.0, 20.0, 44.0]


def fidelity_image(size):
    """The uint8 H x W x 3 image of FidelityImage.Bytes: gradients, a disc, diagonal stripes, a checkerboard."""
    img = np.zeros((size, size, 3), dtype=np.uint8)
    for y in range(size):
        for x in range(size):
            disc = (x - 40) ** 2 + (y - 24) ** 2 < 196
            stripe = ((x + 2 * y) // 6) % 2
            check = ((x // 8) + (y // 8)) % 2
            r = 40 + 2 * x + (80 if disc else 50 * stripe)
            g = 200 - 2 * y - (0 if check else 40)
            b = 220 if disc else 60 + x + y + 30 * ((x // 4) % 2)
            img[y, x] = (min(r, 255), max(g, 0), min(b, 255))
    return img


def mean_change(corrupted, clean):
    return float(np.mean(np.abs(np.asarray(corrupted, dtype=np.float64) - clean.astype(np.float64))))


def measure(ic, clean, seeds):
    pil = Image.fromarray(clean)
    table = {}
    for name in RANDOM:
        fn = getattr(ic, name)
        rows = []
        for severity in range(1, 6):
            values = []
            for seed in seeds:
                np.random.seed(seed)
                values.append(mean_change(fn(pil, severity), clean))
            rows.append(values)
        table[name] = rows
        print(name, " ".join(f"{np.mean(v):.3f}" for v in rows), flush=True)
    return table


def motion_blur_at_angles(ic, clean):
    out = {}
    for severity, (radius, sigma) in enumerate(MOTION_PARAMS, 1):
        for angle in FIXED_ANGLES:
            blurred = np.clip(ic._motion_blur(clean, radius=radius, sigma=sigma, angle=angle), 0, 255)
            out[f"{severity} {angle}"] = {"mean_change": mean_change(blurred, clean),
                                          "pixel_10_50": [float(v) for v in blurred[10, 50]],
                                          "pixel_60_3": [float(v) for v in blurred[60, 3]]}
            print(severity, angle, out[f"{severity} {angle}"], flush=True)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--imagecorruptions", required=True)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--json")
    p.add_argument("--motion-blur-angles", action="store_true")
    a = p.parse_args()
    sys.path.insert(0, os.path.abspath(a.imagecorruptions))
    from imagecorruptions import corruptions as ic
    clean = fidelity_image(a.size)
    if a.motion_blur_angles:
        result = motion_blur_at_angles(ic, clean)
    else:
        seeds = list(range(a.first_seed, a.first_seed + a.seeds))
        table = measure(ic, clean, seeds)
        result = {"size": a.size, "seeds": seeds, "per_seed": table,
                  "mean": {k: [float(np.mean(v)) for v in rows] for k, rows in table.items()},
                  "std": {k: [float(np.std(v)) for v in rows] for k, rows in table.items()}}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
