#!/usr/bin/env python3
"""Compiles our MLIR for a model with IREE, runs it, and checks IREE's outputs.

Needs a Python with python/requirements-iree.txt (scripts/setup.sh makes build/venv-iree):
    build/venv-iree/bin/python scripts/iree-check.py ...

Three ways to call it:
    iree-check.py MODEL NAME=in.npy ... [--expected OUT=want.npy ...] [--no-jit]
        inputs in the graph's order; compares with `onnx2linalg run` on the same inputs
        (unless --no-jit) and with each --expected file.
    iree-check.py --fixture fixtures/models/NAME [--jit]
        inputs and expected outputs (onnxruntime's) from the fixture's manifest.json;
        the tolerance is the manifest's unless --atol/--rtol say otherwise.
    iree-check.py --fixture fixtures/models/NAME --dynamic [--jit]
        converts ONCE without pinning the symbolic dims, compiles that module once and
        runs it at the fixture's inputs and at every shapes/BxS/ set beside them.
    iree-check.py --case-list FILE
        many models in one process: each line `LABEL<TAB>MODEL<TAB>in.npy;..<TAB>want.npy;..`
        (inputs and expected outputs in the graph's order), no JIT comparison; the
        ONNX node suite's tolerance (atol 1e-7 + rtol 1e-3) unless --atol/--rtol say otherwise;
        --jobs N works on N cases at a time (lines come in the order cases finish).

Converts with target/debug/onnx2linalg (BIN overrides) and compiles for the local CPU
with the flags of docs/iree.md. Prints one line per case, `iree-check: CASE pass ...` or
`iree-check: CASE fail: REASON` (model, output, max abs diff), and exits 1 if any failed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from iree import runtime as ireert

IREE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    "--iree-input-type=auto",
    # Without it IREE silently computes f64 in f32.
    "--iree-input-demote-f64-to-f32=false",
]


_PRINT_LOCK = threading.Lock()


def say(line):
    """Prints one whole line (cases may run in parallel threads)."""
    with _PRINT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Case:
    """One call of the compiled function: named inputs and the outputs to expect."""

    def __init__(self, label, inputs, expected):
        self.label = label
        self.inputs = inputs  # [(name, path)] in the graph's order
        self.expected = expected  # [(name, path)] in the graph's order, or [] (JIT only)


def first_error_line(text):
    """The line a reader needs from a tool's stderr: the first `error:` line, else the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "error:" in line:
            return line
    return lines[-1] if lines else "(no output)"


def fixture_cases(fixture, dynamic):
    """The fixture's own inputs, and with `dynamic` every shapes/BxS/ set too."""
    with open(os.path.join(fixture, "manifest.json")) as f:
        manifest = json.load(f)
    name = os.path.basename(os.path.normpath(fixture))
    inputs = [m["name"] for m in manifest["inputs"]]
    outputs = [m["name"] for m in manifest["outputs"]]

    def case(label, folder):
        return Case(
            label,
            [(i, os.path.join(folder, f"input_{i}.npy")) for i in inputs],
            [(o, os.path.join(folder, f"expected_{o}.npy")) for o in outputs],
        )

    if not dynamic:
        return manifest, [case(name, fixture)]
    own_shape = "x".join(str(d) for d in manifest["inputs"][0]["shape"])
    cases = [case(f"{name} {own_shape}", fixture)]
    shapes = os.path.join(fixture, "shapes")
    if not os.path.isdir(shapes):
        sys.exit(f"iree-check: {name}: --dynamic needs {shapes}")
    for shape in sorted(os.listdir(shapes)):
        if os.path.isdir(os.path.join(shapes, shape)):
            cases.append(case(f"{name} {shape}", os.path.join(shapes, shape)))
    return manifest, cases


def jit_outputs(binary, model, case, dynamic, tmp):
    """`onnx2linalg run` on the case's inputs: [(output name, array)]."""
    out_dir = os.path.join(tmp, "jit-" + re.sub(r"\W", "_", case.label))
    run = [binary, "run", model, "--output-dir", out_dir]
    if dynamic:
        run.append("--dynamic")
    for name, path in case.inputs:
        run += ["--input", f"{name}={path}"]
    done = subprocess.run(run, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"onnx2linalg run: {first_error_line(done.stderr)}")
    names = [line.split()[0] for line in done.stdout.splitlines() if "->" in line]
    return [(n, np.load(os.path.join(out_dir, f"{n}.npy"))) for n in names]


