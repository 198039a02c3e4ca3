//! TOSA programs (tests/tosa/*.mlir) through our importer and lowering,
//! against MLIR's own tosa-to-linalg lowering of the same program: both run
//! on the JIT with the same seeded inputs and must agree (floats within
//! 1e-5 + 1e-4·|x|, integers and bools exactly).
#![allow(clippy::unwrap_used)]
use melior::dialect::DialectRegistry;
use melior::ir::Module;
use melior::pass::PassManager;
use melior::utility::{parse_pass_pipeline, register_all_dialects, register_all_passes};
use onnx2linalg::{DType, Runner, Tensor, TensorType};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

/// MLIR's upstream lowering of a TOSA program to linalg on tensors (text),
/// the oracle: `tosa-optional-decompositions` (transpose_conv2d as conv2d),
/// `tosa-to-scf` (scatter, cond_if, while_loop), `tosa-to-linalg-named`,
/// `tosa-to-linalg`, `tosa-to-arith` (with apply_scale), `tosa-to-tensor`,
/// then `canonicalize`. Test code, never part of conversion.
fn upstream_linalg(source: &str) -> Result<String, String> {
    o2l_canon::register_mlir_passes_once(register_all_passes);
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    let context = melior::Context::new_with_registry(&registry, false);
    context.load_all_available_dialects();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    context.attach_diagnostic_handler(move |d| {
        sink.borrow_mut().push(format!("{}: {}", d.location(), d));
        true
    });
    let mut module = Module::parse(&context, source).ok_or("not a valid MLIR module")?;
    let pm = PassManager::new(&context);
    parse_pass_pipeline(
        pm.as_operation_pass_manager(),
        "builtin.module(func.func(tosa-optional-decompositions,tosa-to-scf,tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith{include-apply-rescale=true},tosa-to-tensor),canonicalize)",
    )
    .map_err(|e| format!("the upstream pipeline: {e}"))?;
    pm.run(&mut module).map_err(|_| {
        format!(
            "upstream tosa-to-linalg failed: {}",
            seen.borrow().join("; ")
        )
    })?;
    Ok(module.as_operation().to_string())
}

/// Seeded inputs: floats in [-2, 2), integers in [-5, 5), random bools.
fn inputs_for(types: &[(String, TensorType)], seed: u64) -> Vec<Tensor> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    types
        .iter()
        .map(|(_, t)| {
            let dims = t.known_dims().unwrap();
            let n: u64 = dims.iter().product();
            if t.dtype.is_float() {
                let v: Vec<f64> = (0..n).map(|_| next() * 4.0 - 2.0).collect();
                Tensor::from_f64s(t.dtype, dims, &v).unwrap()
            } else if t.dtype == DType::Bool {
                let v: Vec<i64> = (0..n).map(|_| i64::from(next() < 0.5)).collect();
                Tensor::from_i64s(t.dtype, dims, &v).unwrap()
            } else {
                let v: Vec<i64> = (0..n).map(|_| (next() * 10.0) as i64 - 5).collect();
                Tensor::from_i64s(t.dtype, dims, &v).unwrap()
            }
        })
        .collect()
}

fn agree(ours: &Tensor, oracle: &Tensor) -> Result<(), String> {
    if ours.dims != oracle.dims || ours.dtype != oracle.dtype {
        return Err(format!(
            "shape/type {:?} {:?} vs {:?} {:?}",
            ours.dims, ours.dtype, oracle.dims, oracle.dtype
        ));
    }
    let (a, b) = (ours.to_f64s(), oracle.to_f64s());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let ok = if ours.dtype.is_float() {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-5 + 1e-4 * y.abs()
        } else {
            x == y
        };
        if !ok {
            return Err(format!("element {i}: ours {x}, upstream {y}"));
        }
    }
    Ok(())
}

/// The program's inputs at `seed` and the outputs of MLIR's upstream
/// lowering of it on those inputs (the oracle of the test below; the IREE
/// test compares IREE's outputs of our MLIR with them).
pub(crate) fn upstream_case(path: &Path, seed: u64) -> Result<(Vec<Tensor>, Vec<Tensor>), String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let graph = o2l_tosa::import_text(&source, None).map_err(|e| format!("import: {e}"))?;
    let inputs = inputs_for(&graph_inputs(&graph), seed);
    let out_types: Vec<TensorType> = graph.outputs.iter().map(|&v| graph.ty(v).clone()).collect();
    let upstream = upstream_linalg(&source)?;
    let oracle = o2l_jit::compile(&upstream, &graph.name).map_err(|e| format!("upstream: {e}"))?;
    let outputs = oracle
        .run(&inputs, &out_types)
        .map_err(|e| format!("upstream run: {e}"))?;
    Ok((inputs, outputs))
}

/// The graph's inputs as (name, type), in order.
fn graph_inputs(graph: &o2l_canon::Graph) -> Vec<(String, TensorType)> {
    graph
        .inputs
        .iter()
        .map(|&v| (graph.value(v).name.clone(), graph.ty(v).clone()))
        .collect()
}

fn check_program(path: &Path) -> Result<usize, String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let graph = o2l_tosa::import_text(&source, None).map_err(|e| format!("import: {e}"))?;
    let ours = Runner::new(&graph).map_err(|e| format!("our lowering: {e}"))?;
    let upstream = upstream_linalg(&source)?;
    let oracle = o2l_jit::compile(&upstream, &graph.name).map_err(|e| format!("upstream: {e}"))?;
    let out_types: Vec<TensorType> = ours.outputs().iter().map(|(_, t)| t.clone()).collect();
    for seed in [1, 2, 3, 4] {
        let inputs = inputs_for(ours.inputs(), seed);
        let a = ours.run(&inputs).map_err(|e| format!("ours: {e}"))?;
        let b = oracle
            .run(&inputs, &out_types)
            .map_err(|e| format!("upstream run: {e}"))?;
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            agree(x, y).map_err(|e| format!("result {k} (seed {seed}): {e}"))?;
        }
    }
    Ok(graph.nodes.len())
}

#[test]
fn tosa_programs_match_upstream_lowering() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tosa");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mlir"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "expected TOSA programs in {}",
        dir.display()
    );
    let mut failed = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        match check_program(f) {
            Ok(nodes) => eprintln!("tosa: {name}: ok ({nodes} canonical nodes)"),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failed.is_empty(),
        "TOSA programs failed:\n{}",
        failed.join("\n")
    );
}
