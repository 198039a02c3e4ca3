//! A small builder of ONNX models in memory (no Python), shared by the
//! unit tests beside each family's rules. It imports through the crate's
//! public functions only, so that no rule file's tests import the walker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) use crate::{ImportOptions, read_tensor_file};
pub(crate) use o2l_canon::ops::{Binary, Elementwise, Movement, Unary};
pub(crate) use o2l_canon::{DType, Dim, ErrorKind, Graph, Op};
pub(crate) use o2l_proto::attribute_proto::AttributeType;
pub(crate) use o2l_proto::{
    AttributeProto, Bytes, FunctionProto, GraphProto, Message, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto, tensor_shape_proto, type_proto,
};
pub(crate) use std::path::{Path, PathBuf};

/// A dim of a graph input: known, or a named symbol.
#[derive(Clone)]
pub(crate) enum D {
    N(i64),
    S(&'static str),
}

pub(crate) fn vi(name: &str, elem: i32, dims: &[D]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                D::N(n) => tensor_shape_proto::dimension::Value::DimValue(*n),
                D::S(s) => tensor_shape_proto::dimension::Value::DimParam(s.to_string()),
            }),
            denotation: None,
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(elem),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: None,
        }),
        ..Default::default()
    }
}

pub(crate) fn f32_in(name: &str, dims: &[i64]) -> ValueInfoProto {
    vi(name, 1, &dims.iter().map(|&d| D::N(d)).collect::<Vec<_>>())
}

pub(crate) fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: Some(name.into()),
        op_type: Some(op.into()),
        domain: Some(String::new()),
        ..Default::default()
    }
}

pub(crate) fn with_attrs(mut n: NodeProto, attrs: Vec<AttributeProto>) -> NodeProto {
    n.attribute = attrs;
    n
}

pub(crate) fn a_int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(v),
        ..Default::default()
    }
}

pub(crate) fn a_float(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(v),
        ..Default::default()
    }
}

pub(crate) fn a_ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

pub(crate) fn a_str(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::String as i32),
        s: Some(Bytes::copy_from_slice(v.as_bytes())),
        ..Default::default()
    }
}

pub(crate) fn t_f32(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
    let raw: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(1),
        raw_data: Some(Bytes::from(raw)),
        ..Default::default()
    }
}

pub(crate) fn t_i64(name: &str, v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![v.len() as i64],
        data_type: Some(7),
        int64_data: v.to_vec(),
        ..Default::default()
    }
}

pub(crate) struct M {
    pub(crate) model: ModelProto,
}

impl M {
    pub(crate) fn new(opset: i64) -> M {
        M {
            model: ModelProto {
                ir_version: Some(8),
                opset_import: vec![OperatorSetIdProto {
                    domain: Some(String::new()),
                    version: Some(opset),
                }],
                graph: Some(GraphProto {
                    name: Some("g".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        }
    }
    pub(crate) fn g(&mut self) -> &mut GraphProto {
        self.model.graph.get_or_insert_with(Default::default)
    }
    pub(crate) fn input(mut self, v: ValueInfoProto) -> M {
        self.g().input.push(v);
        self
    }
    pub(crate) fn init(mut self, t: TensorProto) -> M {
        self.g().initializer.push(t);
        self
    }
    pub(crate) fn node(mut self, n: NodeProto) -> M {
        self.g().node.push(n);
        self
    }
    pub(crate) fn output(mut self, name: &str) -> M {
        self.g().output.push(ValueInfoProto {
            name: Some(name.into()),
            ..Default::default()
        });
        self
    }
    /// A graph output with a declared type.
    pub(crate) fn output_vi(mut self, v: ValueInfoProto) -> M {
        self.g().output.push(v);
        self
    }
    pub(crate) fn value_info(mut self, v: ValueInfoProto) -> M {
        self.g().value_info.push(v);
        self
    }
    /// The graph and the import's warnings.
    pub(crate) fn import_warned(self, opts: &ImportOptions) -> o2l_canon::Result<crate::Imported> {
        crate::import_bytes_with_warnings(
            &self.bytes(),
            Path::new("test.onnx"),
            Path::new("."),
            opts,
        )
    }
    pub(crate) fn import(self) -> o2l_canon::Result<Graph> {
        self.import_with(&ImportOptions::default())
    }
    pub(crate) fn import_with(self, opts: &ImportOptions) -> o2l_canon::Result<Graph> {
        crate::import_bytes(&self.bytes(), Path::new("test.onnx"), Path::new("."), opts)
    }
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.model.encode_to_vec()
    }
}

pub(crate) fn op_names(g: &Graph) -> Vec<&'static str> {
    g.nodes.iter().map(|n| n.op.name()).collect()
}

pub(crate) fn out_dims(g: &Graph, k: usize) -> Vec<u64> {
    g.ty(g.outputs[k]).known_dims().unwrap()
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("o2l-onnx-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn with_limits(f: impl FnOnce(&mut o2l_canon::Limits)) -> ImportOptions {
    let mut o = ImportOptions::default();
    f(&mut o.limits);
    o
}
