#!/usr/bin/env bash
# The demo command (README): installs what is missing, builds the app, and
# starts the OSCAR stand-in with its demo services, serving the app both
# under the cluster's /ui/ (as OSCAR serves its dashboard) and on a port of
# its own (a separate static host, cross-origin).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
bash scripts/install-tools.sh
trunk build --release
cargo build --locked -p oscar-sandbox
exec "$CARGO_TARGET_DIR/debug/oscar-sandbox" --port "${OSCAR_PORT:-8080}" \
  --ui dist --app dist --app-port "${APP_PORT:-8000}" "$@"
