"""``python -m onnx2linalg ...``: the ``onnx2linalg`` command."""

from ._cli import main

main()
