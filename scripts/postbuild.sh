#!/usr/bin/env bash
# Trunk post-build hook. Builds the wasm and its loader (scripts/build-wasm.sh;
# trunk's own Rust pipeline is skipped), checks that no inline script is left,
# so the app runs under a strict Content-Security-Policy (script-src 'self'
# 'wasm-unsafe-eval', no 'unsafe-inline'), and writes 404.html for static
# hosts that serve it for unknown paths (deep links). The loader is linked
# under the build's public URL (`--public-url /visor/` gives
# /visor/init-<hash>.js), so a deep link served the 404 page finds it.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk}"
index="$dir/index.html"
public="${TRUNK_PUBLIC_URL:-./}"
case "$public" in */) ;; *) public="$public/" ;; esac

bash scripts/build-wasm.sh
if grep -q '<script type="module">' "$index"; then
  echo "postbuild: an inline script is still in index.html" >&2
  exit 1
fi
# A relative build (the default) links its assets relative to the page. A
# host that answers a deep link such as /services/cowsay with 404.html would
# then resolve them under /services/; the 404 page takes them from the root,
# where a relative build served by such a host lives. (Under a sub-path,
# build with --public-url, whose asset URLs are absolute.)
case "$public" in
  /*|http://*|https://*) cp "$index" "$dir/404.html" ;;
  *) sed 's#<head>#<head><base href="/">#' "$index" > "$dir/404.html" ;;
esac

# Precompressed copies for hosts that serve them (nginx gzip_static, the
# stand-in's static servers): real hosts compress, and users see that.
# Not the files an operator edits after the build (config.json, interfaces.json).
find "$dir" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
  -o -name '*.json' -o -name '*.svg' -o -name '*.csv' -o -name '*.txt' \) \
  ! -name config.json ! -name interfaces.json -print0 \
  | xargs -0 -r gzip -9 -k -f -n
