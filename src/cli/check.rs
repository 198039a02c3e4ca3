//! `onnx2linalg check DIR`: runs an ONNX backend-test folder (`model.onnx` and
//! `test_data_set_*/input_N.pb`, `output_N.pb`) and compares every output.
//!
//! Prints one line per data set, then `result: pass`, `result: mismatch` or
//! `result: error (<kind>)` (the error itself goes to stderr as usual). Exits 0
//! only when every output of every data set matches.
use clap::Args;
use onnx2linalg::check::{CheckEvent, CheckOptions, check_model};
use onnx2linalg::{ImportOptions, Result, RunnerOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// For a model that computes in float16 (a float16 conversion of a float32
    /// model): also accept in every float output a difference of up to N float16
    /// units in the last place of the output's largest expected magnitude.
    #[arg(long, value_name = "N")]
    pub f16_ulps: Option<u32>,
    #[command(flatten)]
    pub jit: super::jit::JitArgs,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    match check(
        &args.dir,
        args.bind_runtime_operands,
        args.f16_ulps,
        &args.dims,
        &args.jit,
    ) {
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

fn check(
    dir: &Path,
    bind: bool,
    f16_ulps: Option<u32>,
    dims: &[(String, u64)],
    jit: &super::jit::JitArgs,
) -> Result<bool> {
    let options = CheckOptions {
        import: ImportOptions {
            dims: dims.to_vec(),
            limits: jit.limits(),
            ..ImportOptions::default()
        },
        bind_runtime_operands: bind,
        f16_ulps,
        // One model per process: a single data set's code runs once.
        runner: RunnerOptions {
            runs_once: true,
            ..jit.options()
        },
    };
    let outcome = check_model(
        &dir.join("model.onnx"),
        dir,
        &options,
        &mut |event| match event {
            CheckEvent::Warnings(w) => super::convert::warn(w),
            CheckEvent::Compiled(_) => {}
            CheckEvent::Bound { set, inputs } => {
                say(&format!("{set}: bound: {}", inputs.join(", ")))
            }
            CheckEvent::Timings {
                set,
                import,
                compile,
                execution,
            } => {
                if jit.timings {
                    eprintln!("timings: {set}");
                    super::jit::print_timings(import, compile, execution);
                }
            }
            CheckEvent::Passed { set, outputs } => say(&format!("{set}: ok ({outputs} outputs)")),
            CheckEvent::Mismatch { set, problem } => say(&format!("{set}: mismatch: {problem}")),
        },
    )?;
    Ok(outcome.passed)
}

/// A line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
