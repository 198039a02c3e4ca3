#!/usr/bin/env python3
"""Side-by-side execution benchmark over every model fixture (fixtures/models). Not a
test: it prints two markdown tables of times and ratios, measured in one run.

    bash benches/run.sh --exec     (release build, build/bench-venv, then this script)
    python benches/exec.py [--only SUBSTRING...] [--skip-run] [--skip-iree]
                           [--repeat N] [--skip-ref] [--baseline BIN]
                           [--markdown-run FILE] [--markdown-iree FILE]

Table 1, `onnx2linalg run` against onnxruntime, on the fixture's own inputs:
  ours         wall time of `onnx2linalg run MODEL --input ... --output-dir D` (a new
               process: import, lowering, JIT compile, one execution, writing outputs);
               with an empty cache when the binary has `--cache-dir`
  ours/ref     the same with `--jit-pipeline reference`, when the binary has that flag
  ours/cached  a second run over the same `--cache-dir`, when the binary has that flag
  before, before/cached
               with --baseline BIN: another onnx2linalg binary (an older build), timed
               the same way within the same repetitions, interleaved with ours
  ort          onnxruntime in this process: InferenceSession(MODEL) + one run()
  ratio        ours / ort (and the same for the other columns); geometric means below.

Table 2, IREE 3.13 (llvm-cpu, host CPU, the flags of scripts/iree-check.py) running our
MLIR against running IREE's own import of the same ONNX file:
  ours         onnx2linalg MODEL --emit text, then iree-compile
  iree         iree-import-onnx MODEL, then iree-compile with the same flags
  both timed by iree-benchmark-module on one thread (local-sync), execution only: the
  best of ROUNDS alternating rounds (ours, iree, ours, iree, ...), each round
  REPETITIONS means over as many calls as fit in --min-time / REPETITIONS seconds;
  the fastest mean counts; ratio = ours / iree.
A fixture with symbolic input dims is pinned to its inputs' shapes first (a static copy
of the model), so both importers see the same static model.

A tool that fails on a fixture is reported in its row and left out of the means.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.environ.get("BIN", os.path.join(ROOT, "target", "release", "onnx2linalg"))
FIXTURES = os.path.join(ROOT, "fixtures", "models")
BIN_DIR = os.path.dirname(sys.executable)


def venv_tool(name):
    """The command that runs one of the venv's console scripts. They are run through this
    interpreter rather than by their `#!` line, which names the path the venv was made at
    (a venv moved or shared between checkouts keeps the old one)."""
    return [sys.executable, os.path.join(BIN_DIR, name)]
IREE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    "--iree-input-type=auto",
    "--iree-input-demote-f64-to-f32=false",
]
ROUNDS = 5
# Timed repetitions within one round (see iree_time).
REPETITIONS = 20


class Failed(Exception):
    pass


def first_error_line(text):
    """What a reader needs from a tool's stderr: the op IREE's importer left unconverted,
    else the first `error:` line or IREE status (`OUT_OF_RANGE; ...`), without file paths."""
    op = re.search(r'name = "(onnx\.\w+)"', text)
    if op and "failed to legalize" in text:
        return f"{op.group(1)} not converted"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    pick = next((line for line in lines if "error:" in line), None)
    pick = pick or next((line for line in lines if re.search(r"\b[A-Z_]{6,}; ", line)), None)
    pick = pick or (lines[-1] if lines else "(no output)")
    pick = re.sub(r"^\S+:\d+:\d+: (error: )?", "", pick)
    pick = re.sub(r"^.*ERROR OCCURRED: '?", "", pick)
    pick = re.sub(r"c/runtime/src/\S+:\d+: ", "", pick)
    return pick.split("; while")[0][:140]


def run(cmd, what, env=None):
    """Runs cmd; its wall time in seconds. Raises Failed with the error line."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise Failed(f"{what}: {first_error_line(done.stderr or done.stdout)}")
    return took, done.stdout


