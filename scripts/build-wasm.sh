#!/usr/bin/env bash
# Builds the app's wasm, its JS glue and its loader into trunk's staging dir.
# Trunk skips its own Rust pipeline (`data-trunk-skip` in index.html) and runs
# this from the post-build hook, because trunk 0.21 cannot split a wasm
# (trunk-rs/trunk#1022).
#
# A release build is split: cargo links with --emit-relocs and the `split`
# feature, wasm-split-cli (wasm_split_cli_support, pinned in install-tools.sh)
# cuts the chunks of src/lazy.rs out of the main module, wasm-bindgen writes
# the glue for the main module, and wasm-opt shrinks every piece. A debug
# build (`trunk build`, `trunk serve`) is one plain module, as before.
# VISOR_SPLIT=0 gives an unsplit release build, for comparison.
#
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
dir="${TRUNK_STAGING_DIR:?run by trunk}"
profile="${TRUNK_PROFILE:-debug}"
public="${TRUNK_PUBLIC_URL:-./}"
case "$public" in */) ;; *) public="$public/" ;; esac
split=0
if [ "$profile" = release ] && [ "${VISOR_SPLIT:-1}" = 1 ]; then split=1; fi

work="$CARGO_TARGET_DIR/visor-wasm/$profile"
rm -rf "$work"
mkdir -p "$work/out"
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/oscar-visor.wasm"

if [ $split = 1 ]; then
  # The relocations tell wasm-split which function uses what: a link argument
  # of the binary alone. `erase_components` (leptos) type-erases each view:
  # the run page's chunk is 18% smaller and the main module 1%
  # (scripts/bundle-size.sh); VISOR_ERASE=0 builds without it.
  erase="--cfg erase_components"
  if [ "${VISOR_ERASE:-1}" = 0 ]; then erase=""; fi
  RUSTFLAGS="${RUSTFLAGS:-} $erase" \
    cargo rustc --locked --release --target wasm32-unknown-unknown --bin oscar-visor --features split \
    -- -C link-args=--emit-relocs
  wasm-split-cli "$wasm" "$work" --out-name oscar-visor
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-dir "$work/out" --out-name oscar-visor "$work/oscar-visor.wasm"
  # The chunks and their link module, beside the glue they import.
  find "$work" -maxdepth 1 -type f \( -name '*.wasm' ! -name oscar-visor.wasm -o -name '*.js' \) \
    -exec cp {} "$work/out/" \;
else
  release_flag=(); [ "$profile" = release ] && release_flag=(--release)
  cargo build --locked "${release_flag[@]}" --target wasm32-unknown-unknown --bin oscar-visor
  wasm-bindgen --target web --no-typescript --out-dir "$work/out" --out-name oscar-visor "$wasm"
fi

