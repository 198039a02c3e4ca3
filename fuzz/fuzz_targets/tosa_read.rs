//! The TOSA reader on arbitrary MLIR text (even first byte) or bytecode (odd):
//! a graph or an error naming the op, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::os::raw::{c_char, c_int};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if first % 2 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            let _ = o2l_tosa::import_text(text, None);
        }
    } else {
        let _ = o2l_tosa::import_bytes(rest, None);
    }
});

unsafe extern "C" {
    fn LLVMFuzzerRunDriver(
        argc: *mut c_int,
        argv: *mut *mut *mut c_char,
        callback: unsafe extern "C" fn(*const u8, usize) -> c_int,
    ) -> c_int;
    fn LLVMFuzzerTestOneInput(data: *const u8, size: usize) -> c_int;
}

/// The static MLIR libraries carry a `main` of their own (a tool's, parsing
/// LLVM options) that the linker would otherwise pick over libFuzzer's.
#[unsafe(no_mangle)]
pub extern "C" fn main(mut argc: c_int, mut argv: *mut *mut c_char) -> c_int {
    // SAFETY: argc/argv are the process's own, as libFuzzer's main would pass them.
    unsafe { LLVMFuzzerRunDriver(&mut argc, &mut argv, LLVMFuzzerTestOneInput) }
}
