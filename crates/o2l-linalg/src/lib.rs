//! Lowers a canonical graph to linalg-on-tensors MLIR with melior: one
//! `func.func` named after the graph, tensor arguments and results in graph
//! order. The module is verified before it is returned. It knows nothing of ONNX.

use o2l_canon::{Graph, Result};

/// How weights appear in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weights {
    /// `dense_resource` blobs (hex in the text form's resource section).
    #[default]
    Resource,
    /// Inline `dense<...>` literals.
    Inline,
    /// Replaced by zero-filled placeholders of the right type, to inspect structure.
    Elide,
}

/// Output form of the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Emit {
    #[default]
    Text,
    Bytecode,
}

#[derive(Debug, Clone, Default)]
pub struct LowerOptions {
    pub weights: Weights,
    pub emit: Emit,
}

/// Lowers and verifies `graph`; returns the module as MLIR text or bytecode.
pub fn lower(graph: &Graph, options: &LowerOptions) -> Result<Vec<u8>> {
    let _ = (graph, options);
    Err(o2l_canon::Error::internal("lowering is not written yet"))
}

/// The function name `lower` gives a graph (graph name made a valid symbol).
pub fn function_name(graph: &Graph) -> String {
    let cleaned: String = graph
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("main_{cleaned}")
    } else {
        cleaned
    }
}
