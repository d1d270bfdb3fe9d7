"""The first N points of a PartRobust data folder (index.csv: file,mask,label,class_name), as PartRobust's
`attack --data` reads them: images [N,3,H,W] in [0,1], labels [N], and optionally part masks [N,H,W] (255 = no label,
mapped to -1 as PartRobust does); and the result file the peer scripts write about them (write_result)."""
import csv
import json
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


def write_result(peer, clean, robust, seconds, json_path=None, **extra):
    """The peer scripts' result: prints it (without the per-point string) and, with json_path, writes it atomically.
    clean and robust are bool tensors [N]; "robust" in the JSON is their per-point 0/1 string, as PartRobust's per_point."""
    result = {
        "peer": peer, "torch": torch.__version__, "threads": torch.get_num_threads(), "points": len(robust),
        "clean_accuracy": clean.float().mean().item(), "robust_accuracy": robust.float().mean().item(),
        "seconds": seconds, **extra, "robust": "".join("1" if r else "0" for r in robust.tolist()),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "robust"}))
    if json_path:
        with open(json_path + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(json_path + ".tmp", json_path)
