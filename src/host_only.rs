//! The binary compiles code for its host only: empty definitions of the
//! other LLVM backends' initialisers keep those backends out of the link.
//!
//! Why: MLIR's LLVM-dialect target utilities call every backend's
//! `LLVMInitialize<Backend>Target`, and its GPU target attributes the NVPTX,
//! AMDGPU and SPIR-V ones, so the linker took all 21 other backends from
//! LLVM's archives: 76 MB of the binary, and 243 of the 658 static
//! constructors that ran before `main` at every start (registering their
//! command-line options). Defined here first, those symbols no longer pull
//! the backends in. Nothing this tool does reaches another backend: the JIT
//! initialises the host's itself (`o2l_jit`), and the passes that would look
//! another target up (a GPU triple's data layout, GPU binaries) never run.
//! `link/llvm.rs` writes the definitions from `llvm-config --targets-built`
//! (none when the host's backend is not one it knows), for the binary and
//! for the Python module, which includes this file too.
//! `onnx2linalg --version`: 2.2 -> 2.0 ms (docs/performance.md).
#![allow(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/other_backends.rs"));
