"""The ``onnx2linalg`` command of the wheel: the same command line as the
binary (its Rust code is compiled into ``onnx2linalg._native``)."""

import signal
import sys

from . import _native


def main() -> None:
    """Runs the command line on ``sys.argv`` and exits with its status."""
    # Ctrl-C ends the command at once, as it ends the binary (Python would
    # otherwise hold the signal until the conversion returns).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(_native.cli_main(sys.argv))
