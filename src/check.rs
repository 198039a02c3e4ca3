//! Checking a model against ONNX backend-test data: `test_data_set_*/input_N.pb`
//! and `output_N.pb` next to the model. The model is imported, compiled with
//! the JIT (through the object cache when [`RunnerOptions::cache_dir`] is set),
//! run on every data set's inputs, and every output compared with the
//! expected one. What `onnx2linalg check` and `onnx2linalg batch --check` run.
use crate::{
    DType, Error, Estimates, ImportOptions, Result, Runner, RunnerOptions, RunnerTimings, Tensor,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Float tolerance: |got - expected| <= ATOL + max(RTOL * |expected|, one unit
/// in the last place of `expected` in the output's type). The second term only
/// matters for the types coarser than RTOL (bf16: 8 significant bits), where a
/// different rounding point in an intermediate moves the result by one unit.
pub const RTOL: f64 = 1e-3;
/// See [`RTOL`].
pub const ATOL: f64 = 1e-5;

/// The allowed |got - expected| for an `expected` value of type `dtype`.
fn tolerance(dtype: DType, expected: f64) -> f64 {
    let mantissa_bits = match dtype {
        DType::BF16 => 7,
        DType::F16 => 10,
        _ => return ATOL + RTOL * expected.abs(),
    };
    let ulp = if expected == 0.0 || !expected.is_finite() {
        0.0
    } else {
        2f64.powi(expected.abs().log2().floor() as i32 - mantissa_bits)
    };
    ATOL + (RTOL * expected.abs()).max(ulp)
}

/// How a check imports and compiles the model.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The import options (pins, limits); bound inputs are added to them.
    pub import: ImportOptions,
    /// When the import refuses a shape operand because a graph input computes
    /// it, bind that input to its test value and retry (recompiling per data set).
    pub bind_runtime_operands: bool,
    /// For a model that computes in float16 (a float16 conversion of a float32
    /// model): also accept, in every float output, a difference of up to this
    /// many float16 units in the last place of the output's largest expected
    /// magnitude. See [`compare_with`].
    pub f16_ulps: Option<u32>,
    /// Pipeline and object cache.
    pub runner: RunnerOptions,
}

/// What a check reports as it goes, in order (`set` is the data set's folder name).
pub enum CheckEvent<'a> {
    /// The import's warnings (once per compile).
    Warnings(&'a [String]),
    /// The model was compiled (once, or once per data set when inputs are bound).
    Compiled(&'a RunnerTimings),
    /// The graph inputs bound to their values for this data set.
    Bound { set: &'a str, inputs: &'a [String] },
    /// Where the time of this data set went (compile timings are the last compile's).
    Timings {
        set: &'a str,
        import: Duration,
        compile: &'a RunnerTimings,
        execution: Duration,
    },
    /// Every output matched.
    Passed { set: &'a str, outputs: usize },
    /// One output did not match: `problem` names it and says why.
    Mismatch { set: &'a str, problem: &'a str },
}

/// The outcome of a check that ran to the end.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Every output of every data set matched.
    pub passed: bool,
    /// The first mismatch, `SET: output "NAME" (#K): why`.
    pub first_mismatch: Option<String>,
    /// Data sets run.
    pub data_sets: usize,
    /// Times the model was compiled (more than one when inputs were bound).
    pub compiles: usize,
    /// How many of those compiles loaded their object from the cache.
    pub cache_hits: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(format!("{}: {e}", path.display()))
}

/// Files `<prefix><N>.pb` in `dir`, ordered by N; N must run 0, 1, 2, ...
fn numbered(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(n) = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(".pb"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            found.push((n, entry.path()));
        }
    }
    found.sort();
    for (i, (n, _)) in found.iter().enumerate() {
        if *n != i {
            return Err(Error::invalid(format!(
                "{}: {prefix}{i}.pb is missing",
                dir.display()
            )));
        }
    }
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<Tensor>> {
    paths.iter().map(|p| crate::read_tensor_file(p)).collect()
}

/// The `test_data_set_*` folders of `dir`, sorted (none: an empty list).
fn data_set_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut sets = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("test_data_set_")
            && entry.path().is_dir()
        {
            sets.push(entry.path());
        }
    }
    sets.sort();
    Ok(sets)
}

