//! Build script of the Python module: the empty initialisers that keep LLVM's
//! backends other than the host's out of the module, as for the binary
//! (`src/host_only.rs`, `link/llvm.rs`).
#[path = "../../link/llvm.rs"]
mod llvm;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../link/llvm.rs");
    println!("cargo:rerun-if-env-changed=MLIR_SYS_220_PREFIX");
    llvm::other_backends_stubs();
}
