#!/usr/bin/env bash
# Trunk post-build hook. Moves Trunk's inline loader script into a file of
# its own, so the app runs under a strict Content-Security-Policy
# (script-src 'self' 'wasm-unsafe-eval', no 'unsafe-inline'), and writes
# 404.html for static hosts that serve it for unknown paths (deep links).
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk}"
index="$dir/index.html"

script=$(awk '/<script type="module">/{on=1; next} on && /<\/script>/{exit} on{print}' "$index")
if [ -n "$script" ]; then
  hash=$(printf '%s' "$script" | sha256sum | cut -c1-16)
  # Load the wasm relative to this script, not to the page: a deep link
  # (/services/cowsay) then needs no special rule on the host for it.
  printf '%s\n' "$script" \
    | sed -E "s#module_or_path: '(\./[^']+)'#module_or_path: new URL('\1', import.meta.url)#" \
    > "$dir/init-$hash.js"
  awk -v src="./init-$hash.js" '
    /<script type="module">/ { print "<script type=\"module\" src=\"" src "\"></script>"; skip=1; next }
    skip && /<\/script>/ { skip=0; next }
    !skip { print }
  ' "$index" > "$index.tmp"
  mv "$index.tmp" "$index"
fi
if grep -q '<script type="module">' "$index"; then
  echo "postbuild: an inline script is still in index.html" >&2
  exit 1
fi
cp "$index" "$dir/404.html"
