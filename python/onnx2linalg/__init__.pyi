"""Type stubs of onnx2linalg (see the module's docstrings)."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, overload

import numpy as np
import numpy.typing as npt

__version__: str
mlir_version: str

class Error(Exception):
    """A model that onnx2linalg cannot convert or run; ``str(e)`` is the
    command line's one-line message."""

    kind: str
    """``"unsupported"``, ``"invalid model"``, ``"limit"``, ``"verification"``,
    ``"i/o"`` or ``"internal"`` (absent on argument errors raised in Python)."""

class _Serializable(Protocol):
    def SerializeToString(self) -> bytes: ...

Model = str | os.PathLike[str] | bytes | bytearray | memoryview | _Serializable
Source = Literal["onnx", "tosa", "stablehlo"] | None
Weights = Literal["resource", "inline", "elide"]

@overload
def convert(
    model: Model,
    *,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    dims: Mapping[str, int] | None = None,
    emit: Literal["text"] = "text",
    weights: Weights = "resource",
    source: Source = None,
) -> str: ...
@overload
def convert(
    model: Model,
    *,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    dims: Mapping[str, int] | None = None,
    emit: Literal["bytecode"],
    weights: Weights = "resource",
    source: Source = None,
) -> bytes: ...
def input_names(model: Model, *, source: Source = None) -> list[str]: ...
def run(
    model: Model,
    inputs: Mapping[str, npt.ArrayLike] | Sequence[npt.ArrayLike],
    *,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    dims: Mapping[str, int] | None = None,
    source: Source = None,
    dynamic: bool = False,
) -> dict[str, np.ndarray[Any, Any]]: ...
