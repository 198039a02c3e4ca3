//! Op variants the ONNX node suite leaves out (adaptive RoiAlign grids, Det
//! needing row swaps or singular, centre-point NMS with ties, column-major
//! MaxPool indices, unsorted Unique, sequences made and used inside one
//! graph, Gradient of a small layer): each folder under tests/op_cases (made
//! by tests/op_cases/make_cases.py, expected outputs from the onnx reference
//! evaluator) must pass `onnx2linalg check`.
#![allow(clippy::unwrap_used)]
use std::path::Path;
use std::process::Command;

#[test]
fn every_op_case_passes_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/op_cases");
    check_every_case(&root, 6, "op");
}

/// Runs `onnx2linalg check` over every case folder under `root` (at least
/// `at_least` of them) and fails listing each that does not pass.
pub(crate) fn check_every_case(root: &Path, at_least: usize, what: &str) {
    let mut cases: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= at_least,
        "expected at least {at_least} {what} cases in {}, found {}",
        root.display(),
        cases.len()
    );
    let mut failed = Vec::new();
    for case in &cases {
        assert!(
            case.join("model.onnx").is_file(),
            "{}: no model.onnx",
            case.display()
        );
        let out = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
            .arg("check")
            .arg(case)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !stdout.lines().any(|l| l == "result: pass") {
            failed.push(format!(
                "{}: {}{}",
                case.file_name().unwrap().to_string_lossy(),
                stdout.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} {what} cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}
