#!/usr/bin/env python3
"""Compiles our MLIR for a model with IREE and compares IREE's outputs with the JIT's.

Needs a Python with iree-base-compiler and iree-base-runtime 3.13.0 and numpy,
kept outside the repository:
    python3 -m venv /tmp/iree-venv
    /tmp/iree-venv/bin/pip install iree-base-compiler==3.13.0 iree-base-runtime==3.13.0 numpy
Usage (inputs in the graph's order):
    /tmp/iree-venv/bin/python scripts/iree-check.py MODEL.onnx NAME=in.npy ... [--atol 1e-4] [--rtol 1e-4]
Converts MODEL with target/debug/onnx2linalg (BIN overrides), compiles it for the
local CPU with the flags of TOOLCHAIN.md, runs it with iree.runtime, runs
`onnx2linalg run` on the same inputs, and fails unless every output agrees.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from iree import runtime as ireert

IREE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    "--iree-input-type=auto",
    "--iree-input-demote-f64-to-f32=false",
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("inputs", nargs="*", help="NAME=file.npy, in the graph's input order")
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()
    binary = os.environ.get("BIN", os.path.join(here, "..", "target", "debug", "onnx2linalg"))
    compiler = os.path.join(os.path.dirname(sys.executable), "iree-compile")
    named = [a.split("=", 1) for a in args.inputs]
    with tempfile.TemporaryDirectory() as tmp:
        mlir = os.path.join(tmp, "model.mlir")
        vmfb = os.path.join(tmp, "model.vmfb")
        subprocess.run([binary, args.model, "-o", mlir], check=True)
        subprocess.run([compiler, mlir, *IREE_FLAGS, "-o", vmfb], check=True)
        text = open(mlir).read()
        func = re.search(r"func\.func @([\w.$-]+)", text).group(1)
        module = ireert.load_vm_flatbuffer_file(vmfb, driver="local-sync")
        got = getattr(module, func)(*[np.load(f) for _, f in named])
        got = list(got) if isinstance(got, (tuple, list)) else [got]
        out_dir = os.path.join(tmp, "jit")
        run = [binary, "run", args.model, "--output-dir", out_dir]
        for name, f in named:
            run += ["--input", f"{name}={f}"]
        listing = subprocess.run(run, check=True, capture_output=True, text=True).stdout
        names = [line.split()[0] for line in listing.splitlines() if "->" in line]
        if len(names) != len(got):
            sys.exit(f"IREE returned {len(got)} outputs, the JIT {len(names)}")
        ok = True
        for name, g in zip(names, got):
            want = np.load(os.path.join(out_dir, f"{name}.npy"))
            g = np.asarray(g.to_host() if hasattr(g, "to_host") else g)
            same = g.shape == want.shape and np.allclose(g, want, atol=args.atol, rtol=args.rtol)
            diff = float(np.max(np.abs(g.astype(np.float64) - want))) if g.shape == want.shape and g.size else 0.0
            print(f"{name}: {g.dtype} {list(g.shape)} max |iree - jit| {diff:.3g} {'ok' if same else 'DIFFERS'}")
            ok &= same
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
