#!/usr/bin/env bash
# Side-by-side training throughput: `partrobust bench` (C#, TorchSharp/libtorch) against its PyTorch twin on the same
# models with the same initial weights, settings, attack and loss. Not part of CI. See bench/pytorch/README.md.
#
# For each image size, for each round, for each model: ours (partrobust bench --save-weights DIR --json F), then right
# after it the twin's parity check (check_twins.py DIR) and measurement (bench_twin.py DIR), so that both see the same
# phase of the machine. At the end: a Markdown table of medians over rounds (with ranges) and their ratios.
set -euo pipefail

usage() {
  cat <<EOF
Usage: bench/pytorch/side_by_side.sh [options]
  --models LIST        comma-separated models (default resnet18,part-downsampled,part-bbox)
  --sizes LIST         image sizes, comma- or space-separated (default "32 64")
  --rounds N           rounds per image size (default 3)
  --iterations N       timed training steps per measurement, after one warm-up step (default 10)
  --attack-steps K     PGD steps of the training attack (default 10)
  --batch-size B       batch size (default: partrobust bench's, 64)
  --threads T          torch threads of the twin (default 2; ours uses libtorch's default, one per core)
  --out DIR            output folder (default: a new folder under \${TMPDIR:-/tmp})
  --cli PATH           use this PartRobust.Cli build instead of building one into OUT/cli
  --tolerance X        largest allowed max |Δoutput| in the parity check, relative to max(1, max |output|) (default 1e-5)
  -h, --help           this help
EOF
}

models="resnet18,part-downsampled,part-bbox"
sizes="32 64"
rounds=3
iterations=10
attack_steps=10
batch_size=""
threads=2
out=""
cli=""
tolerance=1e-5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --attack-steps) attack_steps="$2"; shift 2 ;;
    --batch-size) batch_size="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    --tolerance) tolerance="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "side_by_side.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# 1. The peer: Debian's PyTorch with OpenBLAS.
source "$here/install_peer.sh"

# 2. Ours: a Release build of the CLI in the output folder (never into the source tree's bin/).
[[ -n "$out" ]] || out="$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
source "$here/build_cli.sh"

batch_args=()
[[ -n "$batch_size" ]] && batch_args=(--batch-size "$batch_size")

# 3. The measurements, alternating ours and the twin model by model.
for size in ${sizes//,/ }; do
  for ((round = 1; round <= rounds; round++)); do
    for model in ${models//,/ }; do
      run="$out/runs/$size/r$round/$model"
      rm -rf "$run"
      mkdir -p "$run"
      echo "== ${size}px round $round/$rounds $model"
      "$cli" bench --models "$model" --image-size "$size" --train-attack-steps "$attack_steps" --iterations "$iterations" \
        "${batch_args[@]}" --save-weights "$run" --json "$run/ours.json" >"$run/ours.log" 2>&1 \
        || { tail -20 "$run/ours.log" >&2; exit 1; }
      grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2} .* img/s' "$run/ours.log" | sed "s/^[0-9:]* /ours /" || true
      "$py" "$here/check_twins.py" "$run" --tolerance "$tolerance" >"$run/check.txt" 2>&1 \
        || { cat "$run/check.txt" >&2; echo "side_by_side.sh: the twin of $model at ${size}px does not match; not timing it" >&2; exit 1; }
      tail -1 "$run/check.txt"
      "$py" "$here/bench_twin.py" "$run" --iterations "$iterations" --threads "$threads" --json "$run/twin.json" 2>&1 | tee "$run/twin.log"
      "$py" "$here/bench_twin.py" "$run" --iterations "$iterations" --threads "$threads" --channels-last --json "$run/twin-cl.json" 2>&1 | tee -a "$run/twin.log"
    done
  done
done

# 4. The table.
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
libtorch="$(sed -n 's/.*"libtorch-cpu-linux-x64" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props" | head -1)"
echo
"$py" "$here/side_by_side_table.py" "$out" --cpu "${cpu:-?}" --nproc "$(nproc)" --libtorch "${libtorch:-?}" | tee "$out/table.md"
echo
echo "(all files in $out)"
