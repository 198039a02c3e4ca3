#!/usr/bin/env bash
# Fuzz targets of onnx2linalg (cargo fuzz, libFuzzer), on a seeded corpus.
#
#   bash scripts/fuzz.sh                 every target for 60 s (the CI smoke)
#   bash scripts/fuzz.sh 1800 onnx_import    one target for 30 min
#
# Seeds: the committed fixtures, the real-producer corpus (fixtures/corpus)
# and the ONNX node suite's models (onnx_*),
# the TOSA test programs (tosa_read), the JAX-exported StableHLO programs
# (stablehlo_read) and the fuzz regressions. The corpus
# grows in build/fuzz-corpus/TARGET across runs; crashes land in
# fuzz/artifacts/TARGET and make this script fail. A crash becomes a
# regression file under tests/fuzz_regressions/ (see docs/hostile-input.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(onnx_decode onnx_import onnx_node_shapes tosa_read stablehlo_read)

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked
# libFuzzer's flags are nightly-only; the pinned stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1
SUITE=${ONNX_NODE_SUITE:-build/onnx-node/node}

seed() {
    local target=$1 dir=build/fuzz-seeds/$1
    rm -rf "$dir" && mkdir -p "$dir"
    case $target in
    onnx_decode | onnx_import)
        cp fixtures/models/*.onnx "$dir"/ 2>/dev/null || true
        find tests/fuzz_regressions -name '*.onnx' -exec cp {} "$dir"/ \; 2>/dev/null || true
        # The real-producer corpus (Paddle, tf2onnx, skl2onnx, onnxscript, fp16
        # converters, ...); models over the 1 MiB input limit left out.
        for m in fixtures/corpus/*/model.onnx; do
            [ "$(stat -c %s "$m")" -le 1048576 ] || continue
            cp "$m" "$dir/corpus_$(basename "$(dirname "$m")").onnx"
        done
        if [ -d "$SUITE" ]; then
            for m in "$SUITE"/*/model.onnx; do
                cp "$m" "$dir/$(basename "$(dirname "$m")").onnx"
            done
        fi
        ;;
    tosa_read)
        # The first byte picks text (even) or bytecode (odd).
        for f in tests/tosa/*.mlir; do
            { printf '\0'; cat "$f"; } >"$dir/$(basename "$f")"
        done
        # torch-mlir's TOSA output (weights as dense_resource blobs); the large ones left out.
        for f in tests/torch_mlir_tosa/*/program.mlir; do
            [ "$(stat -c %s "$f")" -le 400000 ] || continue
            { printf '\0'; cat "$f"; } >"$dir/torch_mlir_$(basename "$(dirname "$f")").mlir"
        done
        ;;
    stablehlo_read)
        for f in tests/stablehlo/*/program.mlir; do
            cp "$f" "$dir/$(basename "$(dirname "$f")").mlir"
        done
        # torch-mlir's StableHLO output (dense_resource blobs, CHLO, generic form);
        # the large ones left out.
        for f in tests/torch_mlir_stablehlo/*/program.mlir; do
            [ "$(stat -c %s "$f")" -le 400000 ] || continue
            cp "$f" "$dir/torch_mlir_$(basename "$(dirname "$f")").mlir"
        done
        ;;
    planted_crash)
        printf 'PLANTED' >"$dir/planted"
        ;;
    esac
    echo "$dir"
}

(cd fuzz && cargo fuzz build -O)
status=0
for target in "${TARGETS[@]}"; do
    seeds=$(seed "$target")
    corpus=build/fuzz-corpus/$target
    artifacts=fuzz/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    # Artifacts of earlier runs are kept for triage; only new ones count here.
    before=$(find "$artifacts" -type f | sort)
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s (corpus $corpus, seeds $seeds)" >&2
    set +e
    (cd fuzz && cargo fuzz run -O "$target" "../$corpus" "../$seeds" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -timeout=30 \
        -max_len=1048576 -seed=1 -print_final_stats=1) >"build/fuzz-$target.log" 2>&1
    run_status=$?
    set -e
    grep -E '^(stat::|==|thread|Running|INFO: Done|SUMMARY|artifact_prefix|Test unit written)|panicked|#[0-9]+.*DONE' \
        "build/fuzz-$target.log" >&2 || true
    new=$(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort) | grep -E '/(crash|timeout|oom|leak|slow-unit)-' || true)
    # libFuzzer exits non-zero on a crash, a timeout, running out of memory or
    # a failed start; any of those, or a new artifact, fails the smoke.
    if [ "$run_status" -ne 0 ] || [ -n "$new" ]; then
        echo "fuzz: $target FOUND A CRASH (exit $run_status; log build/fuzz-$target.log):" >&2
        [ -z "$new" ] || echo "$new" | sed 's/^/fuzz:   /' >&2
        status=1
    fi
done
exit $status
