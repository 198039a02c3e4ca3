//! The `onnx2linalg` command line. Only this binary parses arguments, prints
//! and writes files; the library crates return values and errors.
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
