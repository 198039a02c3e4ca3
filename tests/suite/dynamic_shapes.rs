//! Models with symbolic `batch` and `seq` input dims, converted once without
//! pinning and called at several shapes through that one compiled module.
//!
//! Each fixture NAME with a folder `fixtures/models/NAME/shapes/` (written by
//! fixtures/make_shape_sets.py) holds one folder per shape, `BxS/`, with
//! `input_<input>.npy` and onnxruntime's `expected_<output>.npy`. For every
//! such model the test checks that the unpinned import keeps its inputs
//! symbolic (and the emitted `func.func` takes `?x?` tensors), that the one
//! `Runner` matches at every shape, and that pinning `batch` and `seq` gives
//! static inputs instead.
// Test code: a failed expectation is a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::max_abs_diff_within;
use onnx2linalg::{Dim, Graph, ImportOptions, LowerOptions, Runner, Tensor, Weights, npy};
use std::path::{Path, PathBuf};

/// |got - expected| <= ATOL + RTOL * |expected|, elementwise (as models.rs).
const ATOL: f64 = 1e-4;
const RTOL: f64 = 1e-4;

/// Fewer fixtures with shape sets than this means the fixtures went missing,
/// not that there is nothing to test.
const MIN_MODELS_WITH_SHAPE_SETS: usize = 2;

/// The pins that must turn every symbolic input dim static (the fixtures' own 2x8).
const PINNED_DIMS: [(&str, u64); 2] = [("batch", 2), ("seq", 8)];

/// Models that do not yet convert unpinned or do not match at some shape, with
/// why. The test asserts that each still fails: when one is fixed, remove it.
const KNOWN_FAILING: &[(&str, &str)] = &[];

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models")
}

/// A model with shape sets: its name, its `.onnx` and its `shapes/BxS/` folders.
struct DynamicFixture {
    name: String,
    model: PathBuf,
    shape_sets: Vec<PathBuf>,
}

