#!/usr/bin/env bash
# Sourced by the checkpoint side-by-side scripts after their options: checks $checkpoint (a stem, .safetensors/.json
# stripped) and $config (default STEM/../config.json), installs the peer, makes $out (default a new folder under
# $TMPDIR named $out_prefix.XXXXXX), builds ours (build_cli.sh) and writes the first $n PartShapes test images of the
# run, with their part masks, as PNG files both sides read in $out/data/test. Sets $here, $repo, $py, $cli.
me="$(basename "$0")"
[[ -n "$checkpoint" ]] || { echo "$me: --checkpoint is required" >&2; exit 2; }
checkpoint="${checkpoint%.safetensors}"; checkpoint="${checkpoint%.json}"
[[ -f "$checkpoint.json" ]] || { echo "$me: --checkpoint: $checkpoint.json not found" >&2; exit 2; }
config="${config:-$(dirname "$checkpoint")/../config.json}"
[[ -f "$config" ]] || { echo "$me: --config $config not found" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$here/install_peer.sh"
out="${out:-$(mktemp -d "${TMPDIR:-/tmp}/$out_prefix.XXXXXX")}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
source "$here/build_cli.sh"

echo "== the points: the first $n PartShapes test images of $config, as PNG files both read"
"$cli" data generate --out "$out/data" --config "$config" --test-size "$n" --train-size 2 --val-size 2 >/dev/null
