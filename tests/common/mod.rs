//! Helpers shared by the CLI-level integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use o2l_proto::{TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto};
use std::path::PathBuf;
use std::process::Command;

/// The `onnx2linalg` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
}

/// A fresh, empty temporary folder for one test.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("o2l-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A graph input or output of f32 elements with the given static dims.
pub fn value(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|&d| tensor_shape_proto::Dimension {
            value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
            denotation: None,
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: None,
        }),
        ..Default::default()
    }
}
