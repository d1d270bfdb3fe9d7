# A synthetic Cityscapes-Panoptic-Parts source for cityscapes_crosscheck.py: Pillow mode-I LZW TIFFs (as the dataset's)
# + noise RGB PNGs; random instances with parts, group regions, instances without parts, occluders, split instances.
# Usage: python3 cityscapes_crosscheck_source.py SRC [N [SEED]]
import sys, os, numpy as np
from PIL import Image
src = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 24; seed = int(sys.argv[3]) if len(sys.argv) > 3 else 123
rng = np.random.RandomState(seed)
for i in range(n):
    part = 'train' if i % 4 else 'val'
    city = ['aachen', 'bremen', 'zurich'][i % 3]
    H, W = [(200, 320), (256, 256), (150, 400)][i % 3]
    u = np.full((H, W), 23, np.int32); u[H // 2:] = 7
    for k in range(int(rng.randint(5, 11))):
        sid = int(rng.choice([24, 25, 26, 27, 28, 26, 24, 11]))
        iid = int(rng.choice([0, 0, 1, 2, 3, 7, 12]))
        h, w = int(rng.randint(15, 110)), int(rng.randint(15, 110))
        y, x = int(rng.randint(-20, H - 5)), int(rng.randint(-20, W - 5))
        ys, xs = slice(max(0, y), min(H, y + h)), slice(max(0, x), min(W, x + w))
        kind = rng.rand()
        if sid == 11: u[ys, xs] = 11; continue
        if kind < 0.12: u[ys, xs] = sid; continue                      # group region, no instance id
        if kind < 0.25: u[ys, xs] = sid * 1000 + iid; continue         # instance without parts
        pids = rng.randint(0, 6 if sid >= 26 else 6, size=(u[ys, xs].shape))
        u[ys, xs] = sid * 100000 + iid * 100 + pids
        if rng.rand() < 0.35:   # an occluder of the other class over part of the box
            osid = int(rng.choice([26, 27, 28])) if sid < 26 else int(rng.choice([24, 25]))
            oy, ox = ys.start + int(rng.randint(0, 10)), xs.start + int(rng.randint(0, 10))
            u[oy:oy + int(rng.randint(5, h)), ox:ox + int(rng.randint(5, w))] = osid * 100000 + 9 * 100 + 1
        if rng.rand() < 0.2:    # a second, disjoint piece of the same instance
            y2, x2 = int(rng.randint(0, H - 10)), int(rng.randint(0, W - 10))
            u[y2:y2 + 10, x2:x2 + 30] = sid * 100000 + iid * 100 + 1
    os.makedirs(f'{src}/gtFinePanopticParts/{part}/{city}', exist_ok=True)
    os.makedirs(f'{src}/leftImg8bit/{part}/{city}', exist_ok=True)
    stem = f'{city}_{i:06d}_000019'
    Image.fromarray(u).save(f'{src}/gtFinePanopticParts/{part}/{city}/{stem}_gtFinePanopticParts.tif', compression='tiff_lzw')
    img = rng.randint(0, 256, size=(H, W, 3)).astype(np.uint8)
    Image.fromarray(img).save(f'{src}/leftImg8bit/{part}/{city}/{stem}_leftImg8bit.png')
print('wrote', n, 'frames')
