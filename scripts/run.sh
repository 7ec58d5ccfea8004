#!/usr/bin/env bash
# The main job: a local BAL exchange on this machine. Builds what is needed, then starts a local
# Solana JSON-RPC node (surfpool's LiteSVM, embedded in `bal-local-node`), deploys BAL and
# brings up its state, quote market, oracles and two markets through `migrations/localnet.toml`,
# funds LPs, traders and a demo wallet, moves the oracles and lets the traders trade
# (`bal-localnet`), runs the keeper bot, and serves the web page. Prints the URLs; Ctrl-C stops
# everything. Logs go to target/localnet/*.log.
#
#   ./scripts/run.sh          the exchange, until Ctrl-C
#   ./scripts/run.sh --e2e    the exchange, the page's end-to-end test against it, then stop
#
# The in-process market simulation (35 simulated days in half a minute, with a report) is
# `cargo run -p bal-tests --bin simulate`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-serve}

./scripts/build-sbf.sh
./scripts/build-local-node.sh
cargo build --quiet -p bal-localnet -p bal-keeper
(cd app/sdk && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
(cd app/web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

state=$root/target/localnet
# shellcheck source=lib/exchange.sh
source "$root/scripts/lib/exchange.sh"
start_exchange
target/debug/bal-keeper --config "$state/keeper.toml" >"$state/keeper.log" 2>&1 &
pids+=($!)

cat <<INFO
BAL local exchange
  web page     http://127.0.0.1:8080/
  JSON-RPC     http://127.0.0.1:8899  (websocket ws://127.0.0.1:8900)
  keeper       http://127.0.0.1:9464/metrics  /health
  logs         $state/{node,localnet,keeper}.log
INFO

if [ "$mode" = "--e2e" ]; then
    (cd app/web && BAL_WEB_URL=http://127.0.0.1:8080 npm run --silent e2e)
    # The keeper runs against the same node: healthy, and within two minutes of trading it
    # has settled something for the traders or the LPs.
    curl -fsS http://127.0.0.1:9464/health >/dev/null
    for _ in $(seq 120); do
        curl -fsS http://127.0.0.1:9464/metrics | grep -q 'outcome="sent"' && break
        sleep 1
    done
    curl -fsS http://127.0.0.1:9464/metrics | grep 'outcome="sent"' || {
        echo "the keeper landed no transaction" >&2
        tail -n 5 "$state/keeper.log" >&2
        exit 1
    }
else
    echo "Ctrl-C stops it."
    wait "$localnet"
fi
