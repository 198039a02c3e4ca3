//! onnxruntime's com.microsoft contrib ops: each folder under
//! tests/contrib_cases (made by tests/contrib_cases/make_cases.py, expected
//! outputs from onnxruntime, the ops' defining implementation) must pass
//! `onnx2linalg check`; among them a BERT fused by onnxruntime's
//! transformer optimizer.
#![allow(clippy::unwrap_used)]
use std::path::Path;
use std::process::Command;

#[test]
fn every_contrib_case_passes_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contrib_cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected at least 20 contrib cases in {}, found {}",
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
        "{} of {} contrib cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}