/// Whether `dir` holds test data: a `test_data_set_*` folder with an
/// `input_N.pb` or `output_N.pb` file.
pub fn has_test_data(dir: &Path) -> bool {
    let is_data = |name: &str| {
        (name.starts_with("input_") || name.starts_with("output_")) && name.ends_with(".pb")
    };
    data_set_dirs(dir).is_ok_and(|sets| {
        sets.iter().any(|set| {
            std::fs::read_dir(set).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| is_data(&e.file_name().to_string_lossy()))
            })
        })
    })
}

/// A compiled model and the graph inputs bound to constants for it.
struct Prepared {
    runner: Runner,
    bound: Vec<String>,
    import: Duration,
}

/// Inputs that may hold shape operands (sizes, bounds): at most this many elements.
const SHAPE_LIKE_ELEMENTS: u64 = 8;

/// For a graph with symbolic inputs, its estimates (`Estimates`) made on the
/// model imported again with its inputs pinned to the shapes of `inputs`
/// (named `names`): the code stays symbolic, but its effort and whether it
/// keeps its temporaries follow the data it is checked on, as `run`'s do.
/// Without them a model with symbolic inputs compiled at `Full` (the
/// corpus's PaddleOCR classifier was checked in 1.75 s; now 0.23 s). None
/// when the inputs are static or the pinned import fails.
fn pinned_estimates(
    model: &Path,
    options: &RunnerOptions,
    import: &ImportOptions,
    graph: &crate::Graph,
    names: &[String],
    inputs: &[Tensor],
) -> Option<Estimates> {
    let symbolic = |ty: &crate::TensorType| ty.shape.iter().any(|d| d.known().is_none());
    if !graph.inputs.iter().any(|&id| symbolic(graph.ty(id))) {
        return None;
    }
    // With the effort given and the temporaries freed, nothing would use them.
    if options.effort.is_some() && !options.runs_once {
        return None;
    }
    let mut pinned = import.clone();
    for (name, t) in names.iter().zip(inputs) {
        if !pinned.input_shapes.iter().any(|(n, _)| n == name) {
            pinned.input_shapes.push((name.clone(), t.dims.clone()));
        }
    }
    let graph = crate::import_onnx_with_warnings(model, &pinned).ok()?.graph;
    Some(Estimates::of(&graph))
}

