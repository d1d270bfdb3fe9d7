"""The first N points of a PartRobust data folder (index.csv: file,mask,label,class_name), as PartRobust's
`attack --data` reads them: images [N,3,H,W] in [0,1], labels [N], and optionally part masks [N,H,W] (255 = no label,
mapped to -1 as PartRobust does)."""
import csv
import os

import numpy as np
import torch
from PIL import Image

IGNORE_LABEL = -1


def load_points(folder, n, masks=False):
    with open(os.path.join(folder, "index.csv")) as f:
        rows = list(csv.DictReader(f))[:n]
    images = [np.asarray(Image.open(os.path.join(folder, r["file"])).convert("RGB"), dtype=np.float32) / 255.0 for r in rows]
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    y = torch.tensor([int(r["label"]) for r in rows])
    if not masks:
        return x, y
    m = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(folder, r["mask"])), dtype=np.int64) for r in rows]))
    m[m == 255] = IGNORE_LABEL
    return x, y, m
