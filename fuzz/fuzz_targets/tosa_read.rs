//! The TOSA reader on arbitrary MLIR text (even first byte) or bytecode (odd):
//! a graph or an error naming the op, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

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
