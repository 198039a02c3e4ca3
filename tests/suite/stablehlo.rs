//! StableHLO programs written by JAX (tests/stablehlo/<case>/program.mlir,
//! from tests/stablehlo/make_programs.py) through our reader, the canonical
//! table and our lowering, run on the JIT with the inputs JAX was given and
//! compared with JAX's outputs (floats within 1e-4 + 1e-4·|x|, integers and
//! bools exactly). A case holding expect_error.txt must fail to convert with
//! an error containing its text. Prints a pass/fail count per StableHLO op
//! and per model; every case must pass.
#![allow(clippy::unwrap_used)]
use onnx2linalg::{Runner, Tensor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn agree(ours: &Tensor, jax: &Tensor) -> Result<(), String> {
    if ours.dims != jax.dims || ours.dtype != jax.dtype {
        return Err(format!(
            "shape/type {:?} {:?} vs JAX {:?} {:?}",
            ours.dims, ours.dtype, jax.dims, jax.dtype
        ));
    }
    let (a, b) = (ours.to_f64s(), jax.to_f64s());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let ok = if ours.dtype.is_float() {
            (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-4 + 1e-4 * y.abs()
        } else {
            x == y
        };
        if !ok {
            return Err(format!("element {i}: ours {x}, JAX {y}"));
        }
    }
    Ok(())
}

fn numbered(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    (0..)
        .map(|k| dir.join(format!("{prefix}_{k}.npy")))
        .take_while(|p| p.is_file())
        .collect()
}

fn check_case(dir: &Path) -> Result<usize, String> {
    let source = std::fs::read_to_string(dir.join("program.mlir")).map_err(|e| e.to_string())?;
    let imported = o2l_stablehlo::import_text(&source, None);
    if let Ok(want) = std::fs::read_to_string(dir.join("expect_error.txt")) {
        return match imported {
            Ok(_) => Err(format!(
                "converted, but should fail with \"{}\"",
                want.trim()
            )),
            Err(e) if e.to_string().contains(want.trim()) => Ok(0),
            Err(e) => Err(format!("wrong error: {e}")),
        };
    }
    let graph = imported.map_err(|e| format!("import: {e}"))?;
    let runner = Runner::new(&graph).map_err(|e| format!("lowering: {e}"))?;
    let inputs: Vec<Tensor> = numbered(dir, "input")
        .iter()
        .map(|p| onnx2linalg::npy::read_file(p).unwrap())
        .collect();
    let expected: Vec<Tensor> = numbered(dir, "expected")
        .iter()
        .map(|p| onnx2linalg::npy::read_file(p).unwrap())
        .collect();
    let outs = runner.run(&inputs).map_err(|e| format!("run: {e}"))?;
    if outs.len() != expected.len() {
        return Err(format!(
            "{} results, JAX has {}",
            outs.len(),
            expected.len()
        ));
    }
    for (k, (x, y)) in outs.iter().zip(&expected).enumerate() {
        agree(x, y).map_err(|e| format!("result {k}: {e}"))?;
    }
    Ok(graph.nodes.len())
}

/// `op_reduce_window_max` -> `reduce_window`; `model_mlp_generic` -> `model mlp`.
fn group(case: &str, ops: &[String]) -> String {
    if let Some(m) = case.strip_prefix("model_") {
        return format!("model {}", m.trim_end_matches("_generic"));
    }
    let rest = case.strip_prefix("op_").unwrap_or(case);
    ops.iter()
        .filter(|o| rest == o.as_str() || rest.starts_with(&format!("{o}_")))
        .max_by_key(|o| o.len())
        .cloned()
        .unwrap_or_else(|| rest.to_string())
}

#[test]
fn jax_programs_match_jax() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stablehlo");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("program.mlir").is_file())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 50,
        "expected the JAX cases in {}",
        root.display()
    );
    let mut ops: Vec<String> = o2l_stablehlo::rules()
        .map(|r| r.op.trim_start_matches("stablehlo.").to_string())
        .chain(o2l_stablehlo::gaps().map(|(o, _)| o.trim_start_matches("stablehlo.").to_string()))
        .collect();
    ops.sort();
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failed = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let entry = tally.entry(group(&name, &ops)).or_default();
        match check_case(dir) {
            Ok(nodes) => {
                entry.0 += 1;
                eprintln!("stablehlo: {name}: ok ({nodes} canonical nodes)");
            }
            Err(e) => {
                entry.1 += 1;
                eprintln!("stablehlo: {name}: FAIL {e}");
                failed.push(format!("{name}: {e}"));
            }
        }
    }
    eprintln!("\nper op / model: pass fail");
    for (g, (p, f)) in &tally {
        eprintln!("  {g:32} {p:3} {f:3}");
    }
    let passing = tally.values().filter(|(_, f)| *f == 0).count();
    eprintln!(
        "{} groups, {passing} all passing; {} of {} cases fail",
        tally.len(),
        failed.len(),
        cases.len()
    );
    assert!(
        failed.is_empty(),
        "StableHLO cases failed:\n{}",
        failed.join("\n")
    );
}
