"""Runs `onnx2linalg check` over the old exporters' suites that the onnx package
ships (pytorch-converted, pytorch-operator, simple: opsets 1 to 9) and prints one
line per test, `suite/test: pass` or `suite/test: fail: <reason>`, then a total.

Usage: python tools/old_suites.py [--bin target/debug/onnx2linalg] [--data DIR]
       [--jobs N] [--timeout SECONDS]
DIR defaults to the onnx package's backend/test/data in .venv.
Exit status: 0 when every test ran (pass or fail), 2 when the suites are missing.
"""
import argparse
import concurrent.futures
import pathlib
import subprocess
import sys

SUITES = ("pytorch-converted", "pytorch-operator", "simple")
ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / ".venv/lib/python3.11/site-packages/onnx/backend/test/data"
MAX_REASON = 200


def outcome(binary: str, folder: pathlib.Path, timeout: float) -> str:
    try:
        run = subprocess.run([binary, "check", str(folder)], capture_output=True,
                             text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "fail: timeout"
    results = [l[len("result: "):] for l in run.stdout.splitlines() if l.startswith("result: ")]
    if results and results[-1] == "pass" and run.returncode == 0:
        return "pass"
    text = run.stderr.strip() or run.stdout.strip() or f"exit status {run.returncode}"
    for line in text.splitlines():
        if ": mismatch: " in line:
            text = line.split(": mismatch: ", 1)[1]
            break
    else:
        text = text.splitlines()[0]
    text = text.replace(str(folder) + "/", "").replace(str(folder), "")
    if len(text) > MAX_REASON:
        text = text[:MAX_REASON] + "..."
    return "fail: " + text


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=str(ROOT / "target/debug/onnx2linalg"))
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120)
    a = p.parse_args()
    data = pathlib.Path(a.data)
    tests = []
    for suite in SUITES:
        if not (data / suite).is_dir():
            print(f"{data / suite}: not found", file=sys.stderr)
            return 2
        tests += [(f"{suite}/{t.name}", t) for t in sorted((data / suite).iterdir()) if t.is_dir()]
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        outs = list(pool.map(lambda t: outcome(a.bin, t[1], a.timeout), tests))
    passed = 0
    for (name, _), out in zip(tests, outs):
        print(f"{name}: {out}")
        passed += out == "pass"
    print(f"total: {passed} of {len(tests)} pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
