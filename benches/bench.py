#!/usr/bin/env python3
"""Side-by-side conversion benchmark: onnx2linalg, IREE's ONNX importer, and the
read+write floor, on the models of benches/make_models.py. Not a test: it prints
wall time, peak RSS and throughput per tool and model, and the ratios.

    bash benches/run.sh            (sets up build/bench-venv, the models, a release build)
    python benches/bench.py MODELS_DIR [--markdown FILE] [--only NAME...]

Per model, in one run, each measured after `sync` with the inputs in the page cache:
  floor        cat of the model's files into one output file, then fsync (the same
               guarantee as our atomic output; "no fsync" is printed too)
  ours         onnx2linalg MODEL --emit auto -o OUT (bytecode from 64 MiB of weights)
  ours/elide   onnx2linalg MODEL --weights elide -o OUT
  ours/text    onnx2linalg MODEL --emit text -o OUT (hex weights encoded in parallel), and
               the same with RAYON_NUM_THREADS=1: the parallel speed-up (models < 512 MiB)
  iree         iree-import-onnx MODEL -o A.mlir; iree-compile --compile-to=input A.mlir
  iree/ext     the same with --large-model --externalize-params (weights to an .irpa file)
Our runs are the best of 3; IREE runs once (each takes 10x to 100x longer), under a
memory cap (ulimit -v) so that a run that would exhaust the machine fails instead.
"""

import argparse
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.path.join(ROOT, "target", "release", "onnx2linalg")
MODELS = {
    "resnet50": "resnet50.onnx",
    "mlp_1g": "mlp_1g/mlp_1g.onnx",
    "llama_1b": "llama_1b/llama_1b.onnx",
}
GNU_TIME = "/usr/bin/time"
IREE_MEMORY_CAP_KB = 20 * 2**20  # 20 GiB of address space on a 24 GiB machine


def model_files(path):
    """The model file and its external data files (everything beside it)."""
    folder = os.path.dirname(path)
    if os.path.basename(folder) + ".onnx" == os.path.basename(path):
        return sorted(os.path.join(folder, f) for f in os.listdir(folder))
    return [path]


def run(cmd, cap_kb=None):
    """Wall seconds and peak RSS (KiB) of one command; None on failure.

    GNU time forks the command and reports its peak RSS: a process forked from this
    Python interpreter would start with the interpreter's peak (Linux carries the
    pre-exec peak into ru_maxrss), which put a ~28 MiB floor under every row."""
    subprocess.run(["sync"], check=True)
    preexec = None
    if cap_kb:
        def preexec():
            resource.setrlimit(resource.RLIMIT_AS, (cap_kb * 1024, cap_kb * 1024))
    argv = cmd if isinstance(cmd, list) else ["sh", "-c", cmd]
    start = time.perf_counter()
    proc = subprocess.Popen([GNU_TIME, "-f", "maxrss_kib=%M", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=preexec)
    _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    lines = proc.stderr.read().decode(errors="replace").strip().splitlines()
    proc.stderr.close()
    rss = [int(l.split("=", 1)[1]) for l in lines if l.startswith("maxrss_kib=")]
    err = [l for l in lines if not l.startswith("maxrss_kib=") and not l.startswith("Command ")]
    if status != 0 or not rss:
        return None, (err[-1] if err else f"exit status {status}")
    return (wall, rss[-1]), None


def best_of(n, cmd):
    results = [run(cmd) for _ in range(n)]
    ok = [r for r, _ in results if r]
    if not ok:
        return None, results[0][1]
    return (min(w for w, _ in ok), max(m for _, m in ok)), None


def chain(*steps, cap_kb=None):
    """Runs steps in turn: total wall time, peak RSS over all of them."""
    total, peak = 0.0, 0
    for cmd in steps:
        r, err = run(cmd, cap_kb)
        if r is None:
            return None, err
        total += r[0]
        peak = max(peak, r[1])
    return (total, peak), None


def warm(files):
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def measure(name, path, tmp):
    files = model_files(path)
    size = sum(os.path.getsize(f) for f in files)
    quoted = " ".join(f"'{f}'" for f in files)
    out = os.path.join(tmp, "out")
    rows = {}
    warm(files)
    rows["floor (no fsync)"] = best_of(3, f"cat {quoted} > '{out}'")
    rows["floor"] = best_of(3, f"cat {quoted} | dd of='{out}' bs=4M conv=fsync status=none")
    rows["ours"] = best_of(3, [OURS, path, "--emit", "auto", "-o", out])
    rows["ours/elide"] = best_of(3, [OURS, path, "--weights", "elide", "-o", out])
    if size < 512 * 2**20:
        text = [OURS, path, "--emit", "text", "-o", out]
        rows["ours/text"] = best_of(3, text)
        rows["ours/text 1 thread"] = best_of(3, "RAYON_NUM_THREADS=1 " + shlex.join(text))
    venv = os.path.dirname(sys.executable)
    imp, comp = os.path.join(venv, "iree-import-onnx"), os.path.join(venv, "iree-compile")
    a, b = os.path.join(tmp, "a.mlir"), os.path.join(tmp, "b.mlir")
    rows["iree"] = chain([imp, path, "-o", a], [comp, "--compile-to=input", a, "-o", b],
                         cap_kb=IREE_MEMORY_CAP_KB)
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    rows["iree/ext"] = chain([imp, path, "--large-model", "--externalize-params", "-o", a],
                             [comp, "--compile-to=input", a, "-o", b], cap_kb=IREE_MEMORY_CAP_KB)
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    return size, rows


def fmt_row(name, size, tool, result, ours, text=None):
    r, err = result
    if r is None:
        return f"| {name} | {tool} | failed: {err[:80]} | | | |"
    wall, rss_kb = r
    rss = rss_kb * 1024
    ratio = ""
    if ours and tool.startswith("iree"):
        ratio = f"ours {wall / ours[0]:.1f}x faster"
    elif ours and tool.startswith("floor"):
        ratio = f"ours takes {ours[0] / wall:.2f}x"
    elif text and tool == "ours/text 1 thread":
        ratio = f"2 threads {wall / text[0]:.2f}x faster"
    return (f"| {name} | {tool} | {wall:.2f} s | {rss / 2**20:.0f} MiB ({rss / size:.2f}x size) "
            f"| {size / 2**20 / wall:.0f} MB/s | {ratio} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models_dir")
    p.add_argument("--markdown", help="also write the table to this file")
    p.add_argument("--only", nargs="*", default=list(MODELS))
    args = p.parse_args()
    if not os.access(OURS, os.X_OK):
        sys.exit(f"{OURS} is missing: cargo build --release")
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"{GNU_TIME} is missing: apt-get install time")
    lines = ["| model | tool | wall | peak RSS | throughput | ratio |", "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "build")) as tmp:
        for name in args.only:
            path = os.path.join(args.models_dir, MODELS[name])
            size, rows = measure(name, path, tmp)
            ours = rows["ours"][0]
            text = rows.get("ours/text", (None, None))[0]
            for tool, result in rows.items():
                line = fmt_row(f"{name} ({size / 2**20:.0f} MiB)", size, tool, result, ours, text)
                lines.append(line)
                print(line, flush=True)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