def compare(source, got, want, atol, rtol):
    """None if IREE's outputs match `want` elementwise (NaN matches NaN), else why not."""
    if len(got) != len(want):
        return f"IREE returned {len(got)} outputs, {source} has {len(want)}"
    for g, (name, w) in zip(got, want):
        # IREE's runtime knows integers by width only (ui32 comes back as int32),
        # and .npy files hold bf16 values as f32.
        if g.dtype != w.dtype and g.dtype.kind in "iu" and w.dtype.kind in "iu" and g.dtype.itemsize == w.dtype.itemsize:
            g = g.view(w.dtype)
        elif g.dtype.name == "bfloat16" and w.dtype == np.float32:
            g = g.astype(np.float32)
        if g.dtype != w.dtype or g.shape != w.shape:
            return f"output {name}: IREE gave {g.dtype}{list(g.shape)}, {source} {w.dtype}{list(w.shape)}"
        if g.size == 0:
            continue
        g64, w64 = g.astype(np.float64), w.astype(np.float64)
        diff = np.abs(g64 - w64)
        diff = np.where(np.isnan(g64) & np.isnan(w64), 0.0, np.nan_to_num(diff, nan=np.inf))
        max_diff = float(diff.max())
        misses = int(np.count_nonzero(diff > atol + rtol * np.abs(w64)))
        if misses:
            return (
                f"output {name}: max |iree - {source}| {max_diff:.3g} "
                f"({misses} of {g.size} values beyond {atol:g} + {rtol:g}*|{source}|)"
            )
    return None


