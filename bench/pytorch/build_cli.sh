#!/usr/bin/env bash
# Ours for the side-by-side scripts, sourced by them: unless --cli gave one ($cli), a Release build of PartRobust.Cli in
# $out/cli (never into the source tree's bin/), its log in $out/build.log; then $cli must be an executable.
if [[ -z "$cli" ]]; then
  echo "== building PartRobust.Cli into $out/cli"
  dotnet build "$repo/src/PartRobust.Cli" -c Release -o "$out/cli" --nologo -v quiet >"$out/build.log" 2>&1 \
    || { tail -20 "$out/build.log" >&2; exit 1; }
  cli="$out/cli/PartRobust.Cli"
fi
[[ -x "$cli" ]] || { echo "$(basename "$0"): $cli is not an executable" >&2; exit 1; }
