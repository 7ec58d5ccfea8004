#!/usr/bin/env bash
# Builds target/deploy/bal.so and the example integrator's bal_vault.so, the deployable sBPF v0
# ELFs, on a machine without Solana's platform-tools (they download from a host this machine
# cannot reach). Everything it installs
# lives under .toolchain/ in the repo: the machine's own toolchains and rustup are never touched.
# Idempotent: a second run with nothing changed only re-checks and takes seconds.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nightly=nightly-2026-10-30        # carries LLVM 23, which sbpf-linker needs (LLVM 22 fails)
linker_version=0.2.6
toolchain_dir=$root/.toolchain
sbf_target_dir=$root/target/sbf
spec_name=sbpf-v0-solana          # the spec's file stem becomes the target name
deploy_dir=$root/target/deploy

# rustup only ever sees the private home, and only on these commands: exporting RUSTUP_HOME
# would make the nightly the default for every later plain `cargo` in the shell.
private_rustup() {
    RUSTUP_HOME=$toolchain_dir/rustup CARGO_HOME=$toolchain_dir/cargo rustup "$@"
}

step() { printf '[build-sbf] %s\n' "$*"; }

# 1. The pinned nightly with rust-src (for build-std) and llvm-tools (llvm-objdump for the guard
#    in step 6), in the private home. --no-self-update keeps rustup from
#    replacing the machine's rustup binary when it sees a fresh home.
host=$(rustc -vV | sed -n 's/^host: //p')
objdump=$toolchain_dir/rustup/toolchains/$nightly-$host/lib/rustlib/$host/bin/llvm-objdump
if [ ! -x "$objdump" ]; then
    step "installing $nightly into $toolchain_dir/rustup"
    private_rustup set auto-self-update disable
    private_rustup toolchain install --no-self-update "$nightly" --profile minimal \
        -c rust-src -c llvm-tools
fi
sysroot=$(private_rustup run "$nightly" rustc --print sysroot)

# 2. std for os = "solana": patch rust-src (marker-checked edits). Cargo does not notice edits
#    in rust-src, so a changed patch set forces a clean SBF target dir.
patch_stamp=$(sha256sum "$root/scripts/sbf/patch_std.py" | cut -c1-16)
python3 "$root/scripts/sbf/patch_std.py" "$sysroot/lib/rustlib/src/rust/library"
if [ "$(cat "$sbf_target_dir/.std-patch" 2>/dev/null)" != "$patch_stamp" ]; then
    step "std patch changed: cleaning $sbf_target_dir"
    rm -rf "$sbf_target_dir"
    mkdir -p "$sbf_target_dir"
    echo "$patch_stamp" > "$sbf_target_dir/.std-patch"
fi

# 3. The linker that turns LLVM bitcode into an sBPF ELF.
linker=$toolchain_dir/sbpf-linker/bin/sbpf-linker
if [ ! -x "$linker" ]; then
    step "installing sbpf-linker $linker_version"
    cargo install sbpf-linker --version "$linker_version" --locked --root "$toolchain_dir/sbpf-linker"
fi

# 4. The target spec: the nightly's bpfel spec plus what makes the solana crates compile their
#    `target_os = "solana"` syscall paths and what build-std needs (atomics lowered, no threads).
spec=$sbf_target_dir/$spec_name.json
private_rustup run "$nightly" rustc -Z unstable-options --print target-spec-json \
    --target bpfel-unknown-none | python3 "$root/scripts/sbf/target_spec.py" > "$spec.new"
if cmp -s "$spec.new" "$spec"; then rm "$spec.new"; else mv "$spec.new" "$spec"; fi

# 5. Build. Each flag and why:
#   -C linker / link-arg=--arch=v0   sbpf-linker, emitting sBPF v0 (the test runtime refuses v3)
#   -C target-cpu=v2                 BPF ISA v2 instructions, which v0 still accepts
#   --bpf-stack-size=4096            Solana's 4 KiB stack frames
#   --disable-movsx/-ldsx/-bswap     instructions the v0 VM does not have
#   --bpf-min-jump-table-entries     no jump tables: v0 cannot relocate them
#   -C passes=lower-atomic           the VM is single-threaded; atomics become plain loads/stores
#   -Cpanic=immediate-abort          no panic formatting machinery in the ELF
#   -Z build-std=std,panic_abort     std built for the patched solana target
#   -A linker_messages               sbpf-linker reports a harmless failed dlopen on every link
#   opt-level 2 (not 3)              O3 adds LLVM's argument promotion, which turns a pointer to a
#                                    struct into its fields and so into calls with more than the
#                                    v0 VM's five argument registers
llvm_arg() { printf -- '-C link-arg=--llvm-args=%s ' "$1"; }
rustflags="-C linker=$linker -C target-cpu=v2 -C link-arg=--arch=v0"
for flag in --bpf-stack-size=4096 --disable-movsx --disable-ldsx --disable-bswap \
    --bpf-min-jump-table-entries=1000000; do
    rustflags+=" $(llvm_arg "$flag")"
done
rustflags+=" -C passes=lower-atomic -Zunstable-options -Cpanic=immediate-abort -A linker_messages"

# One cargo run per program: built together, cargo would unify the example vault's `cpi`
# feature of `bal` into bal.so and leave it without an entrypoint. The runs share the target
# dir, so std and every common dependency build once. The vault goes first: building it also
# builds (and uplifts) a `cpi` libbal.so, which bal's own run then replaces.
mkdir -p "$deploy_dir"
for package in bal-vault bal; do
    lib=${package//-/_}
    step "building $lib.so"
    (
        cd "$root"
        RUSTUP_HOME=$toolchain_dir/rustup CARGO_TARGET_DIR=$sbf_target_dir RUSTFLAGS=$rustflags \
            CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
            cargo "+$nightly" build --release --lib -p "$package" --target "$spec" \
            -Z build-std=std,panic_abort -Z json-target-spec
    )
    cp "$sbf_target_dir/$spec_name/release/lib$lib.so" "$deploy_dir/$lib.so"

    # 6. Guard: an argument passed on the stack reads (r10 + N), which faults on v0. A call with
    #    more than five argument registers compiles silently, so look for it in the ELF itself.
    stack_args=$("$objdump" -d "$deploy_dir/$lib.so" | grep -c '(r10 + ' || true)
    if [ "$stack_args" != 0 ]; then
        step "ERROR: $lib.so passes arguments on the stack ($stack_args x (r10 + N)); pack them into a struct"
        exit 1
    fi
    # A program built with another package's `cpi` feature has no entrypoint and runs nothing.
    if ! "$objdump" -T "$deploy_dir/$lib.so" | grep -qw entrypoint; then
        step "ERROR: $lib.so exports no entrypoint (built with the no-entrypoint feature?)"
        exit 1
    fi
    step "ok: $deploy_dir/$lib.so ($(stat -c %s "$deploy_dir/$lib.so") bytes)"
done