def run_checks(args, binary, model, cases, dynamic, atol, rtol, with_jit, tmp):
    """Converts and compiles once, then runs every case; the number of failed cases."""
    name = os.path.splitext(os.path.basename(model))[0]
    mlir = os.path.join(tmp, "model.mlir")
    vmfb = os.path.join(tmp, "model.vmfb")

    def fail_all(reason):
        for case in cases:
            say(f"iree-check: {case.label} fail: {reason}")
        return len(cases)

    # Unpinned in --dynamic mode: the one module is called at every shape below.
    t0 = time.monotonic()
    done = subprocess.run([binary, model, "--emit", "text", "-o", mlir], capture_output=True, text=True)
    if done.returncode != 0:
        return fail_all(f"onnx2linalg: {first_error_line(done.stderr)}")
    t1 = time.monotonic()
    done = subprocess.run([args.compiler, mlir, *IREE_FLAGS, "-o", vmfb], capture_output=True, text=True)
    if done.returncode != 0:
        # Without its `FILE:LINE:COL: ` prefix the reason stays the same across runs and
        # across unrelated changes to the emitted IR.
        line = re.sub(r"^\S*model\.mlir:\d+:\d+: ", "", first_error_line(done.stderr))
        # A crash's last line is a stack frame, different on every run.
        if "Stack dump" in done.stderr or "report issues" in done.stderr:
            line = "crashed (an IREE bug; its stack dump is on stderr)"
        return fail_all(f"iree-compile: {line}")
    t2 = time.monotonic()
    with open(mlir) as f:
        header = re.search(r"func\.func @([\w.$-]+)\(([^)]*)\)", f.read())
    func = header.group(1)
    if dynamic and "?" not in header.group(2):
        return fail_all(f"the unpinned module takes static inputs only: ({header.group(2)})")
    module = ireert.load_vm_flatbuffer_file(vmfb, driver="local-sync")
    # One case (a case list's line): its label says which program this is.
    what = cases[0].label if len(cases) == 1 else name
    say(f"iree-check: {what}: convert {t1 - t0:.1f}s, iree-compile {t2 - t1:.1f}s")

    failed = 0
    for case in cases:
        t3 = time.monotonic()
        reason = None
        inputs = [np.load(p) for _, p in case.inputs]
        try:
            got = getattr(module, func)(*inputs)
            got = list(got) if isinstance(got, (tuple, list)) else [got]
            got = [np.asarray(g.to_host() if hasattr(g, "to_host") else g) for g in got]
        except Exception as e:  # IREE raises RuntimeError (and others) for a failed call
            # The status is the first clause; the rest is IREE's call stack.
            reason = f"IREE run: {' '.join(str(e).split()).split('; while')[0]}"
        if reason is None and case.expected:
            want = [(n, np.load(p)) for n, p in case.expected]
            reason = compare("expected", got, want, atol, rtol)
        if reason is None and with_jit:
            try:
                want = jit_outputs(binary, model, case, dynamic, tmp)
                reason = compare("jit", got, want, atol, rtol)
            except RuntimeError as e:
                reason = str(e)
        took = time.monotonic() - t3
        if reason is None:
            say(f"iree-check: {case.label} pass (run {took:.1f}s)")
        else:
            say(f"iree-check: {case.label} fail: {reason}")
            failed += 1
    return failed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", help="the .onnx model (not with --fixture)")
    ap.add_argument("inputs", nargs="*", help="NAME=file.npy, in the graph's input order")
    ap.add_argument("--fixture", help="a fixtures/models/NAME folder: its model, inputs and expected outputs")
    ap.add_argument("--dynamic", action="store_true", help="convert unpinned once; run at every shapes/BxS set")
    ap.add_argument("--expected", action="append", default=[], metavar="OUT=want.npy",
                    help="compare output OUT with this file (repeatable, in the graph's output order)")
    ap.add_argument("--case-list", help="a file of `LABEL<TAB>MODEL<TAB>inputs;..<TAB>expected;..` lines")
    ap.add_argument("--jit", action="store_true", help="with --fixture: compare with `onnx2linalg run` too")
    ap.add_argument("--no-jit", action="store_true", help="with MODEL: skip the `onnx2linalg run` comparison")
    ap.add_argument("--jobs", type=int, default=1,
                    help="with --case-list: cases converted, compiled and run this many at a time")
    ap.add_argument("--atol", type=float, help="default: the manifest's, else 1e-4")
    ap.add_argument("--rtol", type=float, help="default: the manifest's, else 1e-4")
    args = ap.parse_args()
    binary = os.environ.get("BIN", os.path.join(here, "..", "target", "debug", "onnx2linalg"))
    args.compiler = os.path.join(os.path.dirname(sys.executable), "iree-compile")

    tolerance = {"atol": 1e-4, "rtol": 1e-4}
    if args.case_list:
        atol = args.atol if args.atol is not None else 1e-7
        rtol = args.rtol if args.rtol is not None else 1e-3
        with open(args.case_list) as f:
            lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]

        def check_line(line):
            label, model, ins, outs = line
            split = lambda paths: [(f"#{k}", p) for k, p in enumerate(paths.split(";")) if p]
            case = Case(label, split(ins), split(outs))
            with tempfile.TemporaryDirectory(prefix="iree-check-") as tmp:
                try:
                    return run_checks(args, binary, model, [case], False, atol, rtol, False, tmp)
                except Exception as e:  # one case's surprise must not hide the others' results
                    say(f"iree-check: {label} fail: iree-check.py: {type(e).__name__}: {e}")
                    return 1

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            failed = sum(pool.map(check_line, lines))
        sys.exit(1 if failed else 0)
    if args.fixture:
        if args.model:
            ap.error("give either --fixture or MODEL, not both")
        manifest, cases = fixture_cases(args.fixture, args.dynamic)
        model = os.path.join(os.path.dirname(os.path.normpath(args.fixture)), manifest["model"])
        tolerance.update(manifest.get("tolerance", {}))
        with_jit = args.jit
    else:
        if not args.model:
            ap.error("give MODEL or --fixture")
        if args.dynamic:
            ap.error("--dynamic needs --fixture (the shape sets)")
        model = args.model
        label = os.path.splitext(os.path.basename(model))[0]
        cases = [Case(label, [a.split("=", 1) for a in args.inputs], [e.split("=", 1) for e in args.expected])]
        with_jit = not args.no_jit
    atol = args.atol if args.atol is not None else tolerance["atol"]
    rtol = args.rtol if args.rtol is not None else tolerance["rtol"]

    with tempfile.TemporaryDirectory(prefix="iree-check-") as tmp:
        failed = run_checks(args, binary, model, cases, args.dynamic, atol, rtol, with_jit, tmp)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
