#!/usr/bin/env bash
# Converts every model fixture, TOSA program, StableHLO program and op case
# with the built binary into DIR (one .mlir each), so two builds can be
# compared byte for byte:
#   bash scripts/snapshot-outputs.sh before/ && (change, rebuild) &&
#   bash scripts/snapshot-outputs.sh after/ && diff -r before after
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: snapshot-outputs.sh DIR}
bin=${BIN:-target/debug/onnx2linalg}
mkdir -p "$out"
n=0
for f in fixtures/models/*.onnx tests/tosa/*.mlir tests/stablehlo/*.mlir tests/stablehlo/*/program.mlir tests/fuzz_regressions/*.mlir tests/op_cases/*/*.onnx; do
    [ -e "$f" ] || continue
    name=$(echo "$f" | tr '/' '_')
    "$bin" "$f" --weights inline -o "$out/$name.mlir" 2>"$out/$name.err" || true
    n=$((n + 1))
done
echo "snapshot-outputs: $n inputs converted into $out" >&2
