#!/usr/bin/env bash
# Checks that each FILE (an executable or shared library) needs only the system
# libraries a stock Linux has: libc, libm, libstdc++, libgcc_s, libz and libzstd
# (plus the dynamic loader and the vDSO), and nothing from LLVM's own folder
# (MLIR/LLVM are linked statically).
#
#   bash scripts/ldd-check.sh FILE...
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash scripts/ldd-check.sh FILE..." >&2; exit 2; }
allowed='^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1|libzstd\.so\.1)$'
status=0
for f in "$@"; do
    out=$(ldd "$f" 2>&1) || { echo "ldd-check: ldd failed on $f: $out" >&2; exit 1; }
    names=$(awk '{print $1}' <<<"$out" | sort -u)
    bad=$(grep -Ev "$allowed" <<<"$names" || true)
    llvm=$(grep -F /usr/lib/llvm <<<"$out" || true)
    if [ -n "$bad" ] || [ -n "$llvm" ]; then
        echo "ldd-check: $f needs more than libc, libm, libstdc++, libgcc_s, libz, libzstd:" >&2
        echo "$out" >&2
        status=1
    else
        echo "ldd-check: $f needs only: $(tr '\n' ' ' <<<"$names")" >&2
    fi
done
exit $status