/// Imports and compiles the model. With `bind`, every graph input the import
/// needs as a constant is bound to its value from `inputs`, one at a time;
/// when the value it needs is computed from graph inputs (a shape built from
/// a `size` input, a trip count from Range bounds), the small inputs are
/// bound together, once.
fn prepare(
    model: &Path,
    names: &[String],
    inputs: &[Tensor],
    options: &CheckOptions,
    on_event: &mut dyn FnMut(CheckEvent<'_>),
) -> Result<Prepared> {
    let start = Instant::now();
    let mut import = options.import.clone();
    let mut widened = false;
    let graph = loop {
        match crate::import_onnx_with_warnings(model, &import) {
            Ok(imported) => {
                on_event(CheckEvent::Warnings(&imported.warnings));
                break imported.graph;
            }
            Err(e) => {
                let Some(wanted) = e
                    .runtime_value
                    .as_deref()
                    .filter(|_| options.bind_runtime_operands)
                else {
                    return Err(e);
                };
                let is_bound =
                    |o: &ImportOptions, n: &str| o.bind_inputs.iter().any(|(b, _)| b == n);
                match names.iter().position(|n| n == wanted) {
                    Some(k) if !is_bound(&import, &names[k]) => {
                        import
                            .bind_inputs
                            .push((names[k].clone(), inputs[k].clone()));
                    }
                    Some(_) => return Err(e),
                    None if !widened => {
                        widened = true;
                        let before = import.bind_inputs.len();
                        for (n, t) in names.iter().zip(inputs) {
                            let small = t.num_elements() <= SHAPE_LIKE_ELEMENTS;
                            if small && !is_bound(&import, n) {
                                import.bind_inputs.push((n.clone(), t.clone()));
                            }
                        }
                        if import.bind_inputs.len() == before {
                            return Err(e);
                        }
                    }
                    None => return Err(e),
                }
            }
        }
    };
    let import_time = start.elapsed();
    let runner_options = RunnerOptions {
        estimates: pinned_estimates(model, &options.runner, &import, &graph, names, inputs),
        ..options.runner.clone()
    };
    let runner = Runner::with_options(&graph, &runner_options)
        .map_err(|e| e.in_file(model.display().to_string()))?;
    // Only the inputs bound here: those the caller's options bind stay bound.
    let bound = import
        .bind_inputs
        .into_iter()
        .skip(options.import.bind_inputs.len())
        .map(|(n, _)| n)
        .collect();
    Ok(Prepared {
        runner,
        bound,
        import: import_time,
    })
}

/// Checks `model` against the test data sets of `data_dir`
/// (`test_data_set_*/input_N.pb`, `output_N.pb`): an error when there are
/// none, when the files do not fit the model, or when the model does not
/// import, compile or run; otherwise the outcome, mismatches included.
pub fn check_model(
    model: &Path,
    data_dir: &Path,
    options: &CheckOptions,
    on_event: &mut dyn FnMut(CheckEvent<'_>),
) -> Result<CheckOutcome> {
    let names: Vec<String> = crate::onnx_inputs(model)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let sets = data_set_dirs(data_dir)?;
    if sets.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no test_data_set_* folders",
            data_dir.display()
        )));
    }
    let mut outcome = CheckOutcome {
        passed: true,
        first_mismatch: None,
        data_sets: 0,
        compiles: 0,
        cache_hits: 0,
    };
    // Code called once (one data set, in a process about to exit) may keep
    // its temporaries (`RunnerOptions::runs_once`); with more sets it frees.
    let options = &CheckOptions {
        runner: RunnerOptions {
            runs_once: options.runner.runs_once && sets.len() == 1,
            ..options.runner.clone()
        },
        ..options.clone()
    };
    let mut prepared: Option<Prepared> = None;
    for set in &sets {
        let label = set
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let inputs = read_all(&numbered(set, "input_")?)?;
        if inputs.len() != names.len() {
            return Err(Error::invalid(format!(
                "{label}: {} input files, the model takes {} ({})",
                inputs.len(),
                names.len(),
                names.join(", ")
            )));
        }
        // Bound values are baked into the compiled model: recompile per data set.
        let reuse = prepared.as_ref().is_some_and(|p| p.bound.is_empty());
        if !reuse {
            let p = prepare(model, &names, &inputs, options, on_event)?;
            outcome.compiles += 1;
            outcome.cache_hits += usize::from(p.runner.timings().cache_hit);
            on_event(CheckEvent::Compiled(p.runner.timings()));
            prepared = Some(p);
        }
        let Some(Prepared {
            runner,
            bound,
            import,
        }) = prepared.as_ref()
        else {
            return Err(Error::internal("the model was not compiled"));
        };
        if !bound.is_empty() {
            on_event(CheckEvent::Bound {
                set: &label,
                inputs: bound,
            });
        }
        // Read after the model converted: a model whose outputs are not
        // tensors fails there with its own reason.
        let expected = read_all(&numbered(set, "output_")?)?;
        let inputs: Vec<Tensor> = names
            .iter()
            .zip(inputs)
            .filter(|(n, _)| !bound.contains(n))
            .map(|(_, t)| t)
            .collect();
        if expected.len() != runner.outputs().len() {
            return Err(Error::invalid(format!(
                "{label}: {} output files, the model has {} outputs",
                expected.len(),
                runner.outputs().len()
            )));
        }
        let start = Instant::now();
        let got = runner
            .run(&inputs)
            .map_err(|e| e.in_file(model.display().to_string()))?;
        on_event(CheckEvent::Timings {
            set: &label,
            import: *import,
            compile: runner.timings(),
            execution: start.elapsed(),
        });
        outcome.data_sets += 1;
        let mut problems = Vec::new();
        for (k, ((name, _), (g, w))) in runner
            .outputs()
            .iter()
            .zip(got.iter().zip(&expected))
            .enumerate()
        {
            if let Some(p) = compare_with(g, w, options.f16_ulps) {
                problems.push(format!("output \"{name}\" (#{k}): {p}"));
            }
        }
        if problems.is_empty() {
            on_event(CheckEvent::Passed {
                set: &label,
                outputs: got.len(),
            });
        } else {
            outcome.passed = false;
            for p in &problems {
                if outcome.first_mismatch.is_none() {
                    outcome.first_mismatch = Some(format!("{label}: {p}"));
                }
                on_event(CheckEvent::Mismatch {
                    set: &label,
                    problem: p,
                });
            }
        }
    }
    Ok(outcome)
}

