#!/usr/bin/env bash
# Builds target/local-node/debug/bal-local-node, the local Solana JSON-RPC node (surfpool). It
# needs Rust 1.97.1 or newer, which the program's workspace does not use: the pinned stable is
# installed into the project's private rustup home (.toolchain/rustup), never the machine's,
# and only this build sees it. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rust=1.99.1
toolchain_dir=$root/.toolchain

private_rustup() {
    RUSTUP_HOME=$toolchain_dir/rustup CARGO_HOME=$toolchain_dir/cargo rustup "$@"
}

if ! private_rustup run "$rust" rustc --version >/dev/null 2>&1; then
    echo "[build-local-node] installing Rust $rust into $toolchain_dir/rustup"
    private_rustup set auto-self-update disable
    private_rustup toolchain install --no-self-update "$rust" --profile minimal
fi
cd "$root/local/node"
RUSTUP_HOME=$toolchain_dir/rustup CARGO_TARGET_DIR=$root/target/local-node \
    cargo "+$rust" build --locked --quiet
echo "[build-local-node] ok: $root/target/local-node/debug/bal-local-node"