def fixtures(only):
    found = []
    for name in sorted(os.listdir(FIXTURES)):
        folder = os.path.join(FIXTURES, name)
        manifest = os.path.join(folder, "manifest.json")
        if not os.path.isfile(manifest):
            continue
        if only and not any(o in name for o in only):
            continue
        with open(manifest) as f:
            m = json.load(f)
        inputs = [(i["name"], os.path.join(folder, i["file"])) for i in m["inputs"]]
        found.append((name, os.path.join(FIXTURES, m["model"]), inputs))
    return found


def our_flags():
    """Which of the optional `run` flags this binary has."""
    done = subprocess.run([OURS, "run", "--help"], capture_output=True, text=True)
    text = done.stdout + done.stderr
    return {"pipeline": "--jit-pipeline" in text, "cache": "--cache-dir" in text}


# ---------------------------------------------------------------------------
# Table 1: onnx2linalg run vs onnxruntime


def time_ours_run(model, inputs, tmp, extra, binary=None):
    out = tempfile.mkdtemp(dir=tmp)
    cmd = [binary or OURS, "run", model, "--output-dir", out, *extra]
    for name, path in inputs:
        cmd += ["--input", f"{name}={path}"]
    took, _ = run(cmd, "onnx2linalg run")
    shutil.rmtree(out, ignore_errors=True)
    return took


def time_ort(model, inputs):
    t0 = time.perf_counter()
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    used = {i.name for i in session.get_inputs()}
    feeds = {n: np.load(p) for n, p in inputs if n in used}
    session.run(None, feeds)
    return time.perf_counter() - t0


