#!/usr/bin/env bash
# Regenerates link/startup-order.txt: the functions a conversion runs, in the order
# the linker should place them first (see link/build.rs for why).
#
#   bash scripts/startup-order.sh
#
# Runs the release binary under valgrind's callgrind over every fixture model (weights
# elided, as bytecode and as text; and `run` on the fixture's inputs, compiling and
# then from the object cache) and keeps the functions called that the binary
# defines, in address order. Rerun it after upgrading LLVM/MLIR or the Rust toolchain;
# names that no longer exist are ignored by the linker, so a stale list only costs memory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v valgrind >/dev/null 2>&1 || {
    echo "startup-order: installing valgrind" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends valgrind >&2
}
cargo build --release --bin onnx2linalg >&2
BIN=$PWD/target/release/onnx2linalg
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

profile() {
    local name=$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" --compress-strings=no \
        --demangle=no "$BIN" "$@" > /dev/null 2>&1 || true
}
profile version --version
for model in fixtures/models/*.onnx; do
    base=$(basename "$model" .onnx)
    profile "$base.elide" "$model" --weights elide -o "$WORK/out"
    profile "$base.bc" "$model" --emit bytecode -o "$WORK/out"
    profile "$base.text" "$model" --emit text -o "$WORK/out"
    inputs=()
    for npy in "fixtures/models/$base"/input_*.npy; do
        [ -e "$npy" ] || continue
        name=$(basename "$npy" .npy)
        inputs+=(--input "${name#input_}=$npy")
    done
    profile "$base.run" run "$model" "${inputs[@]}" --output-dir "$WORK/run" \
        --cache-dir "$WORK/cache"
    profile "$base.cached" run "$model" "${inputs[@]}" --output-dir "$WORK/run" \
        --cache-dir "$WORK/cache"
done

cat "$WORK"/*.cg | sed -nE 's/^c?fn=(\([0-9]+\) )?//p' | sort -u > "$WORK/called"
# Functions the binary defines, in address order, that some run called.
nm --defined-only --numeric-sort "$BIN" | awk '$2 ~ /^[tTwW]$/ {print $3}' \
    | awk 'NR == FNR {called[$0] = 1; next} ($0 in called) && !seen[$0]++' "$WORK/called" - \
    > link/startup-order.txt
echo "startup-order: $(wc -l < link/startup-order.txt) functions -> link/startup-order.txt" >&2
