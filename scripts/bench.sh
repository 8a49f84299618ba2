#!/usr/bin/env bash
# Benchmarks (not tests): medians over several runs, printed as ratios,
# because these machines are shared and noisy. Release builds, stand-in
# included, so that its own work weighs as little as on a real cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-tools.sh
trunk build --release
bash scripts/bundle-size.sh dist
cargo run --locked -q --release -p e2e --example bench_list
cargo run --locked -q --release -p e2e --example bench_run
