//! The model fixtures (fixtures/models, written by fixtures/make_models.py):
//! small real architectures exported from PyTorch, run end to end with
//! `onnx2linalg run` and compared with onnxruntime's outputs.
//!
//! Layout per model NAME: `NAME.onnx`, and a folder `NAME/` holding
//! `input_<input>.npy` per graph input, `expected_<output>.npy` per graph output
//! and `manifest.json`. A model without its folder, a folder without its model,
//! or a folder with no inputs or no expected outputs fails the test: nothing is
//! skipped silently. `MODELS_FILTER=substring` runs only the matching models.
// Test code: a failed expectation is a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use onnx2linalg::{DType, Tensor, npy};
use std::path::{Path, PathBuf};
use std::process::Command;

/// |got - expected| <= ATOL + RTOL * |expected|, elementwise.
const ATOL: f64 = 1e-4;
const RTOL: f64 = 1e-4;

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models")
}

/// One fixture: the model file and its `(name, path)` inputs and expected outputs.
pub(crate) struct Fixture {
    pub(crate) name: String,
    pub(crate) model: PathBuf,
    pub(crate) inputs: Vec<(String, PathBuf)>,
    expected: Vec<(String, PathBuf)>,
}

/// `(name, path)` of the files `<prefix><name>.npy` in `dir`, sorted by name.
fn named_npy(dir: &Path, prefix: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let file = p.file_name()?.to_str()?.to_string();
            let name = file.strip_prefix(prefix)?.strip_suffix(".npy")?.to_string();
            Some((name, p))
        })
        .collect();
    found.sort();
    found
}

/// Every fixture, checked for completeness (a broken layout is a failure, not a skip).
pub(crate) fn fixtures() -> Vec<Fixture> {
    let dir = models_dir();
    assert!(
        dir.is_dir(),
        "{} is missing: write it with fixtures/make_models.py",
        dir.display()
    );
    let mut models = Vec::new();
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            folders.push(name);
        } else if path.extension().is_some_and(|e| e == "onnx") {
            models.push(name);
        }
    }
    models.sort();
    folders.sort();
    assert!(!models.is_empty(), "no .onnx models in {}", dir.display());
    for f in &folders {
        assert!(
            models.contains(f),
            "{}/{f}/ has no model {f}.onnx next to it",
            dir.display()
        );
    }
    models
        .into_iter()
        .map(|name| {
            let folder = dir.join(&name);
            assert!(
                folder.is_dir(),
                "{name}.onnx has no folder {}/ with its inputs and expected outputs",
                folder.display()
            );
            assert!(
                folder.join("manifest.json").is_file(),
                "{}/manifest.json is missing",
                folder.display()
            );
            let inputs = named_npy(&folder, "input_");
            let expected = named_npy(&folder, "expected_");
            assert!(!inputs.is_empty(), "{}: no input_*.npy", folder.display());
            assert!(
                !expected.is_empty(),
                "{}: no expected_*.npy",
                folder.display()
            );
            Fixture {
                model: dir.join(format!("{name}.onnx")),
                name,
                inputs,
                expected,
            }
        })
        .collect()
}

/// Why `got` does not match `want` within the tolerance, or None when it does.
fn compare(got: &Tensor, want: &Tensor) -> Option<String> {
    if got.dtype != want.dtype {
        return Some(format!("dtype {}, expected {}", got.dtype, want.dtype));
    }
    if got.dims != want.dims {
        return Some(format!("shape {:?}, expected {:?}", got.dims, want.dims));
    }
    if got.dtype.is_float() || got.dtype == DType::BF16 {
        let (g, w) = (got.to_f64s(), want.to_f64s());
        let mut bad = 0;
        let mut worst: Option<(usize, f64)> = None;
        for (i, (&a, &b)) in g.iter().zip(&w).enumerate() {
            let diff = (a - b).abs();
            let ok = (a.is_nan() && b.is_nan()) || diff <= ATOL + RTOL * b.abs();
            if !ok {
                bad += 1;
                let d = if diff.is_nan() { f64::INFINITY } else { diff };
                if worst.is_none_or(|(_, e)| d > e) {
                    worst = Some((i, d));
                }
            }
        }
        let max_diff = g
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        worst.map(|(i, d)| {
            format!(
                "{bad} of {} values differ (max |diff| {max_diff:e}); worst at flat index {i}: got {}, expected {} (|diff| {d:e}, tolerance {ATOL:e} + {RTOL:e}*|expected|)",
                g.len(),
                g[i],
                w[i]
            )
        })
    } else {
        let (g, w) = (got.to_i64s(), want.to_i64s());
        let first = g.iter().zip(&w).position(|(a, b)| a != b)?;
        let bad = g.iter().zip(&w).filter(|(a, b)| a != b).count();
        Some(format!(
            "{bad} of {} values differ; first at flat index {first}: got {}, expected {}",
            g.len(),
            g[first],
            w[first]
        ))
    }
}

/// Runs one fixture through `onnx2linalg run`; Err says what went wrong.
fn run_fixture(f: &Fixture, scratch: &Path) -> Result<String, String> {
    let out = scratch.join(&f.name);
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"));
    cmd.arg("run").arg(&f.model);
    for (name, path) in &f.inputs {
        cmd.arg("--input").arg(format!("{name}={}", path.display()));
    }
    cmd.arg("--output-dir").arg(&out);
    let seconds = crate::common::run_timed(&mut cmd)?;

    let mut problems = Vec::new();
    let mut worst = 0.0f64;
    for (name, path) in &f.expected {
        let want = npy::read_file(path).map_err(|e| e.to_string())?;
        let got_path = out.join(format!("{name}.npy"));
        let got = match npy::read_file(&got_path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("output \"{name}\": {e}"));
                continue;
            }
        };
        if got.dtype.is_float() && got.dims == want.dims {
            for (a, b) in got.to_f64s().iter().zip(want.to_f64s()) {
                worst = worst.max((a - b).abs());
            }
        }
        if let Some(p) = compare(&got, &want) {
            problems.push(format!("output \"{name}\": {p}"));
        }
    }
    // Every output the run wrote must have an expected file, and vice versa.
    let written: Vec<String> = std::fs::read_dir(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(|e| {
            let p = e.ok()?.path();
            Some(p.file_name()?.to_str()?.strip_suffix(".npy")?.to_string())
        })
        .collect();
    for w in &written {
        if !f.expected.iter().any(|(n, _)| n == w) {
            problems.push(format!(
                "the run wrote {w}.npy, which has no expected_{w}.npy"
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!("max |diff| {worst:.2e}, {seconds:.1} s"))
    } else {
        Err(problems.join("\n    "))
    }
}

#[test]
fn every_model_fixture_matches_onnxruntime() {
    let filter = std::env::var("MODELS_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let all = fixtures();
    let scratch = std::env::temp_dir().join(format!("o2l-models-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();

    let mut failures = Vec::new();
    let mut ran = 0;
    for f in &all {
        if filter
            .as_ref()
            .is_some_and(|s| !f.name.contains(s.as_str()))
        {
            continue;
        }
        ran += 1;
        match run_fixture(f, &scratch) {
            Ok(note) => eprintln!("model {}: ok ({note})", f.name),
            Err(why) => {
                eprintln!("model {}: FAILED\n    {why}", f.name);
                failures.push(format!("{}:\n    {why}", f.name));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(ran > 0, "MODELS_FILTER matched no model fixture");
    assert!(
        failures.is_empty(),
        "{} of {ran} model fixtures failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
