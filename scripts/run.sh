#!/usr/bin/env bash
# The main job: builds the deployable ELF and runs a local BAL market on it in an in-process
# Solana runtime — LPs, traders and a keeper over 35 simulated days (`BAL_SIM_DAYS` to change) —
# printing the LPs' returns, fees, funding, the keeper's work and the conservation check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./scripts/build-sbf.sh
cargo run --quiet -p bal-tests --bin simulate
