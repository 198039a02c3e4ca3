//! `--linalg generic` and `--bufferize` compute what the default form
//! computes: every model fixture, lowered in each form and run by the JIT on
//! its fixture inputs, gives results equal to the default form's, bit for bit
//! (the forms differ in how ops are written, not in the arithmetic).
//! `tests/ir/forms.test` checks the same outputs with upstream `mlir-opt`.
//! Recurrences imported as loops (`run`'s and `check`'s limit) and unrolled
//! (`convert`'s) compute the same bits too, and so does a graph compiled as
//! two parts side by side (`onnx2linalg::parts`) and as one module.
// Test code: a failed expectation is a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use onnx2linalg::{
    ImportOptions, JIT_MAX_UNROLLED_STEPS, JitSplit, Limits, LinalgForm, LowerOptions, Runner,
    RunnerOptions, Tensor, npy,
};

/// Why two results differ bitwise (NaNs equal), or None.
fn differs(got: &Tensor, want: &Tensor) -> Option<String> {
    if got.dtype != want.dtype || got.dims != want.dims {
        return Some(format!(
            "{} {:?}, default form {} {:?}",
            got.dtype, got.dims, want.dtype, want.dims
        ));
    }
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let (g, w) = (got.to_f64s(), want.to_f64s());
    let at = g.iter().zip(&w).position(|(&a, &b)| !same(a, b))?;
    Some(format!(
        "at flat index {at}: {} vs default {}",
        g[at], w[at]
    ))
}