if [ "$profile" = release ]; then
  for f in "$work"/out/*.wasm; do
    wasm-opt -Oz "$f" -o "$f"
  done
fi

# Every piece is named by the hash of the whole build, and the pieces' links
# to each other are rewritten to match. They stay side by side at the top of
# the dist, so a host that serves assets by file name (README) serves these.
# (This script is hashed too: it rewrites the pieces.)
hash=$( { (cd "$work/out" && find . -type f -print0 | sort -z | xargs -0 sha256sum); sha256sum < scripts/build-wasm.sh; } \
  | sha256sum | cut -c1-16)
main_js="oscar-visor-$hash.js"
main_wasm="oscar-visor-${hash}_bg.wasm"
sed -i "s#from \"\./__wasm_split\.js\"#from \"./__wasm_split-$hash.js\"#" "$work/out/oscar-visor.js"
mv "$work/out/oscar-visor.js" "$dir/$main_js"
mv "$work/out/oscar-visor_bg.wasm" "$dir/$main_wasm"
prefetch="{}"
link=""
if [ -f "$work/out/__wasm_split.js" ]; then
  link="__wasm_split-$hash.js"
  sed -i -e "s#from \"\./oscar-visor\.js\"#from \"./$main_js\"#" \
    -e "s#new URL(\"\./\([A-Za-z0-9_]*\)\.wasm\"#new URL(\"./\1-$hash.wasm\"#g" "$work/out/__wasm_split.js"
  # Which chunks a deep link needs, read off the link module as wasm-split-cli
  # wrote it (before the patch below changes its fetches).
  prefetch=$(python3 scripts/split-manifest.py "$work/out/__wasm_split.js")
  # A deep link's chunks are compiled while the main module still loads (the
  # loader starts them): the link module takes such a compiled module once,
  # and fetches as before on any other (or a repeated) load.
  links=$(grep -c 'const src = fetch(new URL(' "$work/out/__wasm_split.js" || true)
  streams=$(grep -c 'WebAssembly.instantiateStreaming(src, imports)' "$work/out/__wasm_split.js" || true)
  if [ "$links" = 0 ] || [ "$links" != "$streams" ]; then
    echo "build-wasm: wasm-split-cli's link module changed shape ($links fetches, $streams instantiations)" >&2
    exit 1
  fi
  sed -i -e 's#const src = fetch(new URL(#const src = visorFetch(new URL(#' \
    -e 's#WebAssembly.instantiateStreaming(src, imports)#visorInstantiate(src, imports)#' "$work/out/__wasm_split.js"
  cat >> "$work/out/__wasm_split.js" <<'JS'
function visorFetch(url) {
    const early = globalThis.__visorEarly || {};
    const compiled = early[url.href];
    delete early[url.href];
    return compiled || fetch(url);
}
async function visorInstantiate(src, imports) {
    const got = await src;
    return got instanceof WebAssembly.Module ? WebAssembly.instantiate(got, imports) : WebAssembly.instantiateStreaming(got, imports);
}
JS
  mv "$work/out/__wasm_split.js" "$dir/$link"
  for f in "$work"/out/*.wasm; do
    name=$(basename "$f" .wasm)
    mv "$f" "$dir/$name-$hash.wasm"
  done
fi
if [ -n "$(ls -A "$work/out")" ]; then
  echo "build-wasm: wasm-bindgen wrote files this script does not place: $(ls "$work/out")" >&2
  exit 1
fi

loader=$(cat <<EOF
// The app's loader (scripts/build-wasm.sh): a file, not an inline script, so
// the app runs under a strict Content-Security-Policy.
// config.json, which the app reads first, fetched beside the wasm. The app
// asks for it under the router base it finds in the path; this is the same
// rule (routes::detect_base): the base ends where the first route begins.
const path = location.pathname;
const head = path.match(/\/(login|services|workflows|embed)(\/|$)/);
const base = (head ? path.slice(0, head.index)
  : /\/$|\/[^/]*\.[^/]*$/.test(path) ? path.slice(0, path.lastIndexOf('/')) : '').replace(/\/+$/, '');
const preload = href => {
  const link = document.createElement('link');
  Object.assign(link, { rel: 'preload', as: 'fetch', crossOrigin: 'anonymous', href });
  document.head.append(link);
};
preload(location.origin + base + '/config.json');
// The chunks each deep link needs, by page: fetched and compiled now, beside
// the main module, when the page will show (an embed, or a tab with a
// session; without one the link leads to the login page first).
const chunks = $prefetch;
const page = path.match(/\/services\/[^/]+\/jobs\/?$/) ? 'jobs_page'
  : path.match(/\/services\/[^/]+\/?$/) ? 'run_page'
  : path.match(/\/workflows(\/[^/]+)?\/?$/) ? 'workflows_page' : null;
const shows = path.includes('/embed/') || (() => {
  try { return sessionStorage.getItem('oscar-visor.session') !== null; } catch { return false; }
})();
globalThis.__visorEarly = {};
for (const file of (page && shows && chunks[page]) || []) {
  const href = new URL(file, import.meta.url).href;
  const compiled = WebAssembly.compileStreaming(fetch(href));
  compiled.catch(() => {});
  globalThis.__visorEarly[href] = compiled;
}
const bindings = await import('./$main_js');
const wasm = await bindings.default({ module_or_path: new URL('./$main_wasm', import.meta.url) });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
EOF
)
loader_hash=$(printf '%s' "$loader" | sha256sum | cut -c1-16)
printf '%s\n' "$loader" > "$dir/init-$loader_hash.js"

tags="<link rel=\"modulepreload\" href=\"${public}$main_js\" crossorigin=\"anonymous\">"
if [ -n "$link" ]; then
  tags="$tags<link rel=\"modulepreload\" href=\"${public}$link\" crossorigin=\"anonymous\">"
fi
tags="$tags<link rel=\"preload\" href=\"${public}$main_wasm\" crossorigin=\"anonymous\" as=\"fetch\" type=\"application/wasm\">"
tags="$tags<script type=\"module\" src=\"${public}init-$loader_hash.js\"></script>"
index="$dir/index.html"
awk -v tags="$tags" '/data-trunk rel="rust"/ { next } /<\/head>/ && !done { print tags; done=1 } { print }' "$index" > "$index.tmp"
mv "$index.tmp" "$index"
echo "build-wasm: $profile build $hash$([ $split = 1 ] && echo ', split')"
