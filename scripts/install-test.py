"""The Python side of scripts/install-test.sh, run by the python of a fresh venv
holding only the onnx2linalg wheel and numpy:

    python scripts/install-test.py MODEL_FOLDER CLI_MLIR BAD_MODEL CLI_ERROR

MODEL_FOLDER is a fixture (fixtures/models/NAME.onnx and NAME/ with input_*.npy,
expected_*.npy); CLI_MLIR is what the installed `onnx2linalg NAME.onnx` printed;
BAD_MODEL a file the CLI refused with the line in CLI_ERROR.
"""

import os
import pathlib
import sys

import numpy as np

import onnx2linalg

folder = pathlib.Path(sys.argv[1])
model = folder.with_suffix(".onnx")
cli_mlir = pathlib.Path(sys.argv[2]).read_text()
bad_model = pathlib.Path(sys.argv[3])
cli_error = pathlib.Path(sys.argv[4]).read_text().strip()

# The module is the installed wheel's, not a source tree's.
where = pathlib.Path(onnx2linalg.__file__).resolve()
assert "site-packages" in where.parts, where
print(f"onnx2linalg {onnx2linalg.__version__} (MLIR {onnx2linalg.mlir_version}) from {where.parent}")
assert onnx2linalg.mlir_version.startswith("22."), onnx2linalg.mlir_version

# convert: a path, a PathLike, bytes, and an object with SerializeToString()
# all give the MLIR the command line printed.
text = onnx2linalg.convert(str(model))
assert isinstance(text, str)
assert text == cli_mlir, "the module's MLIR differs from the command's"
assert onnx2linalg.convert(model) == text


class Proto:
    """Stands for an onnx.ModelProto (the onnx package is not installed here)."""

    def SerializeToString(self):
        return model.read_bytes()


assert onnx2linalg.convert(model.read_bytes()) == text
assert onnx2linalg.convert(Proto()) == text
code = onnx2linalg.convert(model, emit="bytecode")
assert isinstance(code, bytes) and code.startswith(b"ML\xefR"), code[:8]
elided = onnx2linalg.convert(model, weights="elide")
assert "linalg." in elided and len(elided) < len(text)
print(f"convert: {len(text)} characters of text, {len(code)} bytes of bytecode")

# run: inputs by name and as a list give the fixture's expected outputs.
inputs = {p.stem[len("input_"):]: np.load(p) for p in sorted(folder.glob("input_*.npy"))}
expected = {p.stem[len("expected_"):]: np.load(p) for p in sorted(folder.glob("expected_*.npy"))}
assert onnx2linalg.input_names(model) == list(inputs), onnx2linalg.input_names(model)
for outputs in (
    onnx2linalg.run(model, inputs),
    onnx2linalg.run(model.read_bytes(), list(inputs.values())),
):
    assert list(outputs) == list(expected), list(outputs)
    for name, want in expected.items():
        got = outputs[name]
        assert got.dtype == want.dtype and got.shape == want.shape, (name, got.dtype, got.shape)
        err = np.abs(got.astype(np.float64) - want.astype(np.float64))
        bound = 1e-4 + 1e-4 * np.abs(want.astype(np.float64))
        assert (err <= bound).all(), f"{name}: max |got - expected| = {err.max()}"
        print(f"run: {name} {got.dtype} {list(got.shape)} matches the expected output (max error {err.max():.2e})")

# Errors: one exception type, the command line's message.
try:
    onnx2linalg.convert(bad_model)
except onnx2linalg.Error as e:
    assert f"error: {e}" == cli_error, (str(e), cli_error)
    assert isinstance(e.kind, str) and e.kind, e.kind
    print(f"error ({e.kind}): {e}")
else:
    raise AssertionError(f"{bad_model} converted")
try:
    onnx2linalg.run(model, {"nope": np.zeros(1, np.float32)})
except onnx2linalg.Error as e:
    assert "unknown input nope" in str(e), str(e)
else:
    raise AssertionError("an unknown input was accepted")
try:
    onnx2linalg.convert(b"\x08\x07garbage")
except onnx2linalg.Error as e:
    assert str(e).startswith("<bytes>: "), str(e)
else:
    raise AssertionError("garbage bytes converted")
print("install-test.py: every check passed")
