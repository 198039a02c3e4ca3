//! The canonical layer of onnx2linalg: element types, symbolic shapes, constant
//! tensors, the canonical op table (`ops`), the graph, shape/dtype inference and
//! constant folding. It knows nothing of protobuf or MLIR, so it builds in
//! seconds and its rules are tested without either.
#![deny(unsafe_code)]

pub mod builder;
pub mod compose;
pub mod dtype;
pub mod error;
pub mod graph;
pub mod limits;
pub mod narrow;
pub mod ops;
pub mod random;
pub mod rules;
pub mod shape;
pub mod tensor;

pub use builder::Builder;
pub use dtype::DType;
pub use error::{Error, ErrorKind, Origin, Result};
pub use graph::{FileMaps, Graph, Node, Value, ValueId};
pub use limits::Limits;
pub use ops::{Family, Op, OpSpec, is_declared};
pub use rules::{Rule, RuleInfo};
pub use shape::{Dim, TensorType};
pub(crate) use tensor::HostArray;
pub use tensor::Tensor;

/// Runs `register_all` (MLIR's registration of every pass) once per process.
/// MLIR's pass registry is a global map without a lock, and the lowering,
/// the JIT and tests register from several threads at once (`batch --check`
/// workers, the test harness): every caller goes through this one `Once`.
pub fn register_mlir_passes_once(register_all: impl FnOnce()) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(register_all);
}
