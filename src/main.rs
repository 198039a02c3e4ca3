//! The `onnx2linalg` command line. Only this binary parses arguments, prints
//! and writes files; the library crates return values and errors.
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            match &e.runtime_value {
                Some(v) => eprintln!("error: {e} (to fix \"{v}\" at a value: --bind {v}=FILE)"),
                None => eprintln!("error: {e}"),
            }
            ExitCode::FAILURE
        }
    }
}
