#!/usr/bin/env bash
# Sets up a Debian 12 machine for onnx2linalg, builds it, and prints the MLIR of
# the bundled model (a small ResNet-style CNN) on stdout.
#
#   bash scripts/setup.sh                 (no PyTorch: fixtures are committed)
#   bash scripts/setup.sh --with-torch    (also build/venv-models: PyTorch, ~5.8 GB)
#
# Idempotent and fast when warm: each step checks first and skips what is done.
#   1. Debian packages: LLVM/MLIR 22 (only the missing ones; apt-get update only then)
#   2. .venv: Python venv with python/requirements.txt, build/venv-iree with
#      python/requirements-iree.txt (IREE), and with --with-torch build/venv-models
#      with python/requirements-models.txt (PyTorch with its CUDA wheels: only the
#      export example, tests/suite/examples.rs, and the fixture generators need it;
#      each venv is redone when its pins change)
#   3. build/onnx-node and build/onnx-node-seed2: the ONNX backend node suite with
#      numpy seeds 0 and 2 (each redone when onnx, numpy, the script or the seed change)
#   4. cargo build --workspace --all-targets --exclude o2l-python (so `bash scripts/test.sh` starts warm)
#   5. target/debug/onnx2linalg fixtures/models/resnet_small_op17.onnx   -> stdout
# Progress goes to stderr, and at the end the time set-up took and the disk its
# products take; stdout carries only the MLIR.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
START=$SECONDS
WITH_TORCH=0
for arg in "$@"; do
    case $arg in
        --with-torch) WITH_TORCH=1 ;;
        -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) printf 'setup: error: unknown argument %s (known: --with-torch)\n' "$arg" >&2; exit 2 ;;
    esac
done
BUNDLED=fixtures/models/resnet_small_op17.onnx
APT_PACKAGES=(
    llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libpolly-22-dev
    libclang-22-dev libzstd-dev zlib1g-dev libz3-dev libxml2-dev
)

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
# Everything a step prints goes to stderr, so stdout stays the MLIR alone.
quiet() { "$@" 1>&2; }

hash_of() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# --- 1. Debian packages ------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    quiet as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    quiet as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    log "Debian packages: present (LLVM/MLIR 22 in /usr/lib/llvm-22)"
fi
[ -x /usr/lib/llvm-22/bin/mlir-opt ] || die "/usr/lib/llvm-22/bin/mlir-opt is missing after the install"

command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH (the Rust toolchain in rust-toolchain.toml, 1.95.0, is expected on the machine)"

# --- 2. Python venvs -----------------------------------------------------------
# make_venv DIR REQUIREMENTS: DIR holds exactly those pins (redone when they change).
make_venv() {
    local dir=$1 req=$2 want
    want=$(hash_of "$req")
    if [ -x "$dir/bin/python" ] && [ -f "$dir/.requirements.sha256" ] \
        && [ "$(cat "$dir/.requirements.sha256")" = "$want" ]; then
        log "$dir: up to date with $req"
        return
    fi
    if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c '' >/dev/null 2>&1; then
        log "creating $dir"
        rm -rf "$dir"
        quiet python3 -m venv "$dir"
    fi
    log "installing $req into $dir"
    # No wheel cache: it would keep a second copy of torch and the CUDA wheels (GBs) on disk.
    quiet "$dir/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check --no-input -r "$req"
    echo "$want" >"$dir/.requirements.sha256"
}
make_venv .venv python/requirements.txt
# PyTorch, torchvision, transformers: examples/export_pytorch.py (run by tests/suite/examples.rs,
# which is skipped without it) and the fixture generators. About 5.8 GB (the default PyPI torch
# build with its CUDA wheels): only with --with-torch.
if [ "$WITH_TORCH" = 1 ]; then
    make_venv build/venv-models python/requirements-models.txt
elif [ -d build/venv-models ]; then
    log "build/venv-models: left as it is (kept up to date only with --with-torch)"
else
    log "build/venv-models: not made (PyTorch: bash scripts/setup.sh --with-torch)"
fi
# IREE compiler and runtime (about 0.6 GB): scripts/iree-check.py, run by tests/suite/iree.rs.
make_venv build/venv-iree python/requirements-iree.txt

# --- 3. ONNX node suites ------------------------------------------------------
# make_suite DIR SEED: DIR/node written by make_node_suite.py with that numpy seed
# (redone when onnx, numpy, the script or the seed change). The conformance test
# runs both: seed 0 (the suite's usual data) and seed 2 (another draw of the
# random inputs, so a pass that holds for one draw only shows up).
suite_tools="onnx $(.venv/bin/python -c 'import onnx; print(onnx.__version__)') numpy $(.venv/bin/python -c 'import numpy; print(numpy.__version__)') script $(hash_of scripts/make_node_suite.py)"
make_suite() {
    local dir=$1 seed=$2 want
    want="$suite_tools seed $seed"
    if [ -d "$dir/node" ] && [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
        log "$dir: present ($want)"
        return
    fi
    log "writing the ONNX node suite (seed $seed) to $dir"
    quiet .venv/bin/python scripts/make_node_suite.py "$dir" --seed "$seed"
    [ -d "$dir/node" ] || die "scripts/make_node_suite.py did not write $dir/node"
    echo "$want" >"$dir/.stamp"
}
make_suite build/onnx-node 0
make_suite build/onnx-node-seed2 2

# --- 4. Build ---------------------------------------------------------------------
# The Python module (crates/o2l-python) is built in release by scripts/package.sh only.
log "cargo build --workspace --all-targets --exclude o2l-python"
quiet cargo build --workspace --all-targets --exclude o2l-python

# --- 5. The bundled model -------------------------------------------------------
[ -f "$BUNDLED" ] || die "$BUNDLED is missing (fixtures/make_models.py writes it)"
log "converting $BUNDLED (MLIR on stdout)"
"$ROOT/target/debug/onnx2linalg" "$BUNDLED"

# --- Closing note: time and disk ---------------------------------------------------
elapsed=$((SECONDS - START))
llvm_kb=$(dpkg-query -Wf '${Installed-Size}\n' "${APT_PACKAGES[@]}" 2>/dev/null | awk '{s += $1} END {print s + 0}')
disk=$(du -shcD .venv build target 2>/dev/null | awk '$2 != "total" {printf "%s%s %s", sep, $2, $1; sep=", "} $2 == "total" {t=$1} END {printf " (total %s)", t}')
log "done in $((elapsed / 60))m $((elapsed % 60))s; disk: $disk; LLVM/MLIR Debian packages: $((llvm_kb / 1024)) MB"
