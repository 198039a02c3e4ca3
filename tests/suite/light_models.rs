//! The `onnx` package's `light` zoo models (`onnx/backend/test/data/light/`:
//! AlexNet, DenseNet-121, Inception v1 and v2, ResNet-50, ShuffleNet,
//! SqueezeNet, VGG-19, ZFNet-512, with weights made light), each converted
//! and run with `onnx2linalg run` on the input the onnx backend runner gives
//! it (`arange(n).reshape(shape) / n` as f32) and compared with the shipped
//! `light_NAME_output_0.pb` at the runner's tolerance (rtol 1e-3, atol 1e-7).
//! Skipped, saying so, only when the onnx package's data folder is missing.
//! `LIGHT_FILTER=substring` runs only the matching models.
// Test code: a failed expectation is a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use onnx2linalg::{DType, Tensor, npy};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The onnx backend runner's tolerance for these models.
const RTOL: f64 = 1e-3;
const ATOL: f64 = 1e-7;

fn light_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/lib/python3.11/site-packages/onnx/backend/test/data/light")
}

/// The backend runner's input for a shape: `arange(n).reshape(shape) / n`, as f32.
fn runner_input(dims: &[u64]) -> Tensor {
    let n: u64 = dims.iter().product();
    let values: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    Tensor::from_f64s(DType::F32, dims.to_vec(), &values).unwrap()
}

/// Converts and runs one model; Ok gives the largest difference, Err what failed.
fn run_light(dir: &Path, name: &str, scratch: &Path) -> Result<String, String> {
    let model = dir.join(format!("light_{name}.onnx"));
    let want = onnx2linalg::read_tensor_file(&dir.join(format!("light_{name}_output_0.pb")))
        .map_err(|e| e.to_string())?;
    let inputs = onnx2linalg::onnx_inputs(&model).map_err(|e| e.to_string())?;
    let out = scratch.join(name);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"));
    cmd.arg("run").arg(&model);
    for (k, (input, ty)) in inputs.iter().enumerate() {
        let dims = ty
            .known_dims()
            .ok_or_else(|| format!("input \"{input}\" has a dynamic shape {ty}"))?;
        let path = scratch.join(format!("{name}_input_{k}.npy"));
        std::fs::write(&path, npy::write(&runner_input(&dims))).unwrap();
        cmd.arg("--input")
            .arg(format!("{input}={}", path.display()));
    }
    cmd.arg("--output-dir").arg(&out);
    let seconds = crate::common::run_timed(&mut cmd)?;
    let written: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let [got_path] = written.as_slice() else {
        return Err(format!("expected one output, the run wrote {written:?}"));
    };
    let got = npy::read_file(got_path).map_err(|e| e.to_string())?;
    if got.dtype != want.dtype || got.dims != want.dims {
        return Err(format!(
            "got {} {:?}, expected {} {:?}",
            got.dtype, got.dims, want.dtype, want.dims
        ));
    }
    let (g, w) = (got.to_f64s(), want.to_f64s());
    let mut worst = 0.0f64;
    let mut bad = 0;
    for (&a, &b) in g.iter().zip(&w) {
        let diff = (a - b).abs();
        worst = worst.max(diff);
        if diff.is_nan() || diff > ATOL + RTOL * b.abs() {
            bad += 1;
        }
    }
    if bad > 0 {
        return Err(format!(
            "{bad} of {} values differ (max |diff| {worst:e})",
            g.len()
        ));
    }
    Ok(format!("max |diff| {worst:.2e}, {seconds:.1} s"))
}

#[test]
fn every_light_zoo_model_matches_its_shipped_output() {
    let dir = light_dir();
    if !dir.is_dir() {
        eprintln!(
            "light_models: skipped, {} is missing (install the onnx package into .venv)",
            dir.display()
        );
        return;
    }
    let filter = std::env::var("LIGHT_FILTER").ok().filter(|f| !f.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let file = e.unwrap().file_name().into_string().ok()?;
            Some(
                file.strip_prefix("light_")?
                    .strip_suffix(".onnx")?
                    .to_string(),
            )
        })
        .filter(|n| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no light model in {}", dir.display());
    let scratch = std::env::temp_dir().join(format!("o2l-light-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut failures = Vec::new();
    for name in &names {
        match run_light(&dir, name, &scratch) {
            Ok(note) => eprintln!("light {name}: ok ({note})"),
            Err(why) => {
                eprintln!("light {name}: FAILED\n    {why}");
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "{} of {} light models failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
