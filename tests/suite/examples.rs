//! The examples a user starts from build and do what their docs say.
//! `cargo test` builds the examples first; alone, run `cargo build --examples` before
//! `cargo test --test suite examples::`.
#![allow(clippy::unwrap_used)]
use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/examples/NAME`, which `cargo test` builds beside the tests.
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().and_then(Path::parent).unwrap();
    profile.join("examples").join(name)
}

#[test]
fn convert_and_run_writes_verified_mlir_and_prints_the_outputs() {
    let dir = common::scratch("examples", "convert");
    let model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/resnet_small_op17.onnx");
    let out = dir.join("resnet.mlir");
    let run = Command::new(example("convert_and_run"))
        .arg(&model)
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mlir = std::fs::read_to_string(&out).unwrap();
    assert!(
        mlir.contains("func.func @"),
        "{}",
        &mlir[..200.min(mlir.len())]
    );
    assert!(mlir.contains("linalg."));
    assert!(
        stdout.contains("logits: f32 [1, 10], first values"),
        "{stdout}"
    );
}

/// examples/export_pytorch.py: a user's own module, a torchvision network and
/// a transformers model exported from PyTorch, converted, run, and compared
/// with PyTorch's outputs. Needs build/venv-models, which only
/// `bash scripts/setup.sh --with-torch` makes (PyTorch with its CUDA wheels,
/// ~5.8 GB): without it the test says so and passes, unless
/// `O2L_REQUIRE_TORCH=1` asks for it.
#[test]
fn pytorch_export_example_converts_and_matches_pytorch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("build/venv-models/bin/python");
    if !python.exists() {
        let why = format!(
            "{} is missing (bash scripts/setup.sh --with-torch makes it)",
            python.display()
        );
        assert!(std::env::var_os("O2L_REQUIRE_TORCH").is_none(), "{why}");
        eprintln!("SKIPPED pytorch_export_example_converts_and_matches_pytorch: {why}");
        return;
    }
    let dir = common::scratch("examples", "pytorch");
    let run = Command::new(&python)
        .arg(root.join("examples/export_pytorch.py"))
        .arg(env!("CARGO_BIN_EXE_onnx2linalg"))
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in [
        "my_module",
        "torchvision_mobilenet_v3_small",
        "transformers_bert",
    ] {
        assert!(
            stdout.contains(&format!("{name}: output")) && !stdout.contains("MISMATCH"),
            "{name}: {stdout}"
        );
        assert!(dir.join(name).join("model.mlir").exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
