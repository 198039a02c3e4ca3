//! `onnx2linalg run MODEL --input NAME=x.npy ... --output-dir DIR [--input-shape NAME=1x3x224x224]`
use super::convert::{parse_dim, parse_input_shape};
use clap::Args;
use onnx2linalg::output::write_atomic_unsynced;
use onnx2linalg::{DType, Error, ImportOptions, Result, RunOptions, RunnerOptions, Tensor, npy};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct RunArgs {
    /// The ONNX model to run.
    pub model: PathBuf,
    /// An input value: NAME=file.npy (repeatable, one per graph input).
    #[arg(long = "input", value_parser = parse_input)]
    pub inputs: Vec<(String, PathBuf)>,
    /// Folder for the outputs, one NAME.npy per graph output (created if missing).
    #[arg(long = "output-dir")]
    pub output_dir: PathBuf,
    /// Pin a symbolic input shape: NAME=1x3x224x224 (repeatable). Inputs with
    /// symbolic dims are otherwise pinned to the shapes of their .npy files.
    #[arg(long = "input-shape", value_parser = parse_input_shape)]
    pub input_shapes: Vec<(String, Vec<u64>)>,
    /// Fix every symbolic input dim named NAME (an ONNX dim_param) to N >= 1:
    /// NAME=N (repeatable).
    #[arg(long = "dim", value_name = "NAME=N", value_parser = parse_dim)]
    pub dims: Vec<(String, u64)>,
    /// Fix a graph input to a value before converting: NAME=FILE (`.npy`, or a
    /// TensorProto file); the converted function no longer takes it (repeatable).
    #[arg(long = "bind", value_parser = super::convert::parse_binding)]
    pub bind: Vec<(String, PathBuf)>,
    /// Keep symbolic input dims symbolic: convert once to a function with `?`
    /// dims and call it at the shapes of the given inputs (instead of pinning
    /// them to those shapes before converting).
    #[arg(long = "dynamic")]
    pub dynamic: bool,
    #[command(flatten)]
    pub jit: super::jit::JitArgs,
}

fn parse_input(s: &str) -> std::result::Result<(String, PathBuf), String> {
    let (name, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=file.npy, got \"{s}\""))?;
    Ok((name.to_string(), PathBuf::from(path)))
}

/// An output name as a file name: characters outside `[A-Za-z0-9._-]` become `_`.
pub fn file_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.as_str() {
        "" | "." | ".." => format!("output{s}"),
        _ => s,
    }
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let mut given: Vec<(String, Tensor)> = Vec::with_capacity(args.inputs.len());
    for (name, path) in &args.inputs {
        if given.iter().any(|(n, _)| n == name) {
            return Err(Error::invalid(format!("input \"{name}\" is given twice")));
        }
        given.push((name.clone(), npy::read_file(path)?));
    }
    let options = RunOptions {
        from: None,
        import: ImportOptions {
            input_shapes: args.input_shapes.clone(),
            dims: args.dims.clone(),
            bind_inputs: super::convert::read_bindings(&args.bind)?,
            limits: args.jit.limits(),
        },
        dynamic: args.dynamic,
        // The graph runs once and the process ends after writing the
        // outputs: its code may keep its temporaries, and it is not freed.
        runner: RunnerOptions {
            runs_once: true,
            ..args.jit.options()
        },
        leak_compiled: true,
    };
    let run = onnx2linalg::run_model(&args.model, given, &options)?;
    super::convert::warn(&run.warnings);
    if args.jit.timings {
        super::jit::print_timings(run.import_time, &run.compile_timings, run.run_time);
    }

    std::fs::create_dir_all(&args.output_dir)
        .map_err(|e| Error::io(format!("{}: {e}", args.output_dir.display())))?;
    let mut used = std::collections::HashSet::new();
    for (k, (name, t)) in run.outputs.iter().enumerate() {
        let mut file = file_safe(name);
        if !used.insert(file.clone()) {
            file = format!("{file}_{k}");
            used.insert(file.clone());
        }
        let path = args.output_dir.join(format!("{file}.npy"));
        // Outputs are made again by running again: renamed into place
        // whole, not synced (a sync took longer than a small model's run).
        write_atomic_unsynced(&path, &npy::write(t))?;
        say(&summary(name, t, &path));
    }
    Ok(ExitCode::SUCCESS)
}

/// `name  f32 [1, 1000]  min -3.1 max 7.2 mean 0.001  -> out/name.npy`
fn summary(name: &str, t: &Tensor, path: &Path) -> String {
    let mut s = format!("{name}  {} {:?}", t.dtype, t.dims);
    if t.num_elements() > 0 {
        if t.dtype.is_float() {
            let v = t.to_f64s();
            let (mut lo, mut hi, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
            for &x in &v {
                lo = lo.min(x);
                hi = hi.max(x);
                sum += x;
            }
            s += &format!("  min {lo:.6} max {hi:.6} mean {:.6}", sum / v.len() as f64);
        } else if t.dtype != DType::Bool {
            let v = t.to_i64s();
            let lo = v.iter().min().copied().unwrap_or(0);
            let hi = v.iter().max().copied().unwrap_or(0);
            s += &format!("  min {lo} max {hi}");
        }
    }
    s + &format!("  -> {}", path.display())
}

/// A line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use crate::cli::run::file_safe;

    #[test]
    fn output_names_become_file_safe() {
        assert_eq!(file_safe("out/relu:0"), "out_relu_0");
        assert_eq!(file_safe("logits.v2-final"), "logits.v2-final");
        assert_eq!(file_safe(".."), "output..");
        assert_eq!(file_safe("ü"), "_");
    }
}
