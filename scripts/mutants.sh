#!/usr/bin/env bash
# Puts back, one at a time, each hole in tests/mutants/*.patch (a diff that reverts a fix) on a
# copy of the repository, builds that copy's ELF, and runs against it the red-team fuzzer
# (fresh seeds, stopping at the first failure) and the hole's directed test
# (tests/mutants/directed.txt). Prints a table: did the red team find it, after how many
# sequences and seconds, and did the directed test catch it. Only a broken rule counts: the red
# team's failure must be a rule's violation (its message starts `violation:`; a panic, such as
# a set-up the hole broke, is `panic`), and the directed test must have built and failed; a
# copy that does not build is `build failed`. The program itself never carries a switch for any
# of this: each hole exists only in its patched copy.
#
# BAL_MUTANT_CASES: sequences the red team may try per hole (1,000). BAL_MUTANTS: a pattern of
# patch names to run (all). Copies and builds live under target/mutants/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cases=${BAL_MUTANT_CASES:-1000}
only=${BAL_MUTANTS:-}
work=$root/target/mutants/src
logs=$root/target/mutants/logs
mkdir -p "$root/target/mutants/sbf" "$root/target/mutants/host" "$logs"
# The test binaries run against the patched ELFs are the repository's own.
./scripts/build-sbf.sh >/dev/null
cargo test --quiet -p bal-tests --test program --no-run 2>/dev/null

copy() {
    rm -rf "$work"
    mkdir -p "$work"
    tar --exclude=./target --exclude=./.git --exclude=./.toolchain --exclude=node_modules \
        -cf - . | tar -xf - -C "$work"
    ln -s "$root/.toolchain" "$work/.toolchain"
    mkdir -p "$work/target"
    ln -s "$root/target/mutants/sbf" "$work/target/sbf"
}

printf '| hole | red team | sequences | seconds | directed test |\n|---|---|---:|---:|---|\n'
for patch in tests/mutants/*.patch; do
    name=$(basename "$patch" .patch)
    case "$name" in *"$only"*) ;; *) continue ;; esac
    copy
    if ! (cd "$work" && patch -p1 -s <"$root/$patch" &&
        ./scripts/build-sbf.sh >"$logs/$name.build" 2>&1); then
        printf '| %s | build failed | | | build failed |\n' "$name"
        continue
    fi
    start=$SECONDS
    BAL_DEPLOY_DIR="$work/target/deploy" BAL_REDTEAM_FIND=1 BAL_REDTEAM_SEED=random \
        BAL_REDTEAM_CASES="$cases" RUST_LOG=error \
        cargo test --quiet -p bal-tests --test program an_attacker -- --nocapture \
        >"$logs/$name.redteam" 2>&1 || true
    if grep -q 'violation:' "$logs/$name.redteam"; then
        found=Y
    elif grep -q 'failed:' "$logs/$name.redteam"; then
        found=panic
    else
        found=N
    fi
    seconds=$((SECONDS - start))
    # Both modes' sequences (the strict one and the market one), however far each got.
    sequences=$(grep -oE 'red team[^:]*: [0-9]+ sequences' "$logs/$name.redteam" |
        awk '{ n += $(NF - 1) } END { print n + 0 }')
    read -r kind binary filter < <(awk -v n="$name" '$1 == n { print $2, $3, $4 }' tests/mutants/directed.txt)
    if [ "$kind" = elf ]; then
        directed_cmd=(env BAL_DEPLOY_DIR="$work/target/deploy" RUST_LOG=error
            cargo test --quiet -p bal-tests --test program "$binary" -- --exact)
    elif [ "$kind" = unit ]; then
        directed_cmd=(env CARGO_TARGET_DIR="$root/target/mutants/host"
            cargo test --quiet --manifest-path "$work/Cargo.toml" -p bal --lib "$binary")
    else
        directed_cmd=(env CARGO_TARGET_DIR="$root/target/mutants/host"
            cargo test --quiet --manifest-path "$work/Cargo.toml" -p bal --test "$binary" "$filter")
    fi
    if "${directed_cmd[@]}" >"$logs/$name.directed" 2>&1; then
        directed="missed ($kind ${binary} ${filter})"
    elif grep -qE 'could not compile|error\[E' "$logs/$name.directed"; then
        directed="build failed"
    elif grep -q 'test result: FAILED' "$logs/$name.directed"; then
        directed="caught"
    else
        directed="did not run ($kind ${binary} ${filter})"
    fi
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$found" "$sequences" "$seconds" "$directed"
done
