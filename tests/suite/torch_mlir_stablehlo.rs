//! StableHLO programs printed by torch-mlir (tests/torch_mlir_stablehlo/<name>/,
//! written by fixtures/make_torch_mlir_stablehlo.py: torchvision and transformers
//! models from tiny configs and small nn modules, weights as `dense_resource`
//! blobs in the file's `{-# dialect_resources #-}` section) through our reader,
//! the canonical table and our lowering, run on the JIT with the inputs PyTorch
//! was given and compared with PyTorch's outputs (floats within 1e-4 + 1e-4·|x|,
//! integers and bools exactly). One line per program must equal
//! tests/torch_mlir_stablehlo/expectations.txt: a program that starts passing
//! fails the test as surely as one that stops (UPDATE_EXPECTATIONS=1 rewrites
//! it). The full-width models (`--big`: resnet18, mobilenet_v3_small) are not
//! committed; when build/torch-mlir-stablehlo-big/ holds them they are run and
//! their results printed, outside the expectations. The same modules printed as
//! TOSA (tests/torch_mlir_tosa/, `--tosa`) go through the TOSA frontend the same
//! way, against tests/torch_mlir_tosa/expectations.txt.
#![allow(clippy::unwrap_used)]
use onnx2linalg::{Runner, Tensor};
use std::path::{Path, PathBuf};

use crate::common;

/// Fewer programs than this means the corpus went missing, not that it passes.
const AT_LEAST: usize = 10;
const ATOL: f64 = 1e-4;
const RTOL: f64 = 1e-4;

fn numbered(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    (0..)
        .map(|k| dir.join(format!("{prefix}_{k}.npy")))
        .take_while(|p| p.is_file())
        .collect()
}

type Import = fn(&str, Option<&str>) -> o2l_canon::Result<o2l_canon::Graph>;

/// "N canonical nodes, max |diff| D", or why the program fails.
fn check_program(dir: &Path, import: Import) -> Result<String, String> {
    let source = std::fs::read_to_string(dir.join("program.mlir")).map_err(|e| e.to_string())?;
    let graph = import(&source, None).map_err(|e| format!("import: {e}"))?;
    let runner = Runner::new(&graph).map_err(|e| format!("lowering: {e}"))?;
    let read =
        |p: &PathBuf| onnx2linalg::npy::read_file(p).map_err(|e| format!("{}: {e}", p.display()));
    let inputs: Vec<Tensor> = numbered(dir, "input")
        .iter()
        .map(read)
        .collect::<Result<_, _>>()?;
    let expected: Vec<Tensor> = numbered(dir, "expected")
        .iter()
        .map(read)
        .collect::<Result<_, _>>()?;
    let outs = runner.run(&inputs).map_err(|e| format!("run: {e}"))?;
    if outs.len() != expected.len() {
        return Err(format!(
            "{} results, PyTorch has {}",
            outs.len(),
            expected.len()
        ));
    }
    let mut worst = 0.0f64;
    for (k, (got, want)) in outs.iter().zip(&expected).enumerate() {
        // PyTorch's integer results are i64; StableHLO from torch-mlir keeps them.
        let d = if want.dtype.is_float() {
            common::max_abs_diff_within(got, want, ATOL, RTOL)
        } else {
            common::max_abs_diff_within(got, want, 0.0, 0.0)
        }
        .map_err(|e| format!("result {k}: {e}"))?;
        worst = worst.max(d);
    }
    Ok(format!(
        "{} canonical nodes, max |diff| {worst:.1e}",
        graph.nodes.len()
    ))
}

fn programs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return vec![];
    };
    let mut cases: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("program.mlir").is_file())
        .collect();
    cases.sort();
    cases
}

/// Runs every program under `tests/<folder>` (and the `--big` ones under
/// `build/<big>` when present) and checks the lines against the expectations.
fn run_corpus(folder: &str, big: &str, what: &str, import: Import) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("tests").join(folder);
    let cases = programs(&root);
    assert!(
        cases.len() >= AT_LEAST,
        "expected at least {AT_LEAST} torch-mlir programs in {}, found {}",
        root.display(),
        cases.len()
    );
    let mut render = String::new();
    let mut passing = 0;
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // A panic is a failure of the reader, never an outcome to record.
        match check_program(dir, import) {
            Ok(detail) => {
                passing += 1;
                eprintln!("torch-mlir {what}: {name}: pass ({detail})");
                render.push_str(&format!("{name} pass\n"));
            }
            Err(e) => {
                eprintln!("torch-mlir {what}: {name}: FAIL {e}");
                render.push_str(&format!("{name} fail\n"));
            }
        }
    }
    eprintln!(
        "{passing} of {} torch-mlir {what} programs pass",
        cases.len()
    );
    let big = programs(&manifest.join("build").join(big));
    if big.is_empty() {
        eprintln!(
            "the full-width models are not generated (fixtures/make_torch_mlir_stablehlo.py --big): skipped"
        );
    }
    for dir in &big {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        match check_program(dir, import) {
            Ok(detail) => eprintln!("torch-mlir {what} (big): {name}: pass ({detail})"),
            Err(e) => eprintln!("torch-mlir {what} (big): {name}: FAIL {e}"),
        }
    }
    common::check_expectations(&root.join("expectations.txt"), &render);
}

#[test]
fn torch_mlir_programs_match_pytorch() {
    run_corpus(
        "torch_mlir_stablehlo",
        "torch-mlir-stablehlo-big",
        "StableHLO",
        o2l_stablehlo::import_text,
    );
}

/// The same modules printed as TOSA (`output_type="tosa"`), through the TOSA
/// frontend, against tests/torch_mlir_tosa/expectations.txt.
#[test]
fn torch_mlir_tosa_programs_match_pytorch() {
    run_corpus(
        "torch_mlir_tosa",
        "torch-mlir-tosa-big",
        "TOSA",
        o2l_tosa::import_text,
    );
}
