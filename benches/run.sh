#!/usr/bin/env bash
# The conversion benchmark in one command: a release build, the venv with IREE
# (build/bench-venv, from benches/requirements.txt), the models (build/bench-models,
# about 5 GB, written once), then benches/bench.py. The table goes to stdout and to
# build/bench-table.md; docs/performance.md records the latest one.
#
#   bash benches/run.sh --exec [ARGS]   the execution benchmark instead (benches/exec.py,
#   over fixtures/models): `onnx2linalg run` against onnxruntime, and IREE running our
#   MLIR against IREE's own import; tables to stdout, build/exec-run.md and
#   build/exec-iree.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin onnx2linalg
# GNU time measures peak RSS (see bench.py).
[ -x /usr/bin/time ] || { apt-get install -y -q --no-install-recommends time >&2; }
[ -x build/bench-venv/bin/python ] || python3 -m venv build/bench-venv
# A venv made before onnxruntime joined the pins gets the missing ones.
if ! build/bench-venv/bin/python -c "import iree.runtime, onnx, onnxruntime" 2>/dev/null; then
    build/bench-venv/bin/pip install --quiet --no-cache-dir -r benches/requirements.txt
fi
if [ "${1:-}" = "--exec" ]; then
    shift
    exec build/bench-venv/bin/python benches/exec.py \
        --markdown-run build/exec-run.md --markdown-iree build/exec-iree.md "$@"
fi
models=build/bench-models
for m in resnet50.onnx mlp_1g/mlp_1g.onnx llama_1b/llama_1b.onnx; do
    if [ ! -f "$models/$m" ]; then
        name=$(basename "$m" .onnx)
        build/bench-venv/bin/python benches/make_models.py "$models" "$name"
    fi
done
build/bench-venv/bin/python benches/bench.py "$models" --markdown build/bench-table.md "$@"
