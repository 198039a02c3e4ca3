//! Build script of the root package: link options for the `onnx2linalg` binary.
//!
//! The binary links all of MLIR and LLVM statically (~100 MB of code). Left in the
//! default order, the functions one conversion runs are spread over that code and
//! the kernel maps 64 KiB around each page it touches: ~45 MiB of code was resident
//! for a run that executes ~3 MB of it. `link/startup-order.txt` (made by
//! `scripts/startup-order.sh`) lists those functions so the linker places them
//! together. Packed relative relocations (DT_RELR, glibc >= 2.36) replace 7 MB of
//! position-independent relocation records that the loader read on every start.
//! Neither changes what the binary does; `docs/performance.md` has the numbers.
fn main() {
    println!("cargo:rerun-if-changed=link/build.rs");
    println!("cargo:rerun-if-changed=link/startup-order.txt");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let Ok(root) = std::env::var("CARGO_MANIFEST_DIR") else {
        return;
    };
    if !linux {
        return;
    }
    // rust-lld, the toolchain's default linker here, reads the ordering file; names
    // missing from this build (a changed Rust symbol hash) are skipped silently.
    let order = format!("{root}/link/startup-order.txt");
    if std::path::Path::new(&order).exists() {
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={order}");
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}
