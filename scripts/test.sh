#!/usr/bin/env bash
# Runs every test of onnx2linalg; stops at the first failing step.
#
#   bash scripts/test.sh            (after `bash scripts/setup.sh`)
#
# Steps:
#   1. cargo test --workspace   unit tests of every crate, the CLI tests, the
#                               docs freshness test (docs/ops.md from the op tables),
#                               the model fixtures (tests/suite/models.rs) and the ONNX
#                               node-suite conformance run (tests/conformance.rs,
#                               needs build/onnx-node from setup.sh), and IREE runs of
#                               the model fixtures, a node-suite sample and every
#                               TOSA and StableHLO test program (tests/suite/iree.rs,
#                               needs build/venv-iree from setup.sh; about 2 + 1 + 2
#                               minutes)
#   2. lit tests/ir             FileCheck tests of the emitted MLIR, per op family
#   3. outside-crate test       every crate packs with `cargo package`, and a fresh
#                               crate under /tmp made from docs/library.md's steps
#                               depends on onnx2linalg by path, builds (sharing
#                               target/) and converts a fixture
#                               (scripts/outside-crate-test.sh)
#   4. Slurm job array          optional: a one-node Slurm cluster runs
#                               fixtures/models through scripts/slurm-batch.sh and
#                               the merged report and outputs must equal a local
#                               batch (tests/slurm/run.sh; prints SKIPPED and
#                               passes when it cannot start the cluster)
#   5. Kubernetes Job manifest  optional: docs/batch.md's Indexed Job against the
#                               Kubernetes schemas (tests/k8s/validate.sh; SKIPPED
#                               when its validator cannot be installed)
#   6. clippy -D warnings       the library may not unwrap, expect or panic
#                               (CLIPPY=0 skips it)
#   7. fuzz smoke self-test     the smoke must fail on a target that crashes on
#                               purpose (scripts/fuzz-selftest.sh)
#   8. fuzz smoke               every fuzz target for FUZZ_SECONDS (default 60)
#                               on the seeded corpus; a crash, timeout or
#                               out-of-memory fails it (FUZZ_SECONDS=0 skips
#                               both fuzz steps)
#   6. install tests            scripts/install-test.sh: builds the release
#                               packages (scripts/package.sh), installs the
#                               tarball and the wheel without LLVM in the
#                               environment, converts and runs a fixture through
#                               the CLI and the Python module, checks ldd
#                               (INSTALL_TEST=0 skips it)
#
# The PyTorch export example (tests/suite/examples.rs) runs only when
# build/venv-models exists (bash scripts/setup.sh --with-torch); otherwise it
# says SKIPPED. The Python module crate (crates/o2l-python) is built by step 6,
# in release, and left out of step 1.
#
# Every JIT compilation of the run checks that the compiled code takes only
# libc and libm symbols from the host (O2L_JIT_CHECK_HOST_SYMBOLS), and step 1
# begins by listing those symbols for the JIT's own test programs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
SUITE=${ONNX_NODE_SUITE:-build/onnx-node/node}

step=0
passed=()
start_all=$(date +%s)

fail() {
    printf '\ntest.sh: FAILED at step %s: %s\n' "$step" "$*" >&2
    exit 1
}

run_step() {
    local name=$1
    shift
    step=$((step + 1))
    printf '\n==== test.sh step %s: %s\n' "$step" "$name" >&2
    local t0=$SECONDS
    "$@" || fail "$name (exit $?; its output is above)"
    printf '==== test.sh step %s: %s passed in %ss\n' "$step" "$name" "$((SECONDS - t0))" >&2
    passed+=("$name")
}

# Preconditions, stated clearly rather than discovered as odd failures later.
command -v cargo >/dev/null 2>&1 || fail "cargo is not on PATH"
[ -x "$LIT" ] || fail "$LIT is missing: run bash scripts/setup.sh (it installs llvm-22-tools)"
[ -d "$SUITE" ] || fail "the ONNX node suite is missing at $SUITE: run bash scripts/setup.sh"
[ -d fixtures/models ] || fail "fixtures/models is missing (fixtures/make_models.py writes it)"
[ -x "${O2L_IREE_VENV:-build/venv-iree}/bin/python" ] || fail "${O2L_IREE_VENV:-build/venv-iree} is missing: run bash scripts/setup.sh (tests/suite/iree.rs needs it)"

# A helper that only a newer compiler runtime has would pass here and fail on
# a stock machine: every compile checks (crates/o2l-jit, host_symbols).
export O2L_JIT_CHECK_HOST_SYMBOLS=1
run_step "JIT host symbols (libc and libm only)" \
    cargo test -p o2l-jit --lib compiled_code_needs_only_libc_and_libm_from_the_host -- --nocapture
run_step "cargo test --workspace" cargo test --workspace --exclude o2l-python
# lit runs the binary that step 1 built (target/debug/onnx2linalg).
run_step "lit tests/ir" "$LIT" -sv tests/ir
run_step "outside-crate test" bash scripts/outside-crate-test.sh
run_step "Slurm job array (optional)" bash tests/slurm/run.sh
run_step "Kubernetes Job manifest (optional)" bash tests/k8s/validate.sh
if [ "${CLIPPY:-1}" = "1" ]; then
    run_step "cargo clippy -D warnings" cargo clippy --workspace --all-targets -- -D warnings
fi

if [ "${FUZZ_SECONDS:-60}" != "0" ]; then
    run_step "fuzz smoke self-test" bash scripts/fuzz-selftest.sh
    run_step "fuzz smoke" bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi

if [ "${INSTALL_TEST:-1}" = "1" ]; then
    run_step "install tests" bash scripts/install-test.sh
fi

printf '\ntest.sh: every step passed (%s) in %ss\n' "$(IFS=,; echo "${passed[*]}" | sed 's/,/, /g')" "$(($(date +%s) - start_all))" >&2
