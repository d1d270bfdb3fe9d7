#!/usr/bin/env bash
# The adaptive seg-sum attack of PartRobust (`partrobust attack --attack seg-sum`) against a straightforward PGD loop of
# the same attack on the PyTorch twin (part_attack_loop.py), on the same part-model checkpoint and the same points,
# alternating round by round. Not part of CI. See bench/pytorch/README.md.
set -euo pipefail

usage() {
  cat <<EOF2
Usage: bench/pytorch/part_attack_side_by_side.sh --checkpoint RUN/checkpoints/NAME [options]
  --checkpoint STEM    a PartRobust part-model checkpoint (NAME.safetensors + NAME.json) with a twin (twins.py)
  --config FILE        the run's config.json, for the PartShapes test images (default: STEM/../../config.json)
  --n N                points (default 100)
  --batch-size B       batch size of both (default 200, PartRobust's eval batch)
  --rounds R           rounds, each ours then the loop (default 1)
  --threads T          torch threads of both (default 2)
  --out DIR            output folder (default: a new folder under \${TMPDIR:-/tmp})
  --cli PATH           use this PartRobust.Cli build instead of building one into OUT/cli
EOF2
}

checkpoint="" ; config="" ; n=100 ; batch=200 ; rounds=1 ; threads=2 ; out="" ; cli=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --checkpoint) checkpoint="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "part_attack_side_by_side.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
out_prefix=part-attack-side-by-side
source "$(dirname "${BASH_SOURCE[0]}")/checkpoint_points.sh"

for r in $(seq 1 "$rounds"); do
  echo "== round $r: PartRobust seg-sum"
  "$cli" attack --checkpoint "$checkpoint" --data "$out/data/test" --n "$n" --attack seg-sum --batch-size "$batch" \
    --threads "$threads" --no-masking-checks --out "$out/ours-$r" | tail -n 6
  echo "== round $r: a straightforward PGD loop of seg-sum on the twin"
  "$py" "$here/part_attack_loop.py" --checkpoint "$checkpoint" --data "$out/data/test" --n "$n" --batch "$batch" \
    --threads "$threads" --seed "$r" --json "$out/loop-$r.json"
done
"$py" "$here/part_attack_table.py" "$out" "$rounds"
