"""onnx2linalg: ONNX, TOSA and StableHLO models to linalg-on-tensors MLIR.

The converter is the same Rust library as the ``onnx2linalg`` command (this
package carries both); MLIR is linked into it, so no MLIR, LLVM or PyTorch
Python package is needed.

>>> import onnx2linalg
>>> mlir = onnx2linalg.convert("model.onnx")                  # str
>>> blob = onnx2linalg.convert(model_proto, emit="bytecode")  # bytes
>>> outs = onnx2linalg.run("model.onnx", {"x": x})            # {name: ndarray}

Every failure raises :class:`onnx2linalg.Error`, whose message is the
command line's one-line error message.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
import tempfile
import warnings as _warnings

from . import _native

__all__ = ["Error", "convert", "run", "input_names", "__version__", "mlir_version"]

Error = _native.Error
__version__: str = _native.__version__
#: The version of the MLIR/LLVM linked into this build, e.g. ``"22.1.8"``.
mlir_version: str = _native.MLIR_VERSION

_SOURCES = (None, "onnx", "tosa", "stablehlo")


def _shapes(input_shapes):
    if input_shapes is None:
        return []
    return [(str(name), [int(d) for d in dims]) for name, dims in dict(input_shapes).items()]


def _dims(dims):
    if dims is None:
        return []
    return [(str(name), int(n)) for name, n in dict(dims).items()]


def _suffix(data: bytes, source):
    """A file name suffix from which the library detects the op set."""
    if source in ("tosa", "stablehlo") or data.startswith(b"ML\xefR"):
        return ".mlir"
    head = data[:4096].lstrip()
    if head.startswith((b"module", b"func.func", b"#", b"//", b"\"builtin.module\"")):
        return ".mlir"
    return ".onnx"


class _ModelFile:
    """The model as a file path: a path as given, bytes written to a temporary file."""

    def __init__(self, model, source):
        if source not in _SOURCES:
            raise Error(f'source must be "onnx", "tosa", "stablehlo" or None (detect), got {source!r}')
        self._tmp = None
        self.display = None
        if isinstance(model, (str, os.PathLike)):
            self.path = os.fspath(model)
            return
        if isinstance(model, (bytes, bytearray, memoryview)):
            data = bytes(model)
            self.display = "<bytes>"
        elif hasattr(model, "SerializeToString"):
            data = model.SerializeToString()
            self.display = f"<{type(model).__module__}.{type(model).__name__}>"
        else:
            raise TypeError(
                "model must be a path (str or os.PathLike), bytes, or an object with "
                f"SerializeToString() such as onnx.ModelProto; got {type(model).__name__}"
            )
        self._tmp = tempfile.TemporaryDirectory(prefix="onnx2linalg-")
        self.path = os.path.join(self._tmp.name, "model" + _suffix(data, source))
        with open(self.path, "wb") as f:
            f.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._tmp is not None:
            self._tmp.cleanup()


def _warn(messages):
    for m in messages:
        _warnings.warn(m, stacklevel=3)


def convert(model, *, input_shapes=None, dims=None, emit="text", weights="resource", source=None):
    """Converts a model to verified linalg-on-tensors MLIR.

    Args:
        model: a path (``str`` or ``os.PathLike``) to an ONNX model or a TOSA or
            StableHLO program (MLIR text or bytecode); the model's bytes; or an
            object with ``SerializeToString()`` such as an ``onnx.ModelProto``.
            External data files are read from the model's folder, so a model
            with external data is given by path.
        input_shapes: pins symbolic input shapes, ``{"x": (1, 3, 224, 224)}``
            (the command line's ``--input-shape x=1x3x224x224``).
        dims: fixes every symbolic input dim of that name, ``{"batch": 1}``
            (``--dim batch=1``).
        emit: ``"text"`` (returns ``str``) or ``"bytecode"`` (returns ``bytes``).
        weights: ``"resource"`` (``dense_resource`` blobs), ``"inline"``
            (``dense<...>`` literals) or ``"elide"`` (zero placeholders).
        source: ``"onnx"``, ``"tosa"`` or ``"stablehlo"``; ``None`` detects it.

    Returns:
        The MLIR module: ``str`` for text, ``bytes`` for bytecode.

    Raises:
        onnx2linalg.Error: the model cannot be read or converted; the message
            is the command line's one-line error (file, node, op, opset).

    Import warnings (a declared shape the graph contradicts, ...) are issued
    with :func:`warnings.warn`.
    """
    with _ModelFile(model, source) as m:
        mlir, warns = _native.convert(
            m.path, _shapes(input_shapes), _dims(dims), emit, weights, source, m.display
        )
    _warn(warns)
    return mlir


def input_names(model, *, source=None):
    """The model's runtime input names, in call order (what a list given to
    :func:`run` is matched against)."""
    with _ModelFile(model, source) as m:
        return _native.input_names(m.path, source, m.display)


def _to_npy(name, value):
    import numpy as np

    a = np.ascontiguousarray(np.asarray(value))
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    if a.dtype.kind not in "biuf" or a.dtype.itemsize > 8:
        raise Error(
            f'input "{name}": NumPy dtype {a.dtype} is not supported '
            "(bool, int8-64, uint8-64, float16/32/64)"
        )
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def run(model, inputs, *, input_shapes=None, dims=None, source=None, dynamic=False):
    """Converts a model, compiles it in-process and runs it on NumPy arrays.

    Args:
        model: as for :func:`convert`.
        inputs: the runtime inputs, ``{name: array}`` or a list in the order of
            :func:`input_names`. Anything ``numpy.asarray`` accepts; dtypes
            must match the model's (a float32 array is accepted for a
            bfloat16 input and rounded).
        input_shapes, dims: as for :func:`convert`. Symbolic input dims left
            open are pinned to the shapes of the given arrays, unless
            ``dynamic``.
        source: as for :func:`convert`.
        dynamic: keep symbolic dims symbolic: convert once to a function with
            dynamic dims and call it at the shapes of the given arrays.

    Returns:
        ``{output name: numpy.ndarray}``, in the model's output order
        (bfloat16 and float8 outputs come back as float32).

    Raises:
        onnx2linalg.Error: as for :func:`convert`, and for inputs that are
            missing, unknown or of the wrong dtype or shape.
    """
    import numpy as np

    with _ModelFile(model, source) as m:
        if isinstance(inputs, Mapping):
            named = list(inputs.items())
        else:
            values = list(inputs)
            names = _native.input_names(m.path, source, m.display)
            if len(values) != len(names):
                raise Error(
                    f"expected {len(names)} inputs ({', '.join(names)}), got {len(values)}"
                )
            named = list(zip(names, values))
        npys = [(str(n), _to_npy(n, v)) for n, v in named]
        outs, warns = _native.run(
            m.path, npys, _shapes(input_shapes), _dims(dims), source, bool(dynamic), m.display
        )
    _warn(warns)
    return {name: np.load(io.BytesIO(b), allow_pickle=False) for name, b in outs}
