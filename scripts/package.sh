#!/usr/bin/env bash
# Builds the release packages of onnx2linalg into dist/:
#
#   dist/onnx2linalg-<version>-x86_64-linux.tar.gz   the stripped `onnx2linalg`
#       binary (bin/), LICENSE, README.md and docs/; unpack anywhere
#   dist/onnx2linalg-<version>-cp311-abi3-linux_x86_64.whl   the Python module
#       (import onnx2linalg: convert, run) and the `onnx2linalg` command (the
#       same command line, compiled into the module: one copy of MLIR in the wheel)
#
#   bash scripts/package.sh            (after bash scripts/setup.sh, or on any
#                                       machine with its Debian packages and cargo)
#
# Both link MLIR/LLVM statically: they need only libc, libm, libstdc++, libgcc_s,
# libz and libzstd (checked with scripts/ldd-check.sh). The wheel is built by
# maturin (pinned in python/requirements-package.txt, installed into
# build/venv-package) with the plain `linux` platform tag: the libraries link
# libz and libzstd, which the manylinux policies do not list.
# Release builds share target/release with `cargo build --release`; a warm
# second run only re-packs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_INCREMENTAL=0
log() { printf 'package: %s\n' "$*" >&2; }
die() { printf 'package: error: %s\n' "$*" >&2; exit 1; }
start=$(date +%s)

version=$(cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "onnx2linalg"))')
[ -n "$version" ] || die "no version for the onnx2linalg package in Cargo.toml"
name="onnx2linalg-$version-x86_64-linux"
stage=target/package
mkdir -p dist "$stage"

# --- 1. the release binary ----------------------------------------------------
log "cargo build --release --bin onnx2linalg"
t0=$SECONDS
cargo build --release --bin onnx2linalg >&2
log "release binary built in $((SECONDS - t0))s"
rm -rf "${stage:?}/$name"
mkdir -p "$stage/$name/bin"
strip --strip-all -o "$stage/$name/bin/onnx2linalg" target/release/onnx2linalg
bash scripts/ldd-check.sh "$stage/$name/bin/onnx2linalg"
"$stage/$name/bin/onnx2linalg" --version >&2

# --- 2. the tarball -------------------------------------------------------------
cp LICENSE README.md "$stage/$name/"
cp -r docs "$stage/$name/docs"
tarball="dist/$name.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
log "wrote $tarball ($(du -h "$tarball" | cut -f1))"

# --- 3. the wheel -------------------------------------------------------------------
venv=build/venv-package
req=python/requirements-package.txt
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/maturin" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    log "installing $req into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$req" >&2
    echo "$want" >"$venv/.requirements.sha256"
fi
rm -f dist/onnx2linalg-"$version"-*.whl
log "maturin build --release (the PyO3 module crates/o2l-python)"
t0=$SECONDS
"$venv/bin/maturin" build --release --strip --compatibility linux --interpreter python3 -o dist >&2
log "wheel built in $((SECONDS - t0))s"
wheel=$(ls dist/onnx2linalg-"$version"-*.whl)
[ -f "$wheel" ] || die "maturin wrote no wheel for $version in dist/"
# The module links MLIR too: the same check on the library inside the wheel.
unpacked="$stage/wheel-unpacked"
rm -rf "$unpacked"
python3 -m zipfile -e "$wheel" "$unpacked"
bash scripts/ldd-check.sh "$unpacked"/onnx2linalg/_native*.so
rm -rf "$unpacked"
log "wrote $wheel ($(du -h "$wheel" | cut -f1))"
log "done in $(($(date +%s) - start))s"
