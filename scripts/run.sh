#!/usr/bin/env bash
# The main job: builds the deployable ELF and runs it in an in-process Solana runtime through
# every instruction, printing the compute units each one used.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./scripts/build-sbf.sh
cargo run --quiet -p bal-tests --bin bench
