//! The ONNX frontend: decode a model (memory-mapped, external data resolved
//! inside the model's folder), resolve each node's schema version, and map it
//! onto canonical ops through the per-family rule tables in `map/`.
//! It knows nothing of MLIR.

use o2l_canon::{Graph, Result, Tensor};
use std::path::Path;

/// Options that change how a model is imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `NAME=1x3x224x224` pins of symbolic input dims, applied before inference.
    pub input_shapes: Vec<(String, Vec<u64>)>,
}

/// Reads an ONNX model file and maps it onto a canonical graph.
/// Errors name the file, and the node when one is at fault.
pub fn import(path: &Path, options: &ImportOptions) -> Result<Graph> {
    let _ = (path, options);
    Err(o2l_canon::Error::internal("ONNX import is not written yet"))
}

/// Reads one serialized `TensorProto` (as in backend-test `input_0.pb` files).
pub fn read_tensor_file(path: &Path) -> Result<Tensor> {
    let _ = path;
    Err(o2l_canon::Error::internal(
        "TensorProto reading is not written yet",
    ))
}
