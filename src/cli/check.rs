//! `onnx2linalg check DIR`: runs an ONNX backend-test folder (`model.onnx` and
//! `test_data_set_*/input_N.pb`, `output_N.pb`) and compares every output.
//!
//! Prints one line per data set, then `result: pass`, `result: mismatch` or
//! `result: error (<kind>)` (the error itself goes to stderr as usual). Exits 0
//! only when every output of every data set matches.
use clap::Args;
use onnx2linalg::{DType, Error, ImportOptions, Result, Runner, Tensor};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Float tolerance: |got - expected| <= ATOL + max(RTOL * |expected|, one unit
/// in the last place of `expected` in the output's type). The second term only
/// matters for the types coarser than RTOL (bf16: 8 significant bits), where a
/// different rounding point in an intermediate moves the result by one unit.
const RTOL: f64 = 1e-3;
const ATOL: f64 = 1e-5;

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

#[derive(Args)]
pub struct CheckArgs {
    /// A backend-test folder holding model.onnx and test_data_set_*/.
    pub dir: PathBuf,
    /// When the import refuses a shape operand (axes, shape, pads...) because a
    /// graph input computes it, bind that input to its test value and retry;
    /// the bound inputs are reported on a `bound:` line.
    #[arg(long)]
    pub bind_runtime_operands: bool,
    /// Fix every symbolic input dim named NAME (an ONNX dim_param) to N >= 1:
    /// NAME=N (repeatable).
    #[arg(long = "dim", value_name = "NAME=N", value_parser = super::convert::parse_dim)]
    pub dims: Vec<(String, u64)>,
    #[command(flatten)]
    pub jit: super::jit::JitArgs,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    match check(&args.dir, args.bind_runtime_operands, &args.dims, &args.jit) {
        Ok(true) => {
            say("result: pass");
            Ok(ExitCode::SUCCESS)
        }
        Ok(false) => {
            say("result: mismatch");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            say(&format!("result: error ({})", e.kind.as_str()));
            Err(e)
        }
    }
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
    paths
        .iter()
        .map(|p| onnx2linalg::read_tensor_file(p))
        .collect()
}

fn data_sets(dir: &Path) -> Result<Vec<PathBuf>> {
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
    if sets.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no test_data_set_* folders",
            dir.display()
        )));
    }
    Ok(sets)
}

/// A compiled model and the graph inputs bound to constants for it.
struct Prepared {
    runner: Runner,
    bound: Vec<String>,
    import: std::time::Duration,
}

/// Inputs that may hold shape operands (sizes, bounds): at most this many elements.
const SHAPE_LIKE_ELEMENTS: u64 = 8;

/// Imports and compiles the model. With `bind`, every graph input the import
/// needs as a constant is bound to its value from `inputs`, one at a time;
/// when the value it needs is computed from graph inputs (a shape built from
/// a `size` input, a trip count from Range bounds), the small inputs are
/// bound together, once.
fn prepare(
    model: &Path,
    names: &[String],
    inputs: &[Tensor],
    bind: bool,
    dims: &[(String, u64)],
    jit: &super::jit::JitArgs,
) -> Result<Prepared> {
    let start = std::time::Instant::now();
    let mut options = ImportOptions {
        dims: dims.to_vec(),
        ..ImportOptions::default()
    };
    let mut widened = false;
    let graph = loop {
        match onnx2linalg::import_onnx_with_warnings(model, &options) {
            Ok(imported) => {
                super::convert::warn(&imported.warnings);
                break imported.graph;
            }
            Err(e) => {
                let Some(wanted) = e.runtime_value.as_deref().filter(|_| bind) else {
                    return Err(e);
                };
                let is_bound =
                    |o: &ImportOptions, n: &str| o.bind_inputs.iter().any(|(b, _)| b == n);
                match names.iter().position(|n| n == wanted) {
                    Some(k) if !is_bound(&options, &names[k]) => {
                        options
                            .bind_inputs
                            .push((names[k].clone(), inputs[k].clone()));
                    }
                    Some(_) => return Err(e),
                    None if !widened => {
                        widened = true;
                        let before = options.bind_inputs.len();
                        for (n, t) in names.iter().zip(inputs) {
                            let small = t.num_elements() <= SHAPE_LIKE_ELEMENTS;
                            if small && !is_bound(&options, n) {
                                options.bind_inputs.push((n.clone(), t.clone()));
                            }
                        }
                        if options.bind_inputs.len() == before {
                            return Err(e);
                        }
                    }
                    None => return Err(e),
                }
            }
        }
    };
    let import = start.elapsed();
    let runner = Runner::with_options(&graph, &jit.options())
        .map_err(|e| e.in_file(model.display().to_string()))?;
    let bound = options.bind_inputs.into_iter().map(|(n, _)| n).collect();
    Ok(Prepared {
        runner,
        bound,
        import,
    })
}

fn check(
    dir: &Path,
    bind: bool,
    dims: &[(String, u64)],
    jit: &super::jit::JitArgs,
) -> Result<bool> {
    let model = dir.join("model.onnx");
    let names: Vec<String> = onnx2linalg::onnx_inputs(&model)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut prepared: Option<Prepared> = None;
    let mut all_ok = true;
    for set in &data_sets(dir)? {
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
            prepared = Some(prepare(&model, &names, &inputs, bind, dims, jit)?);
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
            say(&format!("{label}: bound: {}", bound.join(", ")));
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
        let start = std::time::Instant::now();
        let got = runner
            .run(&inputs)
            .map_err(|e| e.in_file(model.display().to_string()))?;
        if jit.timings {
            eprintln!("timings: {label}");
            super::jit::print_timings(*import, runner.timings(), start.elapsed());
        }
        let mut problems = Vec::new();
        for (k, ((name, _), (g, w))) in runner
            .outputs()
            .iter()
            .zip(got.iter().zip(&expected))
            .enumerate()
        {
            if let Some(p) = compare(g, w) {
                problems.push(format!("output \"{name}\" (#{k}): {p}"));
            }
        }
        if problems.is_empty() {
            say(&format!("{label}: ok ({} outputs)", got.len()));
        } else {
            all_ok = false;
            for p in problems {
                say(&format!("{label}: mismatch: {p}"));
            }
        }
    }
    Ok(all_ok)
}

/// Why `got` does not match `want`, or None when it does.
fn compare(got: &Tensor, want: &Tensor) -> Option<String> {
    if got.dtype != want.dtype {
        return Some(format!("dtype {}, expected {}", got.dtype, want.dtype));
    }
    if got.dims != want.dims {
        return Some(format!("shape {:?}, expected {:?}", got.dims, want.dims));
    }
    if got.dtype.is_float() {
        let (g, w) = (got.to_f64s(), want.to_f64s());
        let mut bad = 0usize;
        let mut worst: Option<(usize, f64)> = None;
        for (i, (&a, &b)) in g.iter().zip(&w).enumerate() {
            let allowed = tolerance(got.dtype, b);
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
                "values differ: {bad} of {} elements; worst at {:?}: got {}, expected {} (tolerance {ATOL:e} + {RTOL:e}*|expected|{})",
                g.len(),
                unravel(i, &got.dims),
                show(g[i]),
                show(w[i]),
                if matches!(got.dtype, DType::BF16 | DType::F16) {
                    format!(", or 1 ulp of {}", got.dtype)
                } else {
                    String::new()
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

/// A line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    // Named through the crate: the file-level import checker reads `super::`
    // in an inline module as the parent file's parent (cli/mod.rs).
    use crate::cli::check::compare;
    use onnx2linalg::{DType, Tensor};

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
}
