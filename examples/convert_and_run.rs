//! Converts an ONNX model with the library API and writes the MLIR, then
//! compiles the graph in-process and runs it on made-up inputs.
//!
//! ```text
//! cargo run --example convert_and_run -- fixtures/models/resnet_small_op17.onnx resnet.mlir
//! ```
use onnx2linalg::{ConvertOptions, DType, ImportOptions, Runner, Tensor};
use std::path::PathBuf;

fn main() -> Result<(), onnx2linalg::Error> {
    let model: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| {
            onnx2linalg::Error::invalid("usage: convert_and_run MODEL.onnx [OUT.mlir]")
        })?;

    // 1. ONNX file -> verified linalg MLIR text.
    let mlir = onnx2linalg::convert(&model, &ConvertOptions::default())?;
    let out: PathBuf = std::env::args_os()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("model.mlir"));
    std::fs::write(&out, &mlir)
        .map_err(|e| onnx2linalg::Error::io(format!("{}: {e}", out.display())))?;
    println!("wrote {} ({} bytes)", out.display(), mlir.len());

    // 2. The same model, compiled in-process and called on inputs of its declared shapes.
    let graph = onnx2linalg::import_onnx(&model, &ImportOptions::default())?;
    let runner = Runner::new(&graph)?;
    let mut inputs = Vec::new();
    for (name, ty) in runner.inputs() {
        let dims = ty.known_dims().ok_or_else(|| {
            onnx2linalg::Error::invalid(format!(
                "input {name} has symbolic dims: pin them with ImportOptions::input_shapes"
            ))
        })?;
        let count: u64 = dims.iter().product();
        let values: Vec<f64> = (0..count).map(|i| ((i % 17) as f64 - 8.0) / 8.0).collect();
        let tensor = match ty.dtype {
            DType::F32 | DType::F64 => Tensor::from_f64s(ty.dtype, dims, &values)?,
            other => Tensor::from_i64s(other, dims, &vec![1; count as usize])?,
        };
        inputs.push(tensor);
    }
    for ((name, _), result) in runner.outputs().iter().zip(runner.run(&inputs)?) {
        let first: Vec<f64> = result.to_f64s().into_iter().take(4).collect();
        println!(
            "{name}: {} {:?}, first values {first:?}",
            result.dtype, result.dims
        );
    }
    Ok(())
}
