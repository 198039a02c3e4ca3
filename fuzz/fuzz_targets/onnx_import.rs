//! Whole-model import (decode, checks, initializers, every node's mapping and
//! shape inference) from arbitrary bytes, seeded with the committed fixtures
//! and the node suite: it must return a graph or an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use o2l_onnx::{ImportOptions, import_bytes};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    // External data may only come from this folder, which does not exist.
    let dir = Path::new("/nonexistent/onnx2linalg-fuzz");
    let _ = import_bytes(data, Path::new("fuzz.onnx"), dir, &ImportOptions::default());
});
