#!/usr/bin/env bash
# Prints the size of the built bundle: wasm, js and css, raw and gzip -9.
set -euo pipefail
dist=${1:-dist}
printf '%-6s %10s %10s  %s\n' kind raw gzip file
total_raw=0; total_gz=0
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-6s %10s %10s  %s\n' "${f##*.}" "$raw" "$gz" "$(basename "$f")"
done
printf '%-6s %10s %10s\n' total "$total_raw" "$total_gz"
