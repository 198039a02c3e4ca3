//! `onnx2linalg ops [MODEL]`: the supported-op table (the same text as
//! docs/ops.md), or for one model the ops it uses, each supported or not,
//! without converting anything.
use clap::Args;
use onnx2linalg::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct OpsArgs {
    /// List the ops this model uses instead (exit status 1 when any is unsupported).
    pub model: Option<PathBuf>,
}

pub fn run(args: OpsArgs) -> Result<ExitCode> {
    let Some(model) = &args.model else {
        print!("{}", onnx2linalg::ops_table::render_markdown());
        return Ok(ExitCode::SUCCESS);
    };
    let uses = o2l_onnx::model_ops(model).map_err(|e| e.in_file(model.display().to_string()))?;
    println!("| op | domain | version | nodes | supported |");
    println!("|---|---|---|---|---|");
    for u in &uses {
        let version = if u.version > 0 {
            u.version.to_string()
        } else {
            "unknown".to_string()
        };
        let ok = if u.supported { "yes" } else { "no" };
        println!(
            "| {} | {} | {version} | {} | {ok} |",
            u.op_type, u.domain, u.count
        );
    }
    let missing: Vec<&str> = uses
        .iter()
        .filter(|u| !u.supported)
        .map(|u| u.op_type.as_str())
        .collect();
    let nodes: u64 = uses.iter().map(|u| u.count as u64).sum();
    if missing.is_empty() {
        println!(
            "\n{}: {} op types, {nodes} nodes, all supported",
            model.display(),
            uses.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "\n{}: {} op types, {nodes} nodes; unsupported: {}",
            model.display(),
            uses.len(),
            missing.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}
