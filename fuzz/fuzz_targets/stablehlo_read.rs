//! The StableHLO reader (our own parser of the pretty and generic forms) and
//! its mapping on arbitrary text: a graph or an error naming the op and line,
//! never a panic or a hang. Seeded with tests/stablehlo/*/program.mlir.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = o2l_stablehlo::import_text(text, None);
    }
});
