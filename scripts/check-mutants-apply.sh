#!/usr/bin/env bash
# Every mutation patch under tests/mutants/ still applies to today's tree (a dry run), and each
# names a directed test in tests/mutants/directed.txt: a patch that no longer applies would
# leave its hole untested by scripts/mutants.sh without anyone noticing.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=0
for patch in tests/mutants/*.patch; do
    name=$(basename "$patch" .patch)
    if ! patch -p1 --dry-run --fuzz=0 -s <"$patch" >/dev/null; then
        echo "stale: $patch no longer applies" >&2
        failed=1
    fi
    if ! awk -v n="$name" '$1 == n { found = 1 } END { exit !found }' tests/mutants/directed.txt; then
        echo "missing: $name has no directed test in tests/mutants/directed.txt" >&2
        failed=1
    fi
done
[ "$failed" -eq 0 ] && echo "every mutation patch applies and names its directed test"
exit "$failed"
