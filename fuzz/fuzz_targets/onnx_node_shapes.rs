//! Structure-aware: one node of a mapped op type, with fuzzed attributes,
//! input types and constant inputs, at a fuzzed opset. Every import runs the
//! op's mapping and the canonical shape inference of what it maps to; the
//! result must be a graph or an error, never a panic.
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use o2l_proto::attribute_proto::AttributeType;
use o2l_proto::tensor_shape_proto::{Dimension, dimension};
use o2l_proto::{
    AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
    TensorShapeProto, TypeProto, ValueInfoProto, type_proto,
};
use std::path::Path;
use std::sync::OnceLock;

/// Attribute names the mapped ops read; the fuzzer picks among them.
const ATTRIBUTE_NAMES: &[&str] = &[
    "axis",
    "axes",
    "perm",
    "keepdims",
    "alpha",
    "beta",
    "gamma",
    "mode",
    "kernel_shape",
    "pads",
    "strides",
    "dilations",
    "group",
    "auto_pad",
    "ceil_mode",
    "to",
    "transA",
    "transB",
    "epsilon",
    "k",
    "largest",
    "sorted",
    "direction",
    "hidden_size",
    "shape",
    "value",
    "value_int",
    "value_ints",
    "value_float",
    "split",
    "num_outputs",
    "blocksize",
    "allowzero",
    "exclusive",
    "reverse",
    "coordinate_transformation_mode",
    "equation",
    "select_last_index",
    "noop_with_empty_axes",
    "output_padding",
    "output_shape",
    "count_include_pad",
    "storage_order",
    "p",
    "lambd",
    "bias",
    "size",
    "upper",
    "seed",
    "dtype",
    "block_size",
    "saturate",
    "activations",
    "layout",
    "stash_type",
    "num_heads",
];

const DTYPES: &[i32] = &[1, 2, 3, 6, 7, 9, 10, 11, 16, 17];

#[derive(Arbitrary, Debug)]
enum AttrValue {
    Int(i8),
    Ints(Vec<i8>),
    Float(f32),
    Floats(Vec<f32>),
    Text(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    dtype: u8,
    dims: Vec<u8>,
    symbolic: u8,
    /// A constant (initializer) holding these values, or a graph input.
    constant: Option<Vec<i8>>,
    absent: bool,
}

#[derive(Arbitrary, Debug)]
struct Case {
    op: u16,
    opset: u8,
    attrs: Vec<(u8, AttrValue)>,
    inputs: Vec<Input>,
    outputs: u8,
}

fn op_types() -> &'static [&'static str] {
    static OPS: OnceLock<Vec<&'static str>> = OnceLock::new();
    OPS.get_or_init(|| {
        let mut ops: Vec<_> = o2l_onnx::rules()
            .filter(|r| r.domain == "ai.onnx")
            .map(|r| r.op)
            .collect();
        ops.dedup();
        ops
    })
}

fn attribute(name: &str, value: &AttrValue) -> AttributeProto {
    let mut a = AttributeProto {
        name: Some(name.to_string()),
        ..Default::default()
    };
    let kind = match value {
        AttrValue::Int(i) => {
            a.i = Some(i64::from(*i));
            AttributeType::Int
        }
        AttrValue::Ints(v) => {
            a.ints = v.iter().take(8).map(|&i| i64::from(i)).collect();
            AttributeType::Ints
        }
        AttrValue::Float(f) => {
            a.f = Some(*f);
            AttributeType::Float
        }
        AttrValue::Floats(v) => {
            a.floats = v.iter().take(8).copied().collect();
            AttributeType::Floats
        }
        AttrValue::Text(t) => {
            const WORDS: &[&str] = &[
                "NOTSET",
                "SAME_UPPER",
                "VALID",
                "linear",
                "nearest",
                "cubic",
                "half_pixel",
                "asymmetric",
                "constant",
                "reflect",
                "edge",
                "forward",
                "reverse",
                "bidirectional",
                "ij,jk->ik",
                "bi,bj->bij",
                "Tanh",
                "DCR",
                "CRD",
                "",
            ];
            a.s = Some(
                WORDS[usize::from(*t) % WORDS.len()]
                    .as_bytes()
                    .to_vec()
                    .into(),
            );
            AttributeType::String
        }
    };
    a.r#type = Some(kind as i32);
    a
}

fn model(case: &Case) -> ModelProto {
    let ops = op_types();
    let op = ops[usize::from(case.op) % ops.len()];
    let mut graph = GraphProto {
        name: Some("fuzz".into()),
        ..Default::default()
    };
    let mut node = NodeProto {
        op_type: Some(op.to_string()),
        name: Some("n".into()),
        ..Default::default()
    };
    for (i, input) in case.inputs.iter().take(6).enumerate() {
        if input.absent {
            node.input.push(String::new());
            continue;
        }
        let name = format!("x{i}");
        let dtype = DTYPES[usize::from(input.dtype) % DTYPES.len()];
        let dims: Vec<i64> = input
            .dims
            .iter()
            .take(5)
            .map(|&d| i64::from(d % 6))
            .collect();
        match &input.constant {
            Some(values) => {
                let count: i64 = dims.iter().product();
                let raw: Vec<i64> = (0..count.min(64) as usize)
                    .map(|k| i64::from(values.get(k).copied().unwrap_or(1)))
                    .collect();
                let mut t = TensorProto {
                    name: Some(name.clone()),
                    dims: dims.clone(),
                    data_type: Some(dtype),
                    ..Default::default()
                };
                // Typed fields by dtype; a count mismatch is the importer's to catch.
                match dtype {
                    1 => t.float_data = raw.iter().map(|&v| v as f32).collect(),
                    11 => t.double_data = raw.iter().map(|&v| v as f64).collect(),
                    7 => t.int64_data = raw,
                    _ => t.int32_data = raw.iter().map(|&v| v as i32).collect(),
                }
                graph.initializer.push(t);
            }
            None => {
                let dim = dims
                    .iter()
                    .enumerate()
                    .map(|(k, &d)| Dimension {
                        value: Some(if input.symbolic >> k & 1 == 1 {
                            dimension::Value::DimParam(format!("s{k}"))
                        } else {
                            dimension::Value::DimValue(d)
                        }),
                        ..Default::default()
                    })
                    .collect();
                graph.input.push(ValueInfoProto {
                    name: Some(name.clone()),
                    r#type: Some(TypeProto {
                        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                            elem_type: Some(dtype),
                            shape: Some(TensorShapeProto { dim }),
                        })),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            }
        }
        node.input.push(name);
    }
    for (name, value) in case.attrs.iter().take(6) {
        let name = ATTRIBUTE_NAMES[usize::from(*name) % ATTRIBUTE_NAMES.len()];
        node.attribute.push(attribute(name, value));
    }
    for k in 0..1 + case.outputs % 3 {
        let name = format!("y{k}");
        node.output.push(name.clone());
        graph.output.push(ValueInfoProto {
            name: Some(name),
            ..Default::default()
        });
    }
    graph.node.push(node);
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(7 + i64::from(case.opset % 18)),
        }],
        graph: Some(graph),
        ..Default::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(case) = Case::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let bytes = model(&case).encode_to_vec();
    // How a crash becomes a regression model under tests/fuzz_regressions/.
    if let Some(path) = std::env::var_os("O2L_FUZZ_DUMP") {
        let _ = std::fs::write(path, &bytes);
    }
    let dir = Path::new("/nonexistent/onnx2linalg-fuzz");
    let _ = o2l_onnx::import_bytes(&bytes, Path::new("node.onnx"), dir, &Default::default());
});
