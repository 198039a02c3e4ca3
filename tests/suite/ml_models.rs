//! Classic `ai.onnx.ml` models as real producers export them (skl2onnx,
//! onnxmltools for LightGBM and XGBoost), plus hand-built nodes for the
//! attribute forms producers rarely write: each folder under tests/ml_models
//! (made by tests/ml_models/make_models.py, expected outputs from
//! onnxruntime) must pass `onnx2linalg check`, and a classifier that keeps
//! its ZipMap gives the score tensor the maps were made of, with a warning.
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

/// logreg_zipmap.onnx is logreg_multiclass (the same estimator, fit on the
/// same data) exported with its ZipMap: its probabilities, as the (N, C)
/// tensor the maps hold, must be logreg_multiclass's second output (where
/// onnxruntime's maps, read in label order, equal it exactly).
#[test]
fn a_classifier_with_zipmap_gives_the_score_tensor_and_names_the_labels() {
    let dir = crate::common::scratch("ml_models", "zipmap");
    let data = root().join("logreg_multiclass/test_data_set_0");
    let x = onnx2linalg::read_tensor_file(&data.join("input_0.pb")).unwrap();
    std::fs::write(dir.join("x.npy"), onnx2linalg::npy::write(&x)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
        .arg("run")
        .arg(root().join("logreg_zipmap.onnx"))
        .arg("--input")
        .arg(format!("X={}", dir.join("x.npy").display()))
        .arg("--output-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("ZipMap")
            && stderr.contains("\"output_probability\"")
            && stderr.contains("class labels 0, 1, 2"),
        "{stderr}"
    );
    let got = onnx2linalg::npy::read_file(&dir.join("output_probability.npy")).unwrap();
    let want = onnx2linalg::read_tensor_file(&data.join("output_1.pb")).unwrap();
    crate::common::max_abs_diff_within(&got, &want, 1e-6, 1e-5).unwrap();
}
