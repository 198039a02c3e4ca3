#!/usr/bin/env bash
# The fuzz smoke must be able to fail: runs scripts/fuzz.sh on the target that
# crashes on purpose (fuzz/fuzz_targets/planted_crash.rs) and passes only if
# the smoke reports the crash and exits non-zero.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(bash scripts/fuzz.sh 20 planted_crash 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
    echo "$out" | tail -20 >&2
    echo "fuzz-selftest: FAILED: the smoke exited 0 on a planted crash" >&2
    exit 1
fi
if ! grep -q "planted_crash FOUND A CRASH" <<<"$out"; then
    echo "$out" | tail -20 >&2
    echo "fuzz-selftest: FAILED: the smoke exited $status without reporting the planted crash" >&2
    exit 1
fi
# The planted crash's artifact is expected: leave no trace for the next run.
rm -rf fuzz/artifacts/planted_crash build/fuzz-corpus/planted_crash
echo "fuzz-selftest: the smoke reported the planted crash and exited $status" >&2
