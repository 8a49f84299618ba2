#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already
# there at the right version, so a second run takes a second. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
AXE_VERSION=4.10.3
# GRyCAP's Python client: the e2e tier runs the page's Python snippets with it.
OSCAR_PYTHON_VERSION=2.2.0
PYENV="$VISOR_TOOLS/py"
# wasm-split-cli cuts the release wasm into chunks (scripts/build-wasm.sh). It
# must understand the split points of the wasm_split_helpers in Cargo.lock.
WSPLIT_VERSION=0.2.4
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly,
# or trunk tries to download its own copy (and this machine is offline).
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Installs build in their own target dir so they never fight the project's.
install_crate() { # name version [extra args]
  local name=$1 version=$2
  shift 2
  say "installing $name $version (takes a while on 2 cores)"
  CARGO_TARGET_DIR="$VISOR_CACHE/install-target" cargo install "$name" --version "$version" --locked "$@" \
    || CARGO_TARGET_DIR="$VISOR_CACHE/install-target" cargo install "$name" --version "$version" "$@"
}

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  install_crate trunk "$TRUNK_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ] \
  || [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  install_crate wasm-bindgen-cli "$WB_VERSION"
fi
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WSPLIT_VERSION:"; then
  install_crate wasm_split_cli_support "$WSPLIT_VERSION" --features build-binary
fi

# Debian's binaryen (108) produces a wasm that fails at run time: use npm's.
if [ "$("$VISOR_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  mkdir -p "$VISOR_TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$VISOR_TOOLS" "binaryen@$BINARYEN_VERSION"
fi

# axe-core, injected into pages by the e2e accessibility audit.
if [ "$(node -p "require('$VISOR_TOOLS/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_VERSION" ]; then
  say "installing axe-core $AXE_VERSION from npm"
  mkdir -p "$VISOR_TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$VISOR_TOOLS" "axe-core@$AXE_VERSION"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ "$("$PYENV/bin/python" -c 'import importlib.metadata as m; print(m.version("oscar-python"))' 2>/dev/null)" != "$OSCAR_PYTHON_VERSION" ]; then
  say "installing oscar-python $OSCAR_PYTHON_VERSION into $PYENV from PyPI"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$PYENV"
  python3 -m venv "$PYENV"
  "$PYENV/bin/pip" install --quiet --disable-pip-version-check "oscar-python==$OSCAR_PYTHON_VERSION"
fi

# trunk runs cargo with --offline, so every crate must already be local.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked
say "tools ready: trunk $TRUNK_VERSION, wasm-bindgen $WB_VERSION, wasm-split-cli $WSPLIT_VERSION, wasm-opt $BINARYEN_VERSION, axe-core $AXE_VERSION, oscar-python $OSCAR_PYTHON_VERSION, $(chromium --version 2>/dev/null | head -1)"
