#!/usr/bin/env python3
"""Turn the nightly's `bpfel-unknown-none` spec (stdin) into the Solana sBPF v0 spec (stdout)."""
import json
import sys

spec = json.load(sys.stdin)
spec.update({
    "os": "solana",                # the solana crates select their syscall paths on target_os
    "vendor": "solana",
    "atomic-cas": True,            # std needs CAS to compile; lower-atomic makes it plain code
    "min-atomic-width": 8,
    "singlethread": True,
    "panic-strategy": "abort",
})
spec.setdefault("metadata", {})["std"] = True
json.dump(spec, sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
