# lit configuration for the IR tests: each .test converts a fixture with the
# onnx2linalg binary and checks the emitted MLIR with FileCheck.
#   /usr/lib/llvm-22/bin/lit -v tests/ir
# ONNX2LINALG overrides the binary (default: <repo>/target/debug/onnx2linalg).
import os
import shutil

import lit.formats

config.name = "onnx2linalg-ir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test"]
config.excludes = ["fixtures", "make_fixtures.py", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "..", "..", "target", "lit-ir")

repo = os.path.abspath(os.path.join(config.test_source_root, "..", ".."))
binary = os.environ.get("ONNX2LINALG", os.path.join(repo, "target", "debug", "onnx2linalg"))
if not os.path.exists(binary):
    lit_config.fatal(f"onnx2linalg binary not found at {binary} (build it, or set ONNX2LINALG)")

llvm_bin = os.environ.get("LLVM_BIN", "/usr/lib/llvm-22/bin")
filecheck = os.path.join(llvm_bin, "FileCheck")
if not os.path.exists(filecheck):
    filecheck = shutil.which("FileCheck") or filecheck

config.substitutions.append(("%onnx2linalg", binary))
config.substitutions.append(("%mlir-opt", os.path.join(llvm_bin, "mlir-opt")))
config.substitutions.append(("FileCheck", filecheck))
# Upstream's own way down to the LLVM dialect: one-shot bufferization across
# function boundaries with identity layouts, loops, then every conversion.
config.substitutions.append(
    (
        "%to-llvm",
        " ".join(
            [
                "--convert-tensor-to-linalg",
                '--one-shot-bufferize="bufferize-function-boundaries allow-return-allocs-from-loops'
                ' function-boundary-type-conversion=identity-layout-map"',
                "--convert-linalg-to-loops --expand-strided-metadata --lower-affine",
                "--convert-scf-to-cf --convert-math-to-funcs --convert-math-to-llvm",
                "--convert-math-to-libm --finalize-memref-to-llvm --convert-to-llvm",
                "--reconcile-unrealized-casts",
            ]
        ),
    )
)
config.environment["PATH"] = os.pathsep.join([llvm_bin, config.environment.get("PATH", "")])
