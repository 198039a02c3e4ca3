#!/usr/bin/env bash
# Install tests: the packages of scripts/package.sh, installed as a user would,
# with LLVM's library folder out of the environment.
#
#   bash scripts/install-test.sh          (builds the packages first)
#   PACKAGE=0 bash scripts/install-test.sh   (tests the packages already in dist/)
#
#   1. bash scripts/package.sh (release build: the tarball and the wheel)
#   2. the tarball unpacked into a temporary prefix; the wheel and numpy (the pin of
#      python/requirements.txt) installed into a fresh venv
#   3. with a clean environment (PATH without /usr/lib/llvm-22/bin, no
#      LD_LIBRARY_PATH): `onnx2linalg --version`; both installed commands convert
#      fixtures/models/resnet_small_op17.onnx to the same MLIR; the Python module
#      (scripts/install-test.py) converts it from a path, bytes and a
#      SerializeToString() object to that same MLIR, runs it and compares with the
#      fixture's expected output, and raises onnx2linalg.Error with the command's
#      message for a bad model
#   4. ldd: the installed binary and the module need only libc, libm, libstdc++,
#      libgcc_s, libz and libzstd, nothing from /usr/lib/llvm-22
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
FIXTURE=fixtures/models/resnet_small_op17
BAD=tests/bad_models/corpus/add_mismatch.onnx
log() { printf 'install-test: %s\n' "$*" >&2; }
die() { printf 'install-test: FAILED: %s\n' "$*" >&2; exit 1; }
start=$SECONDS

if [ "${PACKAGE:-1}" = 1 ]; then
    bash scripts/package.sh
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
tarball=dist/onnx2linalg-$version-x86_64-linux.tar.gz
wheel=$(ls dist/onnx2linalg-"$version"-*.whl 2>/dev/null | head -1 || true)
[ -f "$tarball" ] || die "$tarball is missing (bash scripts/package.sh)"
[ -n "$wheel" ] || die "no wheel for $version in dist/ (bash scripts/package.sh)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/onnx2linalg-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- 2. install -------------------------------------------------------------------
prefix=$tmp/prefix
mkdir -p "$prefix"
tar -C "$prefix" --strip-components=1 -xzf "$tarball"
[ -x "$prefix/bin/onnx2linalg" ] || die "the tarball has no bin/onnx2linalg"
for f in LICENSE README.md docs/cli.md docs/library.md; do
    [ -f "$prefix/$f" ] || die "the tarball has no $f"
done
numpy_pin=$(grep -E '^numpy==' python/requirements.txt)
log "fresh venv: $(basename "$wheel") and $numpy_pin"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --no-input "$ROOT/$wheel" "$numpy_pin" >&2
[ -x "$tmp/venv/bin/onnx2linalg" ] || die "the wheel installed no onnx2linalg command"

# --- 3. use, with nothing of LLVM in the environment ----------------------------------
# A clean environment: no LD_LIBRARY_PATH, a PATH of the venv and the system only.
clean() { env -i HOME="$tmp" PATH="$tmp/venv/bin:/usr/bin:/bin" LANG=C.UTF-8 "$@"; }
clean sh -c 'case ":$PATH:${LD_LIBRARY_PATH:-}:" in *llvm*) exit 1 ;; esac' \
    || die "the clean environment names an LLVM folder"
(cd "$tmp" && clean "$prefix/bin/onnx2linalg" --version) | tee "$tmp/version" >&2
grep -Eq "^onnx2linalg $version \(MLIR/LLVM 22\.[0-9]+\.[0-9]+" "$tmp/version" \
    || die "--version printed: $(cat "$tmp/version")"
(cd "$tmp" && clean onnx2linalg --version) | cmp -s - "$tmp/version" \
    || die "the wheel's command prints another --version"

clean "$prefix/bin/onnx2linalg" "$ROOT/$FIXTURE.onnx" >"$tmp/tar.mlir"
clean onnx2linalg "$ROOT/$FIXTURE.onnx" -o "$tmp/wheel.mlir"
grep -q 'linalg\.' "$tmp/tar.mlir" || die "the tarball's command printed no linalg op"
cmp -s "$tmp/tar.mlir" "$tmp/wheel.mlir" || die "the tarball's and the wheel's commands disagree"
log "CLI: both installed commands convert $FIXTURE.onnx ($(wc -c <"$tmp/tar.mlir") bytes of MLIR)"
if clean onnx2linalg "$ROOT/$BAD" 2>"$tmp/bad.err" >/dev/null; then
    die "$BAD converted"
fi
tail -1 "$tmp/bad.err" >"$tmp/bad.line"

# The Python API: from a directory that is not the source tree.
(cd "$tmp" && clean python -c "import onnx2linalg; print(onnx2linalg.convert('$ROOT/$FIXTURE.onnx')[:0] + 'python -c: import onnx2linalg; convert: ok')") >&2
(cd "$tmp" && clean python "$ROOT/scripts/install-test.py" "$ROOT/$FIXTURE" "$tmp/tar.mlir" "$ROOT/$BAD" "$tmp/bad.line") >&2 \
    || die "scripts/install-test.py (its output is above)"

# --- 4. ldd -----------------------------------------------------------------------------
# (The wheel's command is a Python entry point into the module.)
bash scripts/ldd-check.sh "$prefix/bin/onnx2linalg" \
    "$tmp"/venv/lib/python3*/site-packages/onnx2linalg/_native*.so
log "every check passed in $((SECONDS - start))s"
