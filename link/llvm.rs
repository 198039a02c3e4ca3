//! What the build scripts of the binary (`link/build.rs`) and of the Python
//! module (`crates/o2l-python/build.rs`) ask of the LLVM that mlir-sys links:
//! its `llvm-config`, and the empty initialisers of the backends other than
//! the host's (`src/host_only.rs`).

/// The parts of an LLVM backend that have a C initialiser.
const BACKEND_PARTS: [&str; 7] = [
    "Target",
    "TargetInfo",
    "TargetMC",
    "AsmPrinter",
    "AsmParser",
    "Disassembler",
    "TargetMCA",
];

/// Writes `$OUT_DIR/other_backends.rs` for `src/host_only.rs`: an empty
/// `LLVMInitialize<backend><part>` for every backend the LLVM build has
/// (`llvm-config --targets-built`) but the host's. Empty when the host's
/// backend is not known here or the list cannot be read: the binary (or
/// the Python module) then links every backend, as before.
pub fn other_backends_stubs() {
    let Some(out) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let host = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64" | "x86") => Some("X86"),
        Ok("aarch64") => Some("AArch64"),
        Ok("riscv64" | "riscv32") => Some("RISCV"),
        Ok("powerpc64" | "powerpc") => Some("PowerPC"),
        Ok("s390x") => Some("SystemZ"),
        Ok("loongarch64") => Some("LoongArch"),
        _ => None,
    };
    let built = llvm_config("--targets-built").unwrap_or_default();
    let mut code = String::from("// Written by link/llvm.rs: see src/host_only.rs.\n");
    if let Some(host) = host.filter(|h| built.split_whitespace().any(|t| t == *h)) {
        for backend in built.split_whitespace().filter(|t| *t != host) {
            for part in BACKEND_PARTS {
                code.push_str(&format!(
                    "#[unsafe(no_mangle)]\npub extern \"C\" fn LLVMInitialize{backend}{part}() {{}}\n"
                ));
            }
        }
    }
    let _ = std::fs::write(std::path::Path::new(&out).join("other_backends.rs"), code);
}

/// The prefix of the LLVM/MLIR that mlir-sys links.
pub fn llvm_prefix() -> String {
    std::env::var("MLIR_SYS_220_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-22".into())
}

/// What that prefix's `llvm-config ARG` prints (trimmed; None if it fails or
/// prints nothing).
pub fn llvm_config(arg: &str) -> Option<String> {
    std::process::Command::new(format!("{}/bin/llvm-config", llvm_prefix()))
        .arg(arg)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
