#!/usr/bin/env python3
"""Teach the private nightly's `rust-src` about `target_os = "solana"`.

Anchor's dependency tree needs `std`, and std has no Solana port. Each edit below maps
Solana onto an existing no-OS code path of std. Every edit is guarded by a marker so the
script is idempotent; it fails loudly when an anchor it expects is missing (a different
nightly), instead of producing a std that links but faults at run time.

Usage: patch_std.py <path to rustlib/src/rust/library>
"""
import pathlib
import sys

MARK = "/* bal-solana */"


def edit(path: pathlib.Path, anchor: str, replacement: str) -> None:
    text = path.read_text()
    if replacement in text:
        return
    found = text.count(anchor)
    if found != 1:
        sys.exit(f"patch_std: expected one {anchor!r} in {path}, found {found}")
    path.write_text(text.replace(anchor, replacement))


def main() -> None:
    lib = pathlib.Path(sys.argv[1])
    std = lib / "std"

    # std's build script marks unknown OSes as `restricted_std`, which every crate then trips on.
    edit(std / "build.rs",
         '|| target_os == "vexos"\n',
         f'|| target_os == "vexos"\n        || target_os == "solana" {MARK}\n')

    # Allocation: the program's entrypoint installs the real `#[global_allocator]`; std's
    # `System` allocator is never used on-chain, so it returns null.
    alloc = std / "src/sys/alloc"
    edit(alloc / "mod.rs",
         '    target_arch = "wasm64",\n)) {\n    16\n',
         f'    target_arch = "wasm64",\n    target_arch = "bpf", {MARK}\n)) {{\n    16\n')
    edit(alloc / "mod.rs",
         '    target_os = "zkvm" => {\n        mod zkvm;\n        use zkvm as imp;\n    }\n',
         '    target_os = "zkvm" => {\n        mod zkvm;\n        use zkvm as imp;\n    }\n'
         f'    target_os = "solana" => {{ {MARK}\n        mod solana;\n        use solana as imp;\n    }}\n')
    edit(alloc / "mod.rs",
         'target_os = "uefi", target_os = "zkvm") => {',
         f'target_os = "uefi", target_os = "zkvm", target_os = "solana" {MARK}) => {{')
    (alloc / "solana.rs").write_text(
        f"// {MARK} std's System allocator on Solana: the entrypoint's global allocator serves.\n"
        "use crate::alloc::Layout;\n\n"
        "#[inline]\npub unsafe fn alloc(_layout: Layout) -> *mut u8 {\n    crate::ptr::null_mut()\n}\n\n"
        "#[inline]\npub unsafe fn dealloc(_ptr: *mut u8, _layout: Layout) {}\n\n"
        "#[inline]\npub unsafe fn realloc(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {\n"
        "    unsafe { super::realloc_fallback(ptr, layout, new_size) }\n}\n")

    # I/O errors, thread locals and randomness: the same no-OS paths zkvm and l4re use.
    edit(std / "src/sys/io/error/mod.rs",
         'target_os = "zkvm", target_os = "trusty") => {',
         f'target_os = "zkvm", target_os = "trusty", target_os = "solana" {MARK}) => {{')
    edit(std / "src/sys/thread_local/mod.rs",
         '\n        target_os = "zkvm",\n',
         f'\n        target_os = "zkvm",\n        target_os = "solana", {MARK}\n')
    edit(std / "src/sys/thread_local/mod.rs",
         '\n            target_os = "zkvm",\n',
         f'\n            target_os = "zkvm",\n            target_os = "solana", {MARK}\n')
    edit(std / "src/sys/random/mod.rs",
         '\n    target_os = "l4re",\n',
         f'\n    target_os = "l4re",\n    target_os = "solana", {MARK}\n')
    edit(std / "src/sys/random/mod.rs",
         '\n        target_os = "l4re",\n',
         f'\n        target_os = "l4re",\n        target_os = "solana", {MARK}\n')

    # Anchor's duplicate-mutable-account check builds a HashSet; the keys' thread_local
    # would be a writable static, which the sBPF loader cannot relocate.
    edit(std / "src/hash/random.rs",
         "    pub fn new() -> RandomState {\n",
         "    pub fn new() -> RandomState {\n"
         f"        #[cfg(target_os = \"solana\")] {MARK}\n"
         "        return RandomState { k0: 0x736f_6c61_6e61, k1: 0x6261_6c };\n"
         "        #[cfg(not(target_os = \"solana\"))]\n"
         "        RandomState::from_thread_keys()\n"
         "    }\n\n"
         "    #[cfg(not(target_os = \"solana\"))]\n"
         "    fn from_thread_keys() -> RandomState {\n")

    # `pad_integral` takes six argument registers; the sBPF v0 VM passes five, so the sixth
    # lands in unmapped stack and every integer `{}` (every Anchor error log) faults.
    edit(lib / "core/src/fmt/mod.rs",
         "    pub fn pad_integral(&mut self, is_nonnegative: bool, prefix: &str, buf: &str) -> Result {\n",
         "    #[inline(always)]\n"
         "    pub fn pad_integral(&mut self, is_nonnegative: bool, prefix: &str, buf: &str) -> Result {\n"
         "        self.pad_integral_parts(is_nonnegative, &(prefix, buf))\n"
         "    }\n\n"
         f"    {MARK}\n"
         "    #[inline(never)]\n"
         "    fn pad_integral_parts(&mut self, is_nonnegative: bool, parts: &(&str, &str)) -> Result {\n"
         "        let (prefix, buf) = *parts;\n")


if __name__ == "__main__":
    main()
