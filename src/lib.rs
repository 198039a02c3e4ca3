//! onnx2linalg: ONNX models in, verified linalg-on-tensors MLIR out.
//!
//! ```no_run
//! let mlir = onnx2linalg::convert(
//!     std::path::Path::new("model.onnx"),
//!     &onnx2linalg::ConvertOptions::default(),
//! )?;
//! print!("{}", String::from_utf8_lossy(&mlir));
//! # Ok::<(), onnx2linalg::Error>(())
//! ```
//!
//! The pipeline, one crate per stage: `o2l-onnx` (decode and map onto the
//! canonical op table) -> `o2l-canon` (graph, inference, folding) ->
//! `o2l-linalg` (lowering with MLIR) -> `o2l-jit` (run the result).

use std::path::Path;

pub mod batch;
pub mod npy;
pub mod ops_table;
pub mod output;
mod runner;

pub use runner::Runner;

pub use o2l_canon::{DType, Dim, Error, ErrorKind, Graph, Origin, Result, Tensor, TensorType};
pub use o2l_linalg::{Emit, LowerOptions, Weights};
pub use o2l_onnx::ImportOptions;

/// Everything that shapes one conversion.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    pub import: ImportOptions,
    pub lower: LowerOptions,
}

/// Reads an ONNX model and maps it onto the canonical graph.
pub fn import_onnx(path: &Path, options: &ImportOptions) -> Result<Graph> {
    o2l_onnx::import(path, options).map_err(|e| e.in_file(path.display().to_string()))
}

/// A model's runtime inputs and their declared types, without mapping any node
/// (to choose `ImportOptions::input_shapes` before importing).
pub fn onnx_inputs(path: &Path) -> Result<Vec<(String, TensorType)>> {
    o2l_onnx::graph_inputs(path).map_err(|e| e.in_file(path.display().to_string()))
}

/// Reads one serialized ONNX `TensorProto` file (backend-test `input_N.pb`).
pub fn read_tensor_file(path: &Path) -> Result<Tensor> {
    o2l_onnx::read_tensor_file(path).map_err(|e| e.in_file(path.display().to_string()))
}

/// Lowers a canonical graph to verified MLIR (text or bytecode, per `options`).
pub fn lower(graph: &Graph, options: &LowerOptions) -> Result<Vec<u8>> {
    o2l_linalg::lower(graph, options)
}

/// `lower`, streaming the module to `out` (no second in-memory copy of the weights).
pub fn lower_into(
    graph: &Graph,
    options: &LowerOptions,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    o2l_linalg::lower_into(graph, options, out)
}

/// ONNX file to verified MLIR bytes.
pub fn convert(path: &Path, options: &ConvertOptions) -> Result<Vec<u8>> {
    let graph = import_onnx(path, &options.import)?;
    lower(&graph, &options.lower).map_err(|e| e.in_file(path.display().to_string()))
}

/// The name of the `func.func` that `lower` emits for `graph`.
pub fn function_name(graph: &Graph) -> String {
    o2l_linalg::function_name(graph)
}