/// Every fixture folder that has a `shapes/` folder, sorted by name; a
/// `shapes/` folder without a model or without any shape set is a failure.
fn dynamic_fixtures() -> Vec<DynamicFixture> {
    let dir = models_dir();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let shapes = entry.unwrap().path().join("shapes");
        if !shapes.is_dir() {
            continue;
        }
        let name = shapes
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let model = dir.join(format!("{name}.onnx"));
        assert!(
            model.is_file(),
            "{} has no model {}",
            shapes.display(),
            model.display()
        );
        let mut shape_sets: Vec<PathBuf> = std::fs::read_dir(&shapes)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        shape_sets.sort();
        assert!(
            !shape_sets.is_empty(),
            "{}: no shape sets",
            shapes.display()
        );
        found.push(DynamicFixture {
            name,
            model,
            shape_sets,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The graph's input types, `name: type`, for messages.
fn describe_inputs(graph: &Graph) -> String {
    graph
        .inputs
        .iter()
        .map(|&v| format!("{}: {}", graph.value(v).name, graph.ty(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ok when every dim of every graph input satisfies `wanted`.
fn check_input_dims(
    graph: &Graph,
    wanted: impl Fn(&Dim) -> bool,
    what: &str,
) -> Result<(), String> {
    let all = graph
        .inputs
        .iter()
        .all(|&v| graph.ty(v).shape.iter().all(&wanted));
    if all && !graph.inputs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "inputs are not all {what}: {}",
            describe_inputs(graph)
        ))
    }
}

/// The arguments of the emitted `func.func` (weights elided: only types matter).
fn signature_args(graph: &Graph) -> Result<String, String> {
    let options = LowerOptions {
        weights: Weights::Elide,
        ..Default::default()
    };
    let text = onnx2linalg::lower(graph, &options).map_err(|e| format!("lowering: {e}"))?;
    let text = String::from_utf8(text).unwrap();
    let header = format!("func.func @{}(", onnx2linalg::function_name(graph));
    let line = text
        .lines()
        .find(|l| l.contains(&header))
        .ok_or_else(|| format!("no `{header}` in the lowered module"))?;
    Ok(line.split(") ->").next().unwrap_or(line).trim().to_string())
}

/// Each argument must be a tensor whose leading (batch, seq) dims are `?`.
fn check_signature_is_dynamic(graph: &Graph) -> Result<(), String> {
    let args = signature_args(graph)?;
    let dynamic_args = args.matches("tensor<?x?x").count();
    if dynamic_args == graph.inputs.len() {
        Ok(())
    } else {
        Err(format!(
            "{dynamic_args} of {} arguments are tensor<?x?x...>: {args}",
            graph.inputs.len()
        ))
    }
}

/// No argument may have a `?` dim.
fn check_signature_is_static(graph: &Graph) -> Result<(), String> {
    let args = signature_args(graph)?;
    if args.contains('?') {
        Err(format!("pinned, the signature still has `?` dims: {args}"))
    } else {
        Ok(())
    }
}

fn read_npy(path: &Path) -> Result<Tensor, String> {
    npy::read_file(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Calls `runner` at one shape set; the largest |diff| over its outputs.
fn run_shape_set(runner: &Runner, shape_set: &Path) -> Result<f64, String> {
    let inputs = runner
        .inputs()
        .iter()
        .map(|(name, _)| read_npy(&shape_set.join(format!("input_{name}.npy"))))
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = runner.run(&inputs).map_err(|e| format!("run: {e}"))?;
    let expected_files = std::fs::read_dir(shape_set)
        .unwrap()
        .filter(|e| {
            let file = e.as_ref().unwrap().file_name();
            file.to_string_lossy().starts_with("expected_")
        })
        .count();
    if expected_files != runner.outputs().len() {
        return Err(format!(
            "{expected_files} expected_*.npy files for {} outputs",
            runner.outputs().len()
        ));
    }
    let mut worst = 0.0f64;
    for ((name, _), got) in runner.outputs().iter().zip(&outputs) {
        let want = read_npy(&shape_set.join(format!("expected_{name}.npy")))?;
        let diff = max_abs_diff_within(got, &want, ATOL, RTOL)
            .map_err(|why| format!("output \"{name}\": {why}"))?;
        worst = worst.max(diff);
    }
    Ok(worst)
}

/// Every check on one model; Ok is a one-line summary, Err the first problem.
fn check_model(f: &DynamicFixture) -> Result<String, String> {
    let unpinned = onnx2linalg::import_onnx(&f.model, &ImportOptions::default())
        .map_err(|e| format!("does not convert without pins: {e}"))?;
    check_input_dims(&unpinned, |d| matches!(d, Dim::Symbol(_)), "symbolic")?;
    check_signature_is_dynamic(&unpinned)?;

    let pins = ImportOptions {
        dims: PINNED_DIMS
            .iter()
            .map(|&(n, v)| (n.to_string(), v))
            .collect(),
        ..Default::default()
    };
    let pinned = onnx2linalg::import_onnx(&f.model, &pins)
        .map_err(|e| format!("does not convert with batch=2, seq=8: {e}"))?;
    check_input_dims(
        &pinned,
        |d| matches!(d, Dim::Known(_)),
        "static with batch=2, seq=8",
    )?;
    check_signature_is_static(&pinned)?;

    // One compiled module for every shape: no re-conversion per shape.
    let runner = Runner::new(&unpinned).map_err(|e| format!("compiling: {e}"))?;
    let mut per_shape = Vec::new();
    for shape_set in &f.shape_sets {
        let label = shape_set
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let diff = run_shape_set(&runner, shape_set).map_err(|why| format!("at {label}: {why}"))?;
        per_shape.push(format!("{label} {diff:.2e}"));
    }
    Ok(format!("max |diff| {}", per_shape.join(", ")))
}

#[test]
fn dynamic_models_convert_once_and_match_at_every_shape() {
    let fixtures = dynamic_fixtures();
    assert!(
        fixtures.len() >= MIN_MODELS_WITH_SHAPE_SETS,
        "{} fixtures with shapes/ folders, expected at least {MIN_MODELS_WITH_SHAPE_SETS}: run fixtures/make_shape_sets.py",
        fixtures.len()
    );
    for (name, _) in KNOWN_FAILING {
        assert!(
            fixtures.iter().any(|f| f.name == *name),
            "KNOWN_FAILING names {name}, which has no shape sets"
        );
    }

    let mut problems = Vec::new();
    for f in &fixtures {
        let known = KNOWN_FAILING.iter().find(|(n, _)| *n == f.name);
        match (check_model(f), known) {
            (Ok(note), None) => eprintln!("dynamic {}: ok ({note})", f.name),
            (Err(why), Some((_, reason))) => {
                eprintln!("dynamic {}: fails as known ({reason}): {why}", f.name)
            }
            (Err(why), None) => {
                eprintln!("dynamic {}: FAILED: {why}", f.name);
                problems.push(format!("{}: {why}", f.name));
            }
            (Ok(note), Some(_)) => problems.push(format!(
                "{} now passes ({note}): remove it from KNOWN_FAILING",
                f.name
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} dynamic models failed:\n{}",
        problems.len(),
        fixtures.len(),
        problems.join("\n")
    );
}

/// What a conversion assumes about run-time dims (tests/op_cases: a Squeeze
/// without axes over a run-time dim, an If whose branches differ in rank) is
/// a warning and a run-time check: converted once without pins, the module
/// matches every data set, and a call that breaks the assumption stops the
/// program with the check's message (in a child process: the check aborts).
#[test]
fn run_time_assumptions_are_warned_checked_and_fail_loudly() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/op_cases");
    for (case, warned) in [
        ("squeeze_no_axes_run_time_dim", "assuming it is not 1"),
        ("if_rank_by_run_time_dim", "the then branch is kept"),
    ] {
        let dir = cases.join(case);
        let imported = onnx2linalg::import_onnx_with_warnings(
            &dir.join("model.onnx"),
            &ImportOptions::default(),
        )
        .unwrap();
        assert!(
            imported.warnings.iter().any(|w| w.contains(warned)),
            "{case}: {:?}",
            imported.warnings
        );
        check_input_dims(&imported.graph, |_| true, "any")
            .and_then(|()| signature_args(&imported.graph))
            .map(|args| assert!(args.contains('?'), "{case}: {args}"))
            .unwrap();
        let runner = Runner::new(&imported.graph).unwrap();
        for set in ["test_data_set_0", "test_data_set_1"] {
            let x = onnx2linalg::read_tensor_file(&dir.join(set).join("input_0.pb")).unwrap();
            let want = onnx2linalg::read_tensor_file(&dir.join(set).join("output_0.pb")).unwrap();
            let got = runner.run(&[x]).unwrap();
            max_abs_diff_within(&got[0], &want, ATOL, RTOL)
                .unwrap_or_else(|why| panic!("{case} {set}: {why}"));
        }
    }
    // N = 1 breaks the Squeeze's assumption: the run stops, naming the node.
    let scratch = crate::common::scratch("dynamic_shapes", "run_time_check");
    let x = scratch.join("x.npy");
    let ones = Tensor::from_f64s(onnx2linalg::DType::F32, vec![1, 1, 3], &[1.0; 3]).unwrap();
    std::fs::write(&x, npy::write(&ones)).unwrap();
    let out = crate::common::bin()
        .arg("run")
        .arg("--dynamic")
        .arg(cases.join("squeeze_no_axes_run_time_dim/model.onnx"))
        .arg("--input")
        .arg(format!("x={}", x.display()))
        .arg("--output-dir")
        .arg(scratch.join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("onnx2linalg: run-time check failed: node \"sq\" (Squeeze")
            && stdout.contains("assuming it is not 1"),
        "{stdout}"
    );
}
