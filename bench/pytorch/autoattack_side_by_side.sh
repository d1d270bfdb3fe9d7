#!/usr/bin/env bash
# AutoAttack (standard, L∞ 8/255) side by side: PartRobust's `attack --attack aa` against the reference implementation
# (fra31/auto-attack) on the PyTorch twin of the same checkpoint, on the same points, one after the other. Not part of
# CI. See bench/pytorch/README.md.
set -euo pipefail

usage() {
  cat <<EOF2
Usage: bench/pytorch/autoattack_side_by_side.sh --checkpoint RUN/checkpoints/NAME --autoattack-src DIR [options]
  --checkpoint STEM    a PartRobust checkpoint (NAME.safetensors + NAME.json) of a model with a twin (twins.py)
  --autoattack-src DIR a checkout of github.com/fra31/auto-attack (the folder holding the autoattack package)
  --config FILE        the run's config.json, for the PartShapes test images (default: STEM/../../config.json)
  --n N                points (default 100)
  --batch-size B       batch size of both (default 250, the reference's bs)
  --rounds R           rounds, each ours then the reference (default 1)
  --threads T          torch threads of both (default 2)
  --out DIR            output folder (default: a new folder under \${TMPDIR:-/tmp})
  --cli PATH           use this PartRobust.Cli build instead of building one into OUT/cli
EOF2
}

checkpoint="" ; aa_src="" ; config="" ; n=100 ; batch=250 ; rounds=1 ; threads=2 ; out="" ; cli=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --checkpoint) checkpoint="$2"; shift 2 ;;
    --autoattack-src) aa_src="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "autoattack_side_by_side.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -d "$aa_src/autoattack" ]] || { echo "autoattack_side_by_side.sh: --autoattack-src $aa_src: expected a folder holding autoattack/ (a checkout of fra31/auto-attack)" >&2; exit 2; }
out_prefix=aa-side-by-side
source "$(dirname "${BASH_SOURCE[0]}")/checkpoint_points.sh"

for r in $(seq 1 "$rounds"); do
  echo "== round $r: PartRobust"
  "$cli" attack --checkpoint "$checkpoint" --data "$out/data/test" --n "$n" --attack aa --batch-size "$batch" \
    --threads "$threads" --no-masking-checks --no-adaptive --out "$out/ours-$r" | tail -n 12
  echo "== round $r: reference AutoAttack on the twin"
  "$py" "$here/autoattack_reference.py" --autoattack-src "$aa_src" --checkpoint "$checkpoint" --data "$out/data/test" \
    --n "$n" --batch "$batch" --threads "$threads" --json "$out/reference-$r.json" | tail -n 8
done
"$py" "$here/autoattack_table.py" "$out" "$rounds"
