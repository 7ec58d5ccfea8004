#!/usr/bin/env bash
# The fuzzers' long run: the accounting fuzzer and the red-team fuzzer (strict and market
# modes), two at a time, on the deployable ELF in LiteSVM from fresh seeds, and a table of what
# they sent.
# Any violation fails the run (and proptest saves the shrunk sequence as a regression).
#
# BAL_FUZZ_CASES / BAL_REDTEAM_CASES: sequences for the accounting fuzzer and for each red-team
# mode (8,000 and 6,500 by default, together well over 1,000,000 BAL instructions).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export BAL_FUZZ_CASES=${BAL_FUZZ_CASES:-8000}
export BAL_REDTEAM_CASES=${BAL_REDTEAM_CASES:-6500}
export BAL_FUZZ_SEED=${BAL_FUZZ_SEED:-random}
export BAL_REDTEAM_SEED=${BAL_REDTEAM_SEED:-random}
export RUST_LOG=${RUST_LOG:-error}
./scripts/build-sbf.sh >/dev/null 2>&1
cargo test --quiet -p bal-tests --test program --no-run 2>/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
status=0
cargo test --quiet -p bal-tests --test program -- --test-threads 2 --nocapture \
    fuzz::random_sequences_keep_the_books_whole \
    redteam:: >"$log" 2>&1 || status=$?
seconds=$((SECONDS - start))
grep -oE '(accounting fuzzer|red team[^:]*): [0-9]+ sequences, .*' "$log" | awk -v secs="$seconds" -v status="$status" '
    BEGIN {
        print "| fuzzer | sequences | transactions | BAL instructions | random actions | shapes | seconds | instructions/s |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|"
    }
    {
        split($0, part, ": ")
        n = split(part[2], w, " ")
        # "<s> sequences, <t> transactions (<r>/s), <i> BAL instructions (<r>/s), <a> of them
        # random actions in <h> transaction shapes, <secs> s"
        rate = w[9]
        gsub(/[^0-9]/, "", rate)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", part[1], w[1], w[3], w[6], w[10], w[16], w[19], rate
        total += w[6]
    }
    END {
        printf "\n%d BAL instructions in %d s, %s\n", total, secs, status == 0 ? "0 violations" : "FAILED"
    }'
if [ "$status" -ne 0 ]; then
    grep -E 'failed:|minimal failing input' -A40 "$log" | head -80
    exit "$status"
fi
