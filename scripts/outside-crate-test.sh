#!/usr/bin/env bash
# The crate as another project uses it: a fresh crate in a temporary folder outside
# this repository, made only from the steps of docs/library.md ("Depending on the
# crate from another project": the blocks marked `<!-- outside-crate: FILE -->` are
# the files written here), depends on onnx2linalg by path, is built, and converts
# fixtures/models/resnet_small_op17.onnx; the MLIR it prints must be a module with a
# func (and, when target/debug/onnx2linalg exists, the same bytes the CLI prints).
#
# Before that, every crate of the workspace is packed with `cargo package` and each
# .crate must hold the files its build reads (sources, build scripts, proto/, ...).
#
#   bash scripts/outside-crate-test.sh      (a step of scripts/test.sh)
#
# The scratch crate builds into the workspace's target folder (CARGO_TARGET_DIR,
# default target/), so the dependencies scripts/test.sh already built are reused.
# Their build scripts then do not run again, so this mode cannot tell whether the
# LLVM step of the page is needed and enough: O2L_OUTSIDE_COLD=1 builds into a
# fresh target folder in the scratch crate instead (a whole build, ~10 minutes on
# 2 cores) and first without the page's .cargo/config.toml, which must fail in
# the MLIR build scripts, naming llvm-config; then with it, which must pass.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
model=$repo/fixtures/models/resnet_small_op17.onnx
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
t_all=$SECONDS

fail() {
    echo "outside-crate-test: FAILED: $*" >&2
    exit 1
}

# --- 1. cargo package: every crate, and what each .crate holds ------------------
t0=$SECONDS
(cd "$repo" && cargo package --workspace --no-verify --allow-dirty --quiet) ||
    fail "cargo package --workspace --no-verify failed (its output is above)"
