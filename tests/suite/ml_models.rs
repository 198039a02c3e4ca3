//! Classic `ai.onnx.ml` models as real producers export them (skl2onnx,
//! onnxmltools for LightGBM and XGBoost), plus hand-built nodes for the
//! attribute forms producers rarely write: each folder under tests/ml_models
//! (made by tests/ml_models/make_models.py, expected outputs from
//! onnxruntime) must pass `onnx2linalg check`, and a classifier that keeps
//! its ZipMap must be refused with the reason.
#![allow(clippy::unwrap_used)]
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fewer folders than this means the generator's outputs went missing.
const AT_LEAST: usize = 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ml_models")
}

#[test]
fn every_ml_model_passes_check() {
    crate::op_cases::check_every_case(&root(), AT_LEAST, "ml model");
}

#[test]
fn a_classifier_with_zipmap_is_refused_with_the_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
        .arg("convert")
        .arg(root().join("logreg_zipmap.onnx"))
        .arg("-o")
        .arg(std::env::temp_dir().join(format!("o2l-zipmap-{}.mlir", std::process::id())))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "ZipMap converted: {stderr}");
    assert!(
        stderr.contains("ZipMap") && stderr.contains("sequence of maps"),
        "{stderr}"
    );
}
