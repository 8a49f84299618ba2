# Sourced by the scripts: shared paths. The cargo target dir lives outside the
# clone so that CI, which clones afresh each time, reuses earlier builds.
export VISOR_CACHE="${VISOR_CACHE:-$HOME/.cache/oscar-visor}"
export VISOR_TOOLS="$VISOR_CACHE/tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$VISOR_CACHE/target}"
export PATH="$VISOR_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
