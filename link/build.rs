//! Build script of the root package: link options for the `onnx2linalg` binary.
//!
//! The binary links all of MLIR and LLVM statically (~100 MB of code). Left in the
//! default order, the functions one conversion runs are spread over that code and
//! the kernel maps 64 KiB around each page it touches: ~45 MiB of code was resident
//! for a run that executes ~3 MB of it. `link/startup-order.txt` (made by
//! `scripts/startup-order.sh`) lists those functions so the linker places them
//! together. Packed relative relocations (DT_RELR, glibc >= 2.36) replace 7 MB of
//! position-independent relocation records that the loader read on every start,
//! and linking the executable non-PIE (`-no-pie`: it loads at a fixed address)
//! removes those relocations altogether: applying them still took a quarter of
//! a cached `run` of a small model, writing to every page of MLIR's and LLVM's
//! vtables. None of this changes what the binary does; `docs/performance.md` has
//! the numbers.
//!
//! It also records the version of the MLIR/LLVM the build links
//! (`O2L_MLIR_VERSION`, shown by `onnx2linalg --version`), and writes the
//! empty initialisers that keep LLVM's other backends out of the binary
//! (`src/host_only.rs`).
mod llvm;

use llvm::{llvm_config, llvm_prefix, other_backends_stubs};

fn main() {
    println!("cargo:rerun-if-changed=link/build.rs");
    println!("cargo:rerun-if-changed=link/llvm.rs");
    println!("cargo:rerun-if-changed=link/startup-order.txt");
    println!("cargo:rerun-if-env-changed=MLIR_SYS_220_PREFIX");
    println!("cargo:rustc-env=O2L_MLIR_VERSION={}", mlir_version());
    other_backends_stubs();
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
    println!("cargo:rustc-link-arg-bins=-no-pie");
    static_libstdcxx();
}

/// Links the C++ runtime into the binary: MLIR's and LLVM's ~17,000 classes
/// with type information each point at a vtable of libstdc++'s, and with
/// libstdc++ a shared library the loader looked up and wrote every one of
/// those pointers at each start (18,500 relocations: a third of the time of
/// `onnx2linalg --version`). The `-lstdc++` the MLIR bindings ask for then
/// finds the archive first: a folder holding only `libstdc++.a` is searched
/// before the compiler's own.
fn static_libstdcxx() {
    let Some(out) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let archive = std::process::Command::new("c++")
        .arg("-print-file-name=libstdc++.a")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| std::path::PathBuf::from(s.trim()))
        .filter(|p| p.is_absolute() && p.exists());
    let Some(archive) = archive else {
        return;
    };
    let dir = std::path::Path::new(&out).join("static-libstdcxx");
    let link = dir.join("libstdc++.a");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::remove_file(&link);
    if std::os::unix::fs::symlink(&archive, &link).is_ok() {
        println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
        println!("cargo:rustc-link-arg-bins=-static-libgcc");
    }
}

/// The LLVM version of the MLIR that mlir-sys links: `llvm-config --version` of
/// its prefix, else `LLVM_VERSION_STRING` from that prefix's headers.
fn mlir_version() -> String {
    if let Some(v) = llvm_config("--version") {
        return v;
    }
    let prefix = llvm_prefix();
    let header = format!("{prefix}/include/llvm/Config/llvm-config.h");
    std::fs::read_to_string(header)
        .ok()
        .and_then(|h| {
            h.lines()
                .find_map(|l| l.strip_prefix("#define LLVM_VERSION_STRING "))
                .map(|v| v.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
