//! Argument parsing and the subcommands, one file each.
mod batch;
mod check;
mod convert;
mod jit;
mod ops;
mod run;

use clap::{Parser, Subcommand};
use onnx2linalg::Result;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  onnx2linalg model.onnx                         print verified linalg MLIR
  onnx2linalg model.onnx -o model.mlir           write it (atomically)
  onnx2linalg model.onnx --emit bytecode -o m.mlirbc
  onnx2linalg model.onnx --dim batch=1           pin every dim named batch (static shapes)
  onnx2linalg run model.onnx --input x=x.npy --output-dir out/
  onnx2linalg check node/test_relu               run an ONNX backend-test folder
  onnx2linalg ops                                the supported-op table
  onnx2linalg batch zoo/ -o out/ -j 4            convert a folder of models, with a report";

#[derive(Parser)]
#[command(name = "onnx2linalg", version = onnx2linalg::VERSION_LINE, about = "Convert ONNX models to linalg-on-tensors MLIR",
          after_help = EXAMPLES, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    convert: convert::ConvertArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Convert an ONNX model to MLIR (the default when no subcommand is given).
    Convert(convert::ConvertArgs),
    /// Run a model in-process on .npy inputs and write .npy outputs.
    Run(run::RunArgs),
    /// Run an ONNX backend-test folder and compare with its expected outputs.
    Check(check::CheckArgs),
    /// Print the supported-op table (ONNX ops, versions, canonical ops).
    Ops(ops::OpsArgs),
    /// Convert every model of a folder or list file, in parallel, with a report.
    Batch(batch::BatchArgs),
}

pub fn main() -> Result<ExitCode> {
    main_from(std::env::args_os())
}

/// The command line on `args` (the first one names the program). The Python
/// package's `onnx2linalg` command runs this too (crates/o2l-python).
pub fn main_from<I, T>(args: I) -> Result<ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    match cli.command {
        Some(Command::Convert(args)) => convert::run(args),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Ops(args)) => ops::run(args),
        Some(Command::Batch(args)) => batch::run(args),
        None => convert::run(cli.convert),
    }
}