/// Why `got` does not match `want` (dtype, shape, or values beyond the
/// tolerance, naming the worst or first element), or None when it does.
pub fn compare(got: &Tensor, want: &Tensor) -> Option<String> {
    compare_with(got, want, None)
}

/// [`compare`], also accepting in float outputs a difference of up to
/// `f16_ulps` float16 units in the last place of the largest finite |expected|
/// of the output (the scale of the output, not of each element).
///
/// Why a model computed in float16 needs it: each node rounds its result to
/// float16 (2^-11 relative), and an equally valid evaluation (another
/// accumulation order, or onnxruntime's, which runs a float16 chain in float32
/// when the host has no float16 kernels and skips the roundings between nodes)
/// can land one unit apart on an intermediate. Later layers carry that unit on
/// at the scale of the values they sum, so an output element much smaller than
/// the output's largest one can differ by many of its own units while the
/// difference stays a fraction of a unit at the output's scale.
pub fn compare_with(got: &Tensor, want: &Tensor, f16_ulps: Option<u32>) -> Option<String> {
    if got.dtype != want.dtype {
        return Some(format!("dtype {}, expected {}", got.dtype, want.dtype));
    }
    if got.dims != want.dims {
        return Some(format!("shape {:?}, expected {:?}", got.dims, want.dims));
    }
    if got.dtype.is_float() {
        let (g, w) = (got.to_f64s(), want.to_f64s());
        let scale_allowance = f16_ulps.map_or(0.0, |n| {
            let scale = w
                .iter()
                .filter(|v| v.is_finite())
                .fold(0.0f64, |m, v| m.max(v.abs()));
            if scale > 0.0 {
                f64::from(n) * 2f64.powi(scale.log2().floor() as i32 - 10)
            } else {
                0.0
            }
        });
        let mut bad = 0usize;
        let mut worst: Option<(usize, f64)> = None;
        for (i, (&a, &b)) in g.iter().zip(&w).enumerate() {
            let allowed = tolerance(got.dtype, b).max(scale_allowance);
            let ok = a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= allowed;
            if !ok {
                bad += 1;
                let excess = (a - b).abs() - allowed;
                let excess = if excess.is_nan() {
                    f64::INFINITY
                } else {
                    excess
                };
                if worst.is_none_or(|(_, e)| excess > e) {
                    worst = Some((i, excess));
                }
            }
        }
        // Narrow types print at their own precision.
        let show = |v: f64| {
            if got.dtype == DType::F64 {
                v.to_string()
            } else {
                (v as f32).to_string()
            }
        };
        worst.map(|(i, _)| {
            format!(
                "values differ: {bad} of {} elements; worst at {:?}: got {}, expected {} (tolerance {ATOL:e} + {RTOL:e}*|expected|{}{})",
                g.len(),
                unravel(i, &got.dims),
                show(g[i]),
                show(w[i]),
                if matches!(got.dtype, DType::BF16 | DType::F16) {
                    format!(", or 1 ulp of {}", got.dtype)
                } else {
                    String::new()
                },
                match f16_ulps {
                    Some(n) => format!(", or {n} f16 ulp of the output's scale: {scale_allowance:e}"),
                    None => String::new(),
                }
            )
        })
    } else {
        let (g, w) = (got.to_i64s(), want.to_i64s());
        let bad = g.iter().zip(&w).filter(|(a, b)| a != b).count();
        let first = g.iter().zip(&w).position(|(a, b)| a != b)?;
        let show = |v: i64| match got.dtype {
            DType::Bool => (v != 0).to_string(),
            DType::U64 => (v as u64).to_string(),
            _ => v.to_string(),
        };
        Some(format!(
            "values differ: {bad} of {} elements; first at {:?}: got {}, expected {}",
            g.len(),
            unravel(first, &got.dims),
            show(g[first]),
            show(w[first])
        ))
    }
}

