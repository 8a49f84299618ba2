#!/usr/bin/env bash
# Benchmarks (not tests): medians over several runs, printed as ratios,
# because these machines are shared and noisy. Release builds, stand-in
# included, so that its own work weighs as little as on a real cluster.
#
# The page-load figures are put side by side with the seed's pattern, a
# hand-written Gradio app on the stand-in (scripts/bench/gradio_cowsay.py).
# Gradio 6.31 is a benchmark dependency only: it is installed from PyPI into
# $VISOR_CACHE/gradio-venv (VISOR_BENCH_GRADIO=0 skips it), never used by
# the build or the tests.
#
#   scripts/bench.sh        load, list and run figures
#   scripts/bench.sh batch  1,000 async and 200 sync batch items (e2e/examples/bench_batch.rs;
#                           BATCH_ASYNC, BATCH_SYNC)
#   scripts/bench.sh soak   600 runs on one page against injected faults
#                           (e2e/examples/soak.rs; SOAK_SYNC, SOAK_ASYNC)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-tools.sh
trunk build --release
if [ "${1:-}" = batch ]; then
  exec cargo run --locked -q --release -p e2e --example bench_batch
fi
if [ "${1:-}" = soak ]; then
  exec cargo run --locked -q --release -p e2e --example soak
fi
bash scripts/bundle-size.sh dist

GRADIO_VERSION=6.31.0
venv="$VISOR_CACHE/gradio-venv"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
if [ "${VISOR_BENCH_GRADIO:-1}" = 1 ]; then
  if [ "$("$venv/bin/python" -c 'import gradio; print(gradio.__version__)' 2>/dev/null)" != "$GRADIO_VERSION" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "gradio==$GRADIO_VERSION" \
      || echo "bench: Gradio could not be installed; no side-by-side figure" >&2
  fi
fi
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import gradio' 2>/dev/null; then
  port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  api=$(port); s3=$(port); gport=$(port)
  cargo build --locked -q --release -p oscar-sandbox
  "$CARGO_TARGET_DIR/release/oscar-sandbox" --port "$api" --s3-port "$s3" >/dev/null 2>&1 & pids+=($!)
  GRADIO_ANALYTICS_ENABLED=False "$venv/bin/python" scripts/bench/gradio_cowsay.py \
    "http://127.0.0.1:$api" oscar visor-demo "$gport" >/dev/null 2>&1 & pids+=($!)
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$gport/" >/dev/null && break
    sleep 0.5
  done
  export GRADIO_URL="http://127.0.0.1:$gport/"
fi
cargo run --locked -q --release -p e2e --example bench_load
cargo run --locked -q --release -p e2e --example bench_list
cargo run --locked -q --release -p e2e --example bench_run
