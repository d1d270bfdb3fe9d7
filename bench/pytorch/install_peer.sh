#!/usr/bin/env bash
# The peer of the side-by-side benchmarks: Debian's PyTorch (python3-torch) with OpenBLAS as its BLAS. Without
# libopenblas0 Debian's torch links the reference BLAS (about 5 GFLOP/s on a 1024² matmul against about 125 with
# OpenBLAS on the development machine), which would make the peer needlessly slow. Sourced by the scripts here.
py=/usr/bin/python3   # Debian's python3, whatever python3 is first on PATH
if ! "$py" -c 'import torch, numpy, PIL' 2>/dev/null || ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  echo "== installing python3-torch, python3-pil and libopenblas0-pthread (apt-get)"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-torch python3-pil libopenblas0-pthread >/dev/null
  "$py" -c 'import torch' || { echo "install_peer.sh: $py still cannot import torch" >&2; exit 1; }
fi