fn unravel(mut i: usize, dims: &[u64]) -> Vec<u64> {
    let mut index = vec![0u64; dims.len()];
    for (k, &d) in dims.iter().enumerate().rev() {
        if d > 0 {
            index[k] = (i as u64) % d;
            i /= d as usize;
        }
    }
    index
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{compare, compare_with};
    use crate::{DType, Tensor};

    fn f32s(v: &[f64]) -> Tensor {
        Tensor::from_f64s(DType::F32, vec![v.len() as u64], v).unwrap()
    }

    #[test]
    fn floats_match_within_tolerance_and_nan_matches_nan() {
        let want = f32s(&[1.0, f64::NAN, f64::INFINITY, 0.0, 1000.0]);
        let got = f32s(&[1.0005, f64::NAN, f64::INFINITY, 5e-6, 1000.9]);
        assert_eq!(compare(&got, &want), None);
        let bad = f32s(&[1.0, 0.0, f64::INFINITY, 0.0, 1002.0]);
        let why = compare(&bad, &want).unwrap();
        assert!(why.contains("2 of 5"), "{why}");
        assert!(why.contains("worst at [1]: got 0, expected NaN"), "{why}");
    }

    #[test]
    fn f16_ulps_allow_units_of_the_outputs_largest_magnitude() {
        // Largest |expected| 0.66: one f16 unit there is 2^-11 = 0.00048828125.
        let want = f32s(&[0.66, -0.1, 0.0186]);
        let got = f32s(&[0.66, -0.1, 0.0184]);
        let why = compare(&got, &want).unwrap();
        assert!(why.contains("1 of 3"), "{why}");
        assert_eq!(compare_with(&got, &want, Some(1)), None);
        // 2.1 units off is beyond 2, and the message says what was allowed.
        let far = f32s(&[0.66, -0.1, 0.0186 - 2.1 * 0.00048828125]);
        let why = compare_with(&far, &want, Some(2)).unwrap();
        assert!(why.contains("1 of 3"), "{why}");
        assert!(
            why.contains("or 2 f16 ulp of the output's scale: 9.765625e-4"),
            "{why}"
        );
        assert_eq!(compare_with(&far, &want, Some(3)), None);
        // A scale of zero (all expected zeros) allows nothing extra.
        let zeros = f32s(&[0.0, 0.0]);
        assert!(compare_with(&f32s(&[0.0, 0.01]), &zeros, Some(4)).is_some());
    }

    #[test]
    fn ints_are_exact_and_shapes_and_dtypes_must_match() {
        let a = Tensor::from_i64s(DType::I64, vec![2, 2], &[1, 2, 3, 4]).unwrap();
        let b = Tensor::from_i64s(DType::I64, vec![2, 2], &[1, 2, 3, 5]).unwrap();
        assert_eq!(compare(&a, &a), None);
        let why = compare(&a, &b).unwrap();
        assert!(why.contains("first at [1, 1]: got 4, expected 5"), "{why}");
        let c = Tensor::from_i64s(DType::I64, vec![4], &[1, 2, 3, 4]).unwrap();
        assert!(
            compare(&a, &c)
                .unwrap()
                .starts_with("shape [2, 2], expected [4]")
        );
        let d = Tensor::from_i64s(DType::I32, vec![2, 2], &[1, 2, 3, 4]).unwrap();
        assert!(
            compare(&a, &d)
                .unwrap()
                .starts_with("dtype i64, expected i32")
        );
    }

    #[test]
    fn a_symbolic_model_is_estimated_at_its_data_sets_shapes() {
        use super::{CheckEvent, CheckOptions, check_model};
        // The PaddleOCR classifier's inputs are symbolic (N x 3 x H x W);
        // its one data set gives 21 M multiply-adds, a `light` compile.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/corpus/ppocr_mobile_cls");
        let mut compiled = None;
        let outcome = check_model(
            &dir.join("model.onnx"),
            &dir,
            &CheckOptions::default(),
            &mut |event| {
                if let CheckEvent::Compiled(t) = event {
                    compiled = Some(t.clone());
                }
            },
        )
        .unwrap();
        assert!(outcome.passed, "{outcome:?}");
        let timings = compiled.unwrap();
        assert_eq!(timings.effort, crate::JitEffort::Light);
        let work = timings.estimated_work.unwrap();
        assert!((10_000_000..50_000_000).contains(&work), "{work}");
        // Without the pinned estimate: nothing is known.
        let graph = crate::import_onnx(&dir.join("model.onnx"), &Default::default()).unwrap();
        assert_eq!(crate::Estimates::of(&graph).work, None);
    }
}