def bench_run(cases, flags, tmp, repeat=1, skip_ref=False, baseline=None):
    pipe = ["--jit-pipeline", "fast"] if flags["pipeline"] else []
    if skip_ref:
        flags = dict(flags, pipeline=False)
    cols = ["ours"]
    if flags["pipeline"]:
        cols.append("ours/ref")
    if flags["cache"]:
        cols.append("ours/cached")
    if baseline:
        cols += ["before", "before/cached"]
    # onnxruntime's one-time start-up (thread pools, kernel registry) is not a model's cost.
    if cases:
        time_ort(cases[0][1], cases[0][2])
    rows = []
    for name, model, inputs in cases:
        row = {"name": name}
        try:
            row["ort"] = min(time_ort(model, inputs) for _ in range(repeat))
        except Exception as e:  # onnxruntime raises its own exception types
            row["fail"] = f"onnxruntime: {' '.join(str(e).split())[:120]}"
        try:
            for _ in range(repeat):
                if baseline:
                    # The older binary, the same way (an empty cache, then from it).
                    cache = tempfile.mkdtemp(dir=tmp)
                    for col in ["before", "before/cached"]:
                        t = time_ours_run(model, inputs, tmp, ["--cache-dir", cache], baseline)
                        row[col] = min(row.get(col, t), t)
                # Each repetition starts from an empty cache, then runs again from it.
                cache = tempfile.mkdtemp(dir=tmp)
                extra = ["--cache-dir", cache] if flags["cache"] else []
                t = time_ours_run(model, inputs, tmp, extra + pipe)
                row["ours"] = min(row.get("ours", t), t)
                if flags["cache"]:
                    t = time_ours_run(model, inputs, tmp, extra + pipe)
                    row["ours/cached"] = min(row.get("ours/cached", t), t)
            if flags["pipeline"]:
                ref_cache = tempfile.mkdtemp(dir=tmp)
                ref_extra = ["--cache-dir", ref_cache] if flags["cache"] else []
                row["ours/ref"] = time_ours_run(model, inputs, tmp, ref_extra + ["--jit-pipeline", "reference"])
        except Failed as e:
            row["fail"] = str(e)
        rows.append(row)
        print(f"exec: run {name}: " + ", ".join(f"{k} {row[k]:.2f}s" for k in ["ort", *cols] if k in row)
              + (f" ({row['fail']})" if "fail" in row else ""), file=sys.stderr, flush=True)
    return cols, rows


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def table_run(cols, rows):
    head = ["model", "onnxruntime load+run (s)"] + [f"{c} (s)" for c in cols] + [f"{c} / ort" for c in cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ratios = {c: [] for c in cols}
    for r in rows:
        cells = [r["name"], f"{r['ort']:.3f}" if "ort" in r else "-"]
        cells += [f"{r[c]:.3f}" if c in r else "-" for c in cols]
        for c in cols:
            if c in r and "ort" in r:
                ratio = r[c] / r["ort"]
                ratios[c].append(ratio)
                cells.append(f"{ratio:.1f}x")
            else:
                cells.append("-")
        if "fail" in r:
            cells[-1] += f" (failed: {r['fail']})"
        lines.append("| " + " | ".join(cells) + " |")
    means = ["**geometric mean**", ""] + [""] * len(cols)
    means += [f"**{geomean(ratios[c]):.1f}x**" for c in cols]
    lines.append("| " + " | ".join(means) + " |")
    worst = {c: max(ratios[c]) if ratios[c] else float("nan") for c in cols}
    lines.append("")
    lines.append(f"{len(rows)} fixtures; worst ratio: " + ", ".join(f"{c} {worst[c]:.1f}x" for c in cols))
    return "\n".join(lines), {c: geomean(ratios[c]) for c in cols}


# ---------------------------------------------------------------------------
# Table 2: IREE on our MLIR vs IREE on its own import


def pinned_model(model, inputs, tmp):
    """The model itself when its inputs are static, else a copy pinned to the inputs' shapes."""
    proto = onnx.load(model)
    shapes = {n: np.load(p, mmap_mode="r").shape for n, p in inputs}
    dynamic = False
    for vi in proto.graph.input:
        if vi.name not in shapes:
            continue
        dims = vi.type.tensor_type.shape.dim
        for d, n in zip(dims, shapes[vi.name]):
            if not d.HasField("dim_value"):
                dynamic = True
                d.dim_value = n
    if not dynamic:
        return model
    del proto.graph.value_info[:]
    path = os.path.join(tmp, "pinned.onnx")
    onnx.save(proto, path)
    return path


def entry_function(mlir):
    with open(mlir) as f:
        for line in f:
            m = re.search(r"func\.func @([\w.$-]+)\(", line)
            if m and "private" not in line:
                return m.group(1)
    raise Failed(f"no public func.func in {os.path.basename(mlir)}")


def iree_module(kind, model, tmp):
    """(vmfb path, entry function) of our MLIR (kind 'ours') or IREE's import ('iree')."""
    mlir = os.path.join(tmp, f"{kind}.mlir")
    vmfb = os.path.join(tmp, f"{kind}.vmfb")
    if kind == "ours":
        run([OURS, model, "--emit", "text", "-o", mlir], "ours: onnx2linalg")
    else:
        run([*venv_tool("iree-import-onnx"), model, "-o", mlir], "iree: iree-import-onnx")
    run([*venv_tool("iree-compile"), mlir, *IREE_FLAGS, "-o", vmfb], f"{kind}: iree-compile")
    return vmfb, entry_function(mlir)


def iree_time(vmfb, func, inputs, min_time):
    """Seconds per call: the fastest of REPETITIONS back-to-back means, each over as many
    calls as fit in min_time / REPETITIONS seconds, on one thread. The fastest rather than
    the mean of all calls: on a shared machine a call's time only grows when another job
    takes the core, and the small fixtures run for 10 to 100 microseconds."""
    cmd = [*venv_tool("iree-benchmark-module"), f"--module={vmfb}", f"--function={func}",
           "--device=local-sync", f"--benchmark_min_time={min_time / REPETITIONS}s",
           f"--benchmark_repetitions={REPETITIONS}", "--benchmark_format=json"]
    cmd += [f"--input=@{p}" for p in inputs]
    _, out = run(cmd, "IREE run")
    data = json.loads(out[out.index("{"):])
    runs = [b for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
    if not runs:
        raise Failed("IREE run: no timings in iree-benchmark-module's output")
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[runs[0].get("time_unit", "ns")]
    return min(b["real_time"] for b in runs) * scale


def bench_iree(cases, tmp, min_time):
    rows = []
    for name, model, inputs in cases:
        row = {"name": name}
        work = tempfile.mkdtemp(dir=tmp)
        try:
            pinned = pinned_model(model, inputs, work)
            built = {k: iree_module(k, pinned, work) for k in ("ours", "iree")}
            # The importer drops no inputs, but ours and theirs both take the graph's inputs in order.
            paths = [p for _, p in inputs]
            for _ in range(ROUNDS):
                for k in ("ours", "iree"):
                    try:
                        t = iree_time(built[k][0], built[k][1], paths, min_time)
                    except Failed as e:
                        raise Failed(f"{k}: {e}") from None
                    row[k] = min(row.get(k, t), t)
        except Failed as e:
            row["fail"] = str(e)
        shutil.rmtree(work, ignore_errors=True)
        rows.append(row)
        say = ", ".join(f"{k} {row[k] * 1e3:.3f}ms" for k in ("ours", "iree") if k in row)
        print(f"exec: iree {name}: {say}" + (f" ({row['fail']})" if "fail" in row else ""),
              file=sys.stderr, flush=True)
    return rows


def table_iree(rows):
    head = ["model", "our MLIR (ms)", "IREE's import (ms)", "ours / IREE's"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ratios = []
    for r in rows:
        if "ours" in r and "iree" in r:
            ratio = r["ours"] / r["iree"]
            ratios.append(ratio)
            cells = [r["name"], f"{r['ours'] * 1e3:.3f}", f"{r['iree'] * 1e3:.3f}", f"{ratio:.2f}x"]
        else:
            cells = [r["name"], "-", "-", f"failed: {r.get('fail', '?')}"]
        lines.append("| " + " | ".join(cells) + " |")
    mean = geomean(ratios)
    lines.append(f"| **geometric mean** | | | **{mean:.2f}x** |")
    lines.append("")
    worst = max(ratios) if ratios else float("nan")
    lines.append(f"{len(ratios)} of {len(rows)} fixtures compared; worst ratio {worst:.2f}x")
    return "\n".join(lines), mean


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=[], help="fixtures whose name contains one of these")
    ap.add_argument("--skip-run", action="store_true", help="leave out table 1 (run vs onnxruntime)")
    ap.add_argument("--skip-iree", action="store_true", help="leave out table 2 (IREE)")
    ap.add_argument("--min-time", type=float, default=0.1, help="seconds per IREE timing round")
    ap.add_argument("--repeat", type=int, default=1,
                    help="table 1: time ort, ours (each from an empty cache) and ours/cached this many "
                         "times and keep the fastest of each (on a shared machine, the least disturbed)")
    ap.add_argument("--skip-ref", action="store_true", help="table 1: leave out the ours/ref column")
    ap.add_argument("--baseline", help="table 1: also time this onnx2linalg binary (an older build) the same way")
    ap.add_argument("--markdown-run", help="also write table 1 to this file")
    ap.add_argument("--markdown-iree", help="also write table 2 to this file")
    args = ap.parse_args()
    if not os.access(OURS, os.X_OK):
        sys.exit(f"{OURS} is missing: cargo build --release --bin onnx2linalg")
    cases = fixtures(args.only)
    if not cases:
        sys.exit("no fixture matched")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    with tempfile.TemporaryDirectory(prefix="o2l-exec-") as tmp:
        if not args.skip_run:
            flags = our_flags()
            cols, rows = bench_run(cases, flags, tmp, args.repeat, args.skip_ref, args.baseline)
            text, _ = table_run(cols, rows)
            text = f"### `onnx2linalg run` vs onnxruntime ({stamp}, {machine}, onnxruntime {ort.__version__})\n\n{text}\n"
            print(text, flush=True)
            if args.markdown_run:
                with open(args.markdown_run, "w") as f:
                    f.write(text)
        if not args.skip_iree:
            rows = bench_iree(cases, tmp, args.min_time)
            text, _ = table_iree(rows)
            text = f"### IREE: our MLIR vs IREE's import ({stamp}, {machine}, llvm-cpu, one thread)\n\n{text}\n"
            print(text, flush=True)
            if args.markdown_iree:
                with open(args.markdown_iree, "w") as f:
                    f.write(text)


if __name__ == "__main__":
    main()
