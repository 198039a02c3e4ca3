//! The `onnx2linalg` command line. Only this binary parses arguments, prints
//! and writes files; the library crates return values and errors.
#![deny(unsafe_code)]
mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            let line = match &e.runtime_value {
                Some(v) => format!("{e} (to fix \"{v}\" at a value: --bind {v}=FILE)"),
                None => e.to_string(),
            };
            eprintln!("error: {}", one_line(&line));
            ExitCode::FAILURE
        }
    }
}

/// The error on one line: names read from a model may hold newlines or
/// other control characters, which are shown escaped.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
