#!/usr/bin/env bash
# Prints what the built app weighs: every file of the build (raw and gzip -9),
# then what a headless Chromium visit really fetches (e2e example
# bundle_size): the first load of the login page and of the service list,
# and what a run page adds. `scripts/bundle-size.sh [dist]`; run by bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
dist=${1:-dist}
echo "Files of the build ($dist)"
printf '  %-48s %10s %10s\n' file gzip raw
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css "$dist"/index.html; do
  [ -f "$f" ] || continue
  printf '  %-48s %10s %10s\n' "$(basename "$f")" "$(gzip -9 -c "$f" | wc -c)" "$(stat -c %s "$f")"
done
VISOR_DIST="$(cd "$dist" && pwd)" CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" \
  cargo run --locked -q -p e2e --example bundle_size