#[test]
fn generic_and_bufferized_forms_run_equal_to_the_default_form() {
    let forms = [
        (
            "--linalg generic",
            LowerOptions {
                linalg: LinalgForm::Generic,
                ..Default::default()
            },
        ),
        (
            "--bufferize",
            LowerOptions {
                bufferize: true,
                ..Default::default()
            },
        ),
    ];
    let mut failures = Vec::new();
    let all = crate::models::fixtures();
    for f in &all {
        let graph = onnx2linalg::import_onnx(&f.model, &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        let inputs: Vec<Tensor> = f
            .inputs
            .iter()
            .map(|(_, p)| npy::read_file(p).unwrap())
            .collect();
        let reference = Runner::new(&graph)
            .and_then(|r| r.run(&inputs))
            .unwrap_or_else(|e| panic!("{}: default form: {e}", f.name));
        for (flag, options) in &forms {
            let got = Runner::with_lower_options(&graph, options).and_then(|r| r.run(&inputs));
            match got {
                Err(e) => failures.push(format!("{} {flag}: {e}", f.name)),
                Ok(got) => {
                    for (k, (g, w)) in got.iter().zip(&reference).enumerate() {
                        if let Some(why) = differs(g, w) {
                            failures.push(format!("{} {flag}: output {k}: {why}", f.name));
                        }
                    }
                }
            }
        }
    }
    assert!(all.len() >= 30, "only {} model fixtures", all.len());
    assert!(
        failures.is_empty(),
        "{} of {} runs differ from the default form:\n  {}",
        failures.len(),
        all.len() * forms.len(),
        failures.join("\n  ")
    );
}

/// Every model fixture whose recurrences `run` imports as loops and
/// `convert` unrolls gives the same bits both ways on its fixture inputs.
#[test]
fn looped_and_unrolled_recurrences_run_equal() {
    let import = |f: &crate::models::Fixture, max_unrolled_steps| {
        let limits = Limits {
            max_unrolled_steps,
            ..Limits::default()
        };
        let options = ImportOptions {
            limits,
            ..ImportOptions::default()
        };
        onnx2linalg::import_onnx(&f.model, &options).unwrap_or_else(|e| panic!("{}: {e}", f.name))
    };
    let has_loop = |g: &onnx2linalg::Graph| g.nodes.iter().any(|n| n.op.name() == "Loop");
    let mut compared = Vec::new();
    for f in crate::models::fixtures() {
        let looped = import(&f, JIT_MAX_UNROLLED_STEPS);
        let unrolled = import(&f, Limits::default().max_unrolled_steps);
        if !has_loop(&looped) || has_loop(&unrolled) {
            continue;
        }
        let inputs: Vec<Tensor> = f
            .inputs
            .iter()
            .map(|(_, p)| npy::read_file(p).unwrap())
            .collect();
        let run = |g: &onnx2linalg::Graph| Runner::new(g).and_then(|r| r.run(&inputs)).unwrap();
        for (k, (a, b)) in run(&looped).iter().zip(&run(&unrolled)).enumerate() {
            assert!(
                differs(a, b).is_none(),
                "{} output {k}: {:?}",
                f.name,
                differs(a, b)
            );
        }
        compared.push(f.name.clone());
    }
    // The LSTM tagger (8 steps each way) at least.
    assert!(
        compared.iter().any(|n| n.starts_with("lstm_tagger")),
        "{compared:?}"
    );
}

/// Every model fixture that `run` compiles as two parts (its inputs pinned to
/// the fixture's shapes, as `run` pins them) gives the same bits as one
/// module.
#[test]
fn split_and_whole_graphs_run_equal() {
    let mut compared = Vec::new();
    for f in crate::models::fixtures() {
        let inputs: Vec<Tensor> = f
            .inputs
            .iter()
            .map(|(_, p)| npy::read_file(p).unwrap())
            .collect();
        let options = ImportOptions {
            input_shapes: f
                .inputs
                .iter()
                .zip(&inputs)
                .map(|((name, _), t)| (name.clone(), t.dims.clone()))
                .collect(),
            limits: Limits {
                max_unrolled_steps: JIT_MAX_UNROLLED_STEPS,
                ..Limits::default()
            },
            ..ImportOptions::default()
        };
        let graph = onnx2linalg::import_onnx(&f.model, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        if onnx2linalg::parts::halves(&graph).is_none() {
            continue;
        }
        let runner = |split| {
            let options = RunnerOptions {
                split,
                ..RunnerOptions::default()
            };
            Runner::with_options(&graph, &options).unwrap_or_else(|e| panic!("{}: {e}", f.name))
        };
        let (split, whole) = (runner(JitSplit::Auto), runner(JitSplit::Never));
        assert_eq!(split.timings().parts, 2, "{}", f.name);
        assert_eq!(whole.timings().parts, 1, "{}", f.name);
        // In the graph's input order.
        let inputs: Vec<Tensor> = split
            .inputs()
            .iter()
            .map(|(name, _)| {
                let k = f.inputs.iter().position(|(n, _)| n == name).unwrap();
                inputs[k].clone()
            })
            .collect();
        let (a, b) = (split.run(&inputs).unwrap(), whole.run(&inputs).unwrap());
        assert_eq!(a.len(), b.len(), "{}", f.name);
        for (k, (a, b)) in a.iter().zip(&b).enumerate() {
            assert!(differs(a, b).is_none(), "{} output {k}: {:?}", f.name, differs(a, b));
        }
        compared.push(f.name.clone());
    }
    // 30 of the 41 fixtures split today; the bound catches a split that
    // silently stopped happening.
    assert!(compared.len() >= 25, "{compared:?}");
}

#[test]
fn the_upstream_lowering_test_lists_every_model_fixture() {
    let test = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ir/forms.test");
    let text = std::fs::read_to_string(&test).unwrap();
    let missing: Vec<String> = crate::models::fixtures()
        .into_iter()
        .map(|f| format!("{}.onnx", f.name))
        .filter(|file| {
            !text.contains(&format!("models/{file} |"))
                || !text.contains(&format!("models/{file} --linalg generic --bufferize |"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "tests/ir/forms.test does not run these fixtures in both forms: {}",
        missing.join(", ")
    );
}
