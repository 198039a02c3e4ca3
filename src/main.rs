//! The `onnx2linalg` command line. Only this binary parses arguments, prints
//! and writes files; the library crates return values and errors.
#![deny(unsafe_code)]
mod cli;
mod host_only;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", onnx2linalg::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
