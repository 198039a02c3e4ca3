//! Every input a fuzz target ever crashed on or hung on
//! (tests/fuzz_regressions/*.onnx, tosa_*.mlir, stablehlo_*.mlir, read
//! through that frontend) goes through the whole conversion again: it must end in a result
//! or an error, never a panic, and the outcome must match expected.txt
//! (UPDATE_EXPECTATIONS=1 rewrites it) so a fix that regresses is seen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use onnx2linalg::{ConvertOptions, Frontend, convert};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// The outcome on one line, the folder left out so it reads the same anywhere.
fn outcome(path: &Path) -> String {
    // The file name says which reader the input was fuzzed through.
    let name = path.file_name().unwrap().to_string_lossy();
    let options = ConvertOptions {
        from: if name.starts_with("stablehlo_") {
            Some(Frontend::StableHlo)
        } else if name.starts_with("tosa_") {
            Some(Frontend::Tosa)
        } else {
            None
        },
        ..ConvertOptions::default()
    };
    match catch_unwind(AssertUnwindSafe(|| convert(path, &options))) {
        Ok(Ok(_)) => "ok".to_string(),
        Ok(Err(e)) => {
            let folder = format!("{}/", path.parent().unwrap().display());
            let line = e
                .to_string()
                .lines()
                .next()
                .unwrap_or("")
                .replace(&folder, "");
            format!("error: {line}")
        }
        Err(_) => "PANIC".to_string(),
    }
}

#[test]
fn fuzz_crashes_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut got = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".onnx") || name.ends_with(".mlir") {
            got.insert(name, outcome(&path));
        }
    }
    assert!(!got.is_empty(), "no regression inputs in {}", dir.display());
    let panics: Vec<_> = got.iter().filter(|(_, o)| *o == "PANIC").collect();
    assert!(panics.is_empty(), "conversion panicked on {panics:?}");

    let render: String = got.iter().map(|(k, v)| format!("{k}\t{v}\n")).collect();
    common::check_expectations(&dir.join("expected.txt"), &render);
}
