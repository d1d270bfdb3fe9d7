#!/usr/bin/env bash
# Renders a run folder's report.html in headless Chromium and saves a screenshot, to check that the page shows its
# tables and embedded figures from the file alone (it loads nothing else).
#
#   bench/report-html/screenshot.sh RUN_FOLDER OUT.png [WIDTH [HEIGHT]]
#
# Needs Debian's chromium (apt-get install -y chromium). WIDTH × HEIGHT is the window, default 1200 × 4000 pixels:
# the screenshot shows the page's top HEIGHT pixels.
set -euo pipefail
usage="usage: $0 RUN_FOLDER OUT.png [WIDTH [HEIGHT]]"
run=${1:?$usage}
out=${2:?$usage}
width=${3:-1200}
height=${4:-4000}
page="$(realpath "$run")/report.html"
[ -f "$page" ] || { echo "$0: $page: not found" >&2; exit 2; }
command -v chromium >/dev/null || { echo "$0: chromium not found (apt-get install -y chromium)" >&2; exit 2; }
out="$(realpath -m "$out")"
# Root needs --no-sandbox; a private profile keeps the run from touching the user's own.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --screenshot="$out" "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