pkg=$CARGO_TARGET_DIR/package
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
check_crate() { # NAME DIR PATHSPEC...: the git-tracked files of PATHSPEC must be in NAME's .crate
    local name=$1 dir=$2
    shift 2
    local crate=$pkg/$name-$version.crate
    [ -f "$crate" ] || fail "$crate was not written"
    local missing
    missing=$(comm -23 \
        <(cd "$repo/$dir" && git ls-files -- "$@" | sort) \
        <(tar tzf "$crate" | sed 's|^[^/]*/||' | sort))
    [ -z "$missing" ] || fail "$name's package lacks files its build needs: $(echo "$missing" | tr '\n' ' ')"
    printf 'outside-crate-test: %-14s %3s files packed\n' "$name" "$(tar tzf "$crate" | wc -l)" >&2
}
for dir in "$repo"/crates/*/; do
    name=$(basename "$dir")
    # A member crate's build reads everything tracked in its folder (src/, build.rs, proto/).
    check_crate "$name" "crates/$name" .
done
check_crate onnx2linalg . src link docs README.md Cargo.toml 'examples/*.rs'
tar tzf "$pkg/o2l-proto-$version.crate" | grep -c '/proto/onnx.proto$' >/dev/null ||
    fail "o2l-proto's package lacks proto/onnx.proto (its build.rs compiles it)"
echo "outside-crate-test: cargo package of every crate: $((SECONDS - t0)) s" >&2

# --- 2. a fresh crate outside the repository, from docs/library.md --------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/o2l-outside.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case "$tmp/" in "$repo"/*) fail "the scratch crate $tmp must be outside $repo" ;; esac
# Each marked block: the fenced block after `<!-- outside-crate: FILE -->`, its
# indentation removed, the placeholder path replaced by this repository's.
awk -v dst="$tmp" -v repo="$repo" '
    match($0, /<!-- outside-crate: [^ ]+ -->/) {
        file = $0; sub(/.*<!-- outside-crate: /, "", file); sub(/ -->.*/, "", file)
        want = 1; next
    }
    want && /^ *```/ { indent = index($0, "`") - 1; want = 0; inblock = 1; n++
        path = dst "/" file; sub(/\/[^\/]*$/, "", path); system("mkdir -p \"" path "\""); next }
    inblock && /^ *```/ { inblock = 0; close(dst "/" file); next }
    inblock { line = substr($0, indent + 1); gsub(/\/path\/to\/onnx2linalg/, repo, line)
              print line > (dst "/" file) }
    END { print n > (dst "/.blocks") }
' "$repo/docs/library.md"
[ "$(cat "$tmp/.blocks")" = 3 ] ||
    fail "docs/library.md should mark 3 blocks <!-- outside-crate: FILE --> (found $(cat "$tmp/.blocks"))"
rm "$tmp/.blocks"
for f in Cargo.toml .cargo/config.toml src/main.rs; do
    [ -s "$tmp/$f" ] || fail "docs/library.md gave no $f"
done
# Step 4 of the page: the versions this repository is tested with.
cp "$repo/Cargo.lock" "$tmp/Cargo.lock"

# Nothing of this repository's set-up may leak in: the variables come from the
# scratch crate's .cargo/config.toml or not at all.
unset MLIR_SYS_220_PREFIX TABLEGEN_220_PREFIX LIBCLANG_PATH RUSTFLAGS
cd "$tmp"
rustc_minor=$(rustc --version | sed -n 's/^rustc 1\.\([0-9]*\).*/\1/p')
[ "${rustc_minor:-0}" -ge 95 ] ||
    fail "the default Rust toolchain is $(rustc --version): docs/library.md asks for 1.95 or newer (rustup toolchain install 1.95.0)"
if [ "${O2L_OUTSIDE_COLD:-0}" = 1 ]; then
    export CARGO_TARGET_DIR=$tmp/target
    t0=$SECONDS
    mv .cargo/config.toml config.toml.aside
    if cargo build --quiet >"$tmp/no-config.log" 2>&1; then
        fail "the scratch crate built without the LLVM step's .cargo/config.toml: the step would not be needed"
    fi
    grep -q 'llvm-config' "$tmp/no-config.log" ||
        fail "without .cargo/config.toml the build failed, but not in the MLIR build scripts: $(tail -5 "$tmp/no-config.log")"
    echo "outside-crate-test: without .cargo/config.toml the build stops as expected ($((SECONDS - t0)) s): $(grep -m1 -o 'failed to find[^"]*' "$tmp/no-config.log" || grep -m1 'llvm-config' "$tmp/no-config.log")" >&2
    mv config.toml.aside .cargo/config.toml
fi
t0=$SECONDS
cargo build --quiet || fail "cargo build of the scratch crate in $tmp failed (its output is above)"
echo "outside-crate-test: cargo build of the scratch crate (target $CARGO_TARGET_DIR): $((SECONDS - t0)) s" >&2

t0=$SECONDS
"$CARGO_TARGET_DIR/debug/my-converter" "$model" >"$tmp/out.mlir" ||
    fail "my-converter $model failed"
grep -q '^module' "$tmp/out.mlir" || fail "the output has no top-level module: $(head -c 200 "$tmp/out.mlir")"
grep -q 'func.func @' "$tmp/out.mlir" || fail "the output has no func.func"
grep -q 'linalg\.' "$tmp/out.mlir" || fail "the output has no linalg op"
cli=$repo/target/debug/onnx2linalg
if [ -x "$cli" ]; then
    "$cli" "$model" | cmp -s - "$tmp/out.mlir" ||
        fail "the scratch crate's MLIR differs from $cli's for $model"
    same=", the same bytes as $cli"
else
    same=" ($cli absent: not compared with the CLI)"
fi
echo "outside-crate-test: converted $(basename "$model"): $(wc -c <"$tmp/out.mlir") bytes of MLIR with $(grep -c 'func.func @' "$tmp/out.mlir") func(s)$same ($((SECONDS - t0)) s)" >&2
echo "outside-crate-test: passed in $((SECONDS - t_all)) s" >&2
