# Cross-check of CityscapesPartsPreparer against the authors' own script. Runs prepare_cityscapes.py from a checkout of
# chawins/adv-part-model @218c2a45906c751be8d8845bd4183b5bfb8242da (its source text, executed with stubs for torch, tqdm and
# scipy, which the paper configuration does not use) with the glob order sorted and, in mode "fixed", the instance-id quirk
# fixed as we fix it (iid 0 kept, iid -1 dropped); builds its masks with the loader's uids_to_seg_labels; and compares the
# multiset of (split, class, size, image, mask) with a folder written by `partrobust`'s preparer.
# Needs numpy and Pillow. Usage:
#   python3 cityscapes_crosscheck_source.py SRC 60
#   dotnet run -c Release --project bench/PrepareBench -- cityscapes prepare SRC OURS
#   python3 cityscapes_crosscheck.py fixed|original ADV_PART_MODEL_CHECKOUT SRC OURS
import sys, types, os, glob, re, hashlib, collections
import numpy as np
from PIL import Image
mode, repo, src, ours = sys.argv[1:5]

def mod(name, **kw):
    m = types.ModuleType(name); m.__dict__.update(kw); sys.modules[name] = m; return m
class _T: pass
mod('torch', Tensor=_T); mod('tqdm', tqdm=lambda x: x); mod('scipy')
mod('panoptic_parts'); mod('panoptic_parts.specs'); mod('panoptic_parts.specs.dataset_spec', DatasetSpec=object)
mod('panoptic_parts.utils'); mod('panoptic_parts.utils.utils', _sparse_ids_mapping_to_dense_ids_mapping=None, compare_pixelwise=None)
fmt = mod('panoptic_parts.utils.format'); exec(open(os.path.join(repo, 'panoptic_parts/utils/format.py')).read(), fmt.__dict__)
mod('part_model'); pmu = mod('part_model.utils'); exec(open(os.path.join(repo, 'part_model/utils/image.py')).read(), pmu.__dict__)

code = open(os.path.join(repo, 'prepare_cityscapes.py')).read()
code = code.replace('filenames = list(filter(lambda x: x.endswith(".tif"), filenames))',
    'filenames = list(filter(lambda x: x.endswith(".tif"), filenames))\n    filenames = sorted(filenames, key=lambda f: (f.split("/")[-2], os.path.basename(f)))')
assert 'sorted(filenames' in code
if mode == 'fixed':
    assert 'unique_iids = unique_iids[unique_iids != 0]' in code
    code = code.replace('unique_iids = unique_iids[unique_iids != 0]', 'unique_iids = unique_iids[unique_iids >= 0]')
sys.argv = ['prepare_cityscapes.py', '--seed', '0', '--data-dir', src, '--name', 'ref_' + mode, '--pad', '0.2', '--min-area', '1000',
            '--square', '--rand-pad', '--allow-missing-parts']
g = {'__name__': '__main__'}
exec(compile(code, 'prepare_cityscapes.py', 'exec'), g)

loader = open(os.path.join(repo, 'part_model/dataloader/cityscapes.py')).read()
ns = {'np': np, 'decode_uids': fmt.decode_uids}
exec(re.search(r'_LABEL_ASSIGN = \{.*?\n\}\n', loader, re.S).group(0), ns)
exec(re.search(r'def uids_to_seg_labels\(_target\):.*?return _target\n', loader, re.S).group(0), ns)

def key(img, mask):
    return (img.shape[1], img.shape[0], hashlib.sha1(np.ascontiguousarray(img).tobytes()).hexdigest()[:12], hashlib.sha1(np.ascontiguousarray(mask).tobytes()).hexdigest()[:12])

root = os.path.join(src, 'PartImages', 'ref_' + mode)
theirs, mine = collections.Counter(), collections.Counter()
for split in ['train', 'val', 'test']:
    for cls in ['human', 'vehicle']:
        for f in sorted(glob.glob(os.path.join(root, 'images', split, cls, '*.png'))):
            stem = os.path.basename(f)[:-4]
            img = np.array(Image.open(f).convert('RGB'))
            mask = ns['uids_to_seg_labels'](Image.open(os.path.join(root, 'panoptic-parts', split, cls, stem + '.tif')))
            theirs[(split, cls) + key(img, mask)] += 1
        for f in sorted(glob.glob(os.path.join(ours, split, 'images', cls, '*.png'))):
            stem = os.path.basename(f)[:-4]
            img = np.array(Image.open(f).convert('RGB'))
            mask = np.array(Image.open(os.path.join(ours, split, 'masks', cls, stem + '.png')))
            mine[(split, cls) + key(img, mask)] += 1
print(mode, 'authors:', sum(theirs.values()), 'samples; ours:', sum(mine.values()))
for split in ['train', 'val', 'test']:
    print(' ', split, 'authors', sum(v for k, v in theirs.items() if k[0] == split), 'ours', sum(v for k, v in mine.items() if k[0] == split))
print('identical (split, class, size, image, mask) multisets:', theirs == mine)
if theirs != mine:
    print('only authors:', len(theirs - mine), 'only ours:', len(mine - theirs))
