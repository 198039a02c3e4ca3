#!/usr/bin/env bash
# The three user examples, run as a user runs them: examples/nn_module.py,
# torchvision_model.py and transformers_model.py with the onnx2linalg wheel
# (dist/, from `bash scripts/package.sh`; built here when missing) installed into
# the PyTorch venv (build/venv-models, from `bash scripts/setup.sh --with-torch`).
# Each exports with torch.onnx.export, converts with onnx2linalg.convert, runs with
# onnx2linalg.run and fails on a difference from PyTorch above 1e-4.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=build/venv-models
if [ ! -x "$venv/bin/python" ]; then
    echo "examples-test: $venv is missing (bash scripts/setup.sh --with-torch makes it)" >&2
    exit 1
fi
wheel=$(ls dist/onnx2linalg-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
    bash scripts/package.sh >&2
    wheel=$(ls dist/onnx2linalg-*.whl | head -1)
fi
# The wheel alone: torch, numpy and the rest are the venv's pinned ones.
"$venv/bin/pip" install --quiet --no-deps --force-reinstall "$wheel"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for example in nn_module torchvision_model transformers_model; do
    "$venv/bin/python" "examples/$example.py" "$out/$example"
done
echo "examples-test: the three examples match PyTorch" >&2
