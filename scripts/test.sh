#!/usr/bin/env bash
# The test command (README): installs what is missing, then runs the three
# tiers: native core tests, wasm component tests in headless Chromium, and
# end-to-end tests that drive Chromium against dist/ and the OSCAR stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "tools"
bash scripts/install-tools.sh

step "native tier: core and stand-in"
cargo test --locked --workspace --exclude e2e

step "build dist/ (release)"
trunk build --release
# The build for hosts that only serve 404.html under a sub-path (README).
trunk build --release --public-url /visor/ --dist dist-visor

step "wasm tier: components in headless Chromium"
CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" \
  cargo test --locked -p oscar-visor --target wasm32-unknown-unknown --test web

step "e2e tier: the built app in headless Chromium against the stand-in"
cargo test --locked -p e2e -- --test-threads=2

step "bundle size: the build's files, and what a visit fetches"
bash scripts/bundle-size.sh dist

step "all three tiers passed"
