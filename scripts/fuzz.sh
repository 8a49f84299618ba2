#!/usr/bin/env bash
# Fuzzes every decoder of untrusted bytes with libFuzzer (cargo-fuzz, on the
# nightly toolchain), then prints executions and findings per target.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   fuzz each target for SECONDS (default 60)
#   scripts/fuzz.sh seed                    (re)write the seed inputs into fuzz/corpus
#   scripts/fuzz.sh cmin [TARGET...]        minimise the corpus before committing it
#
# The targets are oscar_visor::fuzzing (src/fuzzing.rs); each checks its own
# invariants and holds at most fuzzing::MEMORY_BOUND at once; libFuzzer's
# -timeout=1 makes any call over a second a finding. Crashes land in
# fuzz/artifacts/<target>/: copy each into fuzz/corpus/<target>/ with its fix,
# and tests/fuzz_corpus.rs replays it on stable in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

CARGO_FUZZ_VERSION=0.13.2
JOBS=${FUZZ_JOBS:-2}

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "cargo-fuzz needs a nightly toolchain (rustup toolchain list shows none)" >&2
  exit 1
fi
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  CARGO_TARGET_DIR="$VISOR_CACHE/install-target" cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

all_targets() { sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^oscar-visor-fuzz$'; }

case "${1:-}" in
  seed)
    exec python3 scripts/fuzz/seed.py
    ;;
  cmin)
    shift
    for t in ${*:-$(all_targets)}; do
      say "minimising $t ($(ls "fuzz/corpus/$t" | wc -l) files)"
      (cd fuzz && cargo +nightly fuzz cmin -a "$t" "corpus/$t" -- -timeout=1 -rss_limit_mb=2048) >"/tmp/fuzz-cmin-$t.log" 2>&1 \
        || { tail -20 "/tmp/fuzz-cmin-$t.log"; exit 1; }
      say "$t: $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sh "fuzz/corpus/$t" | cut -f1)"
    done
    exit 0
    ;;
esac

SECONDS_EACH=${1:-60}
shift || true
TARGETS=${*:-$(all_targets)}
[ -d fuzz/corpus ] || python3 scripts/fuzz/seed.py
LOGS=$(mktemp -d)

say "building the targets (nightly, debug assertions on)"
(cd fuzz && cargo +nightly fuzz build -a) 2>&1 | grep -E '^(error|warning: unused)' -A5 || true

run_one() { # target
  local t=$1
  mkdir -p "fuzz/corpus/$t"
  (cd fuzz && cargo +nightly fuzz run -a "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -print_final_stats=1) >"$LOGS/$t.log" 2>&1
  echo $? >"$LOGS/$t.rc"
}
export -f run_one
export SECONDS_EACH LOGS

say "fuzzing ${SECONDS_EACH}s per target, $JOBS at a time: $(echo $TARGETS | tr '\n' ' ')"
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

total=0
found=0
printf '\n%-10s %14s %8s %9s  %s\n' target executions exec/s corpus findings
for t in $TARGETS; do
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log" | tail -1 || true)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGS/$t.log" | tail -1 || true)
  rc=$(cat "$LOGS/$t.rc")
  crash=$(grep -oE 'artifact_prefix=[^;]*; Test unit written to [^ ]+' "$LOGS/$t.log" | sed 's/.*written to //' | tr '\n' ' ' || true)
  [ "$rc" = 0 ] || found=$((found + 1))
  total=$((total + ${execs:-0}))
  printf '%-10s %14s %8s %9s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$(ls "fuzz/corpus/$t" | wc -l)" \
    "$([ "$rc" = 0 ] && echo 0 || echo "1: ${crash:-see $LOGS/$t.log}")"
done
printf '%-10s %14s\n' total "$total"
say "logs in $LOGS"
[ "$found" = 0 ]
