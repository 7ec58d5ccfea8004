#!/usr/bin/env bash
# The test command: builds the deployable ELF, checks formatting, lints, the committed IDL and
# that every mutation patch still applies, then runs every test on the ELF in the Solana
# runtime, the TypeScript client's tests, the web page's end-to-end test against a local
# exchange, and prints the compute-unit table.
# Prints the wall time of each stage so slow stages are visible.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stage() {
    local name=$1
    shift
    local start=$SECONDS
    printf '\n=== %s\n' "$name"
    "$@"
    printf '=== %s: %ss\n' "$name" "$((SECONDS - start))"
}

stage "sbf build" ./scripts/build-sbf.sh
stage "fmt" cargo fmt --all -- --check
stage "clippy" cargo clippy --workspace --all-targets -- -D warnings
stage "idl check" cargo run --quiet -p bal-tests --bin idl -- --check
stage "mutation patches apply" ./scripts/check-mutants-apply.sh
# The runtime logs every instruction at debug level; failures carry their own program logs.
export RUST_LOG=${RUST_LOG:-error}
test_log=$(mktemp)
ts_log=$(mktemp)
kit_log=$(mktemp)
web_log=$(mktemp)
e2e_log=$(mktemp)
trap 'rm -f "$test_log" "$ts_log" "$kit_log" "$web_log" "$e2e_log"' EXIT
stage "tests (ELF)" bash -o pipefail -c 'cargo test --workspace 2>&1 | tee "$0"' "$test_log"
stage "tests (TypeScript)" bash -o pipefail -c \
    'cd app/sdk && npm ci --no-audit --no-fund --loglevel=error && npm test 2>&1 | tee "$0" &&
        npm run pack:check' "$ts_log"
# The Codama client: current with the IDL (its build fails otherwise) and building what the
# SDK's hand-written builders build; then an integrator's LP round trip with it alone.
stage "tests (generated Kit client)" bash -o pipefail -c \
    'cd app/kit-client && npm ci --no-audit --no-fund --loglevel=error && npm test 2>&1 | tee "$0" &&
        cd ../../examples/lp-round-trip && npm ci --no-audit --no-fund --loglevel=error &&
        npm test 2>&1 | tee -a "$0"' "$kit_log"
stage "tests (web page)" bash -o pipefail -c \
    'cd app/web && npm ci --no-audit --no-fund --loglevel=error && npm test 2>&1 | tee "$0"' "$web_log"
stage "end-to-end (local exchange, web page)" bash -o pipefail -c \
    './scripts/run.sh --e2e 2>&1 | tee "$0"' "$e2e_log"
# The benchmark checks docs/compute-units.md's instruction rows against its run, like the IDL:
# a changed figure fails here until `cargo run -p bal-tests --bin bench -- --write-docs` rewrites
# the page.
stage "compute units" cargo run --quiet -p bal-tests --bin bench
printf '\ntotal: %ss\n' "$SECONDS"
# One closing line over every test binary, so the count is not read off the last (doc-test) one.
awk '/^test result:/ { p += $4; f += $6 } /^# pass / { p += $3 } /^# fail / { f += $3 }
    END { printf "tests: %d passed, %d failed\n", p, f }' "$test_log" "$ts_log" "$kit_log" "$web_log" "$e2e_log"
