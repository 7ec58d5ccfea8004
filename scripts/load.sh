#!/usr/bin/env bash
# The load-and-fault run: a fresh local exchange (node, BAL deployed, two markets, LPs), brought
# up quiet, then `bal-load` drives it: opens users, steps the trade rate while timing funding
# updates and the liquidation of freshly shocked accounts, kills and restarts the keeper,
# compares one keeper with two sharded ones, and checks the books on chain. Prints a table
# (also in target/load/load-report.md) and exits non-zero when the books do not balance.
# Loopback only (the node on 8899/8900, the page on 8081, keepers' metrics on 9464-9466), so
# not alongside ./scripts/run.sh. Bounded: bal-load is stopped after BAL_LOAD_MINUTES (30).
#
#   ./scripts/load.sh [bal-load options]     e.g. --users 500 --rates 5,10 --step-seconds 30
#   BAL_LOAD_MINUTES=80 ./scripts/load.sh --rates 30 --soak-minutes 60   a one-hour soak
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/build-sbf.sh >/dev/null
./scripts/build-local-node.sh >/dev/null
cargo build --quiet -p bal-localnet -p bal-keeper

minutes=${BAL_LOAD_MINUTES:-30}
if ! [[ $minutes =~ ^[1-9][0-9]*$ ]]; then
    echo "BAL_LOAD_MINUTES must be a whole number of minutes above zero, not '$minutes'" >&2
    exit 2
fi
state=$root/target/load
# shellcheck source=lib/exchange.sh
source "$root/scripts/lib/exchange.sh"
start_exchange --market quiet --listen 127.0.0.1:8081
# In the background and waited for, so Ctrl-C reaches the traps at once and stops everything.
timeout "$((minutes * 60))" target/debug/bal-load --state "$state" --node-pid "$node" "$@" &
pids+=($!)
wait "$!"
