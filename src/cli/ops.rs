//! `onnx2linalg ops`: the supported-op table (the same text as docs/ops.md).
use clap::Args;
use onnx2linalg::Result;
use std::process::ExitCode;

#[derive(Args)]
pub struct OpsArgs {}

pub fn run(_args: OpsArgs) -> Result<ExitCode> {
    print!("{}", onnx2linalg::ops_table::render_markdown());
    Ok(ExitCode::SUCCESS)
}
