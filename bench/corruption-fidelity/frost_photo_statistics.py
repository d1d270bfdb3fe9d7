"""Statistics of the frost layer imagecorruptions' `frost` blends in, per photograph, for one image size.

    /usr/bin/python3 bench/corruption-fidelity/frost_photo_statistics.py --imagecorruptions DIR [--size 64] \
        [--crops 400] [--json OUT]

--imagecorruptions is a checkout of github.com/bethgelab/imagecorruptions (c959e65); only its frost photographs
(imagecorruptions/frost/frost1-5, the five `randint(5)` can pick) are read; nothing of it is part of PartRobust.
Each photo is resized as the library does for a size x size image (cv2 INTER_CUBIC by 1.1 when the photo is larger)
and `--crops` random size x size crops are taken at the library's offsets. Per photo this prints, on the 0-1 scale:
the mean of each channel (R, G, B), each channel's least-squares line on the gray level (offset, slope), quantiles of the gray level (0.299 R + 0.587 G + 0.114 B) pooled over crops, the
standard deviation of the gray level within a crop and of the crop means, and the fraction of the within-crop gray
variance in each octave of spatial frequency (1-2, 2-4, 4-8, 8-16, 16-32 cycles per 64 px), the numbers
FrostTexture's per-style table is fitted to.
"""
import argparse, json, os

import cv2
import numpy as np

QUANTILES = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]
FILES = ["frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg"]


def rescaled(path, size):
    frost = cv2.imread(path)
    h, w = frost.shape[:2]
    scale = 1.1 * max(1.0, size / h, size / w)
    return cv2.resize(frost, dsize=(int(np.ceil(w * scale)), int(np.ceil(h * scale))), interpolation=cv2.INTER_CUBIC)


def octave_fractions(gray):
    """Fractions of the (mean-removed) crop's power in octaves of radial frequency, in cycles per image side."""
    n = gray.shape[0]
    power = np.abs(np.fft.fft2(gray - gray.mean())) ** 2
    f = np.fft.fftfreq(n) * n
    radius = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    edges = [1, 2, 4, 8, 16, n / 2 * np.sqrt(2) + 1]
    bands = np.array([power[(radius >= lo) & (radius < hi)].sum() for lo, hi in zip(edges[:-1], edges[1:])])
    return bands / max(bands.sum(), 1e-12)


def photo_statistics(path, size, crops, rng):
    frost = rescaled(path, size)[..., [2, 1, 0]].astype(np.float64) / 255
    rgb_means, pixels, grays, within, crop_means, octaves = [], [], [], [], [], []
    for _ in range(crops):
        y0, x0 = rng.randint(0, frost.shape[0] - size), rng.randint(0, frost.shape[1] - size)
        crop = frost[y0:y0 + size, x0:x0 + size]
        gray = crop @ np.array([0.299, 0.587, 0.114])
        rgb_means.append(crop.mean(axis=(0, 1)))
        pixels.append(crop.reshape(-1, 3))
        grays.append(gray.ravel())
        within.append(gray.std())
        crop_means.append(gray.mean())
        octaves.append(octave_fractions(gray))
    pooled = np.concatenate(grays)
    pixels = np.concatenate(pixels)
    lines = [np.polyfit(pooled, pixels[:, c], 1)[::-1].round(4).tolist() for c in range(3)]
    return {"rgb_mean": np.mean(rgb_means, axis=0).round(4).tolist(),
            "rgb_on_gray": lines,
            "gray_quantiles": np.quantile(pooled, QUANTILES).round(4).tolist(),
            "within_crop_std": round(float(np.mean(within)), 4),
            "crop_mean_std": round(float(np.std(crop_means)), 4),
            "octave_fractions": np.mean(octaves, axis=0).round(4).tolist()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--imagecorruptions", required=True)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--crops", type=int, default=400)
    p.add_argument("--json")
    a = p.parse_args()
    rng = np.random.RandomState(0)
    folder = os.path.join(a.imagecorruptions, "imagecorruptions", "frost")
    result = {}
    for name in FILES:
        result[name] = photo_statistics(os.path.join(folder, name), a.size, a.crops, rng)
        print(name, json.dumps(result[name]), flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"quantiles": QUANTILES, "photos": result}, f, indent=1)


if __name__ == "__main__":
    main()
