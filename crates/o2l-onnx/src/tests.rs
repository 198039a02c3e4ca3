#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Frontend tests on models built in memory (no Python).
use crate::load::{Loaded, opsets_of};
use crate::{ImportOptions, import, read_tensor_file};
use o2l_canon::ops::{Binary, Elementwise, Movement, Unary};
use o2l_canon::{DType, Dim, ErrorKind, Graph, Op};
use o2l_proto::attribute_proto::AttributeType;
use o2l_proto::{
    AttributeProto, Bytes, FunctionProto, GraphProto, Message, ModelProto, NodeProto,
    OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto, tensor_shape_proto, type_proto,
};
use std::path::{Path, PathBuf};

// ---------- a small model builder ----------

/// A dim of a graph input: known, or a named symbol.
#[derive(Clone)]
enum D {
    N(i64),
    S(&'static str),
}

fn vi(name: &str, elem: i32, dims: &[D]) -> ValueInfoProto {
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

fn f32_in(name: &str, dims: &[i64]) -> ValueInfoProto {
    vi(name, 1, &dims.iter().map(|&d| D::N(d)).collect::<Vec<_>>())
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: Some(name.into()),
        op_type: Some(op.into()),
        domain: Some(String::new()),
        ..Default::default()
    }
}

fn with_attrs(mut n: NodeProto, attrs: Vec<AttributeProto>) -> NodeProto {
    n.attribute = attrs;
    n
}

fn a_int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(v),
        ..Default::default()
    }
}
fn a_float(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(v),
        ..Default::default()
    }
}
fn a_ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}
fn a_str(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::String as i32),
        s: Some(Bytes::copy_from_slice(v.as_bytes())),
        ..Default::default()
    }
}

fn t_f32(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
    let raw: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(1),
        raw_data: Some(Bytes::from(raw)),
        ..Default::default()
    }
}
fn t_i64(name: &str, v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![v.len() as i64],
        data_type: Some(7),
        int64_data: v.to_vec(),
        ..Default::default()
    }
}

struct M {
    model: ModelProto,
}

impl M {
    fn new(opset: i64) -> M {
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
    fn g(&mut self) -> &mut GraphProto {
        self.model.graph.get_or_insert_with(Default::default)
    }
    fn input(mut self, v: ValueInfoProto) -> M {
        self.g().input.push(v);
        self
    }
    fn init(mut self, t: TensorProto) -> M {
        self.g().initializer.push(t);
        self
    }
    fn node(mut self, n: NodeProto) -> M {
        self.g().node.push(n);
        self
    }
    fn output(mut self, name: &str) -> M {
        self.g().output.push(ValueInfoProto {
            name: Some(name.into()),
            ..Default::default()
        });
        self
    }
    fn import(self) -> o2l_canon::Result<Graph> {
        self.import_with(&ImportOptions::default())
    }
    fn import_with(self, opts: &ImportOptions) -> o2l_canon::Result<Graph> {
        let opsets = opsets_of(&self.model.opset_import)?;
        let loaded = Loaded {
            model: self.model,
            dir: PathBuf::from("."),
            opsets,
            file_maps: Default::default(),
        };
        crate::import::import_model(&loaded, opts)
    }
    fn bytes(&self) -> Vec<u8> {
        self.model.encode_to_vec()
    }
}

fn op_names(g: &Graph) -> Vec<&'static str> {
    g.nodes.iter().map(|n| n.op.name()).collect()
}

fn out_dims(g: &Graph, k: usize) -> Vec<u64> {
    g.ty(g.outputs[k]).known_dims().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("o2l-onnx-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------- version resolution ----------

#[test]
fn squeeze_reads_axes_from_the_attribute_before_13_and_the_input_since() {
    let g = M::new(11)
        .input(f32_in("x", &[1, 3, 1]))
        .node(with_attrs(
            node("Squeeze", "sq", &["x"], &["y"]),
            vec![a_ints("axes", &[0])],
        ))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(out_dims(&g, 0), vec![3, 1]);

    let g = M::new(13)
        .input(f32_in("x", &[1, 3, 1]))
        .init(t_i64("axes", &[-1]))
        .node(node("Squeeze", "sq", &["x", "axes"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(out_dims(&g, 0), vec![1, 3]);
    assert_eq!(g.nodes[0].origin.version, 13);

    // At opset 13 the axes attribute is gone: without the input, all 1-dims go.
    let g = M::new(13)
        .input(f32_in("x", &[1, 3, 1]))
        .node(node("Squeeze", "sq", &["x"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(out_dims(&g, 0), vec![3]);
}

#[test]
fn softmax_before_13_flattens_and_since_13_uses_one_axis() {
    let g = M::new(11)
        .input(f32_in("x", &[2, 3, 4]))
        .node(node("Softmax", "sm", &["x"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Reshape", "Softmax", "Reshape"]);
    assert_eq!(
        g.ty(g.nodes[1].inputs[0]).known_dims().unwrap(),
        vec![2, 12]
    );
    assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);
    assert_eq!(g.nodes[1].origin.version, 11);

    let g = M::new(13)
        .input(f32_in("x", &[2, 3, 4]))
        .node(node("Softmax", "sm", &["x"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Softmax"]);
    assert_eq!(
        g.nodes[0].op,
        Op::Norm(o2l_canon::ops::Norm::Softmax { axis: 2 })
    );
}

#[test]
fn clip_6_uses_attributes_and_clip_11_uses_inputs() {
    let g = M::new(7)
        .input(f32_in("x", &[4]))
        .node(with_attrs(
            node("Clip", "c", &["x"], &["y"]),
            vec![a_float("min", -1.0), a_float("max", 2.0)],
        ))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(g.nodes[0].origin.version, 6);
    assert_eq!(
        g.nodes[0].op,
        Op::Elementwise(Elementwise::Unary(Unary::Clamp {
            min: -1.0,
            max: 2.0
        }))
    );

    let g = M::new(11)
        .input(f32_in("x", &[4]))
        .input(vi("hi", 1, &[]))
        .init(t_f32("lo", &[], &[-0.5]))
        .node(node("Clip", "c", &["x", "lo", "hi"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(g.nodes[0].origin.version, 11);
    assert_eq!(op_names(&g), vec!["Clamp", "Min"]);
    assert_eq!(
        g.nodes[0].op,
        Op::Elementwise(Elementwise::Unary(Unary::Clamp {
            min: -0.5,
            max: f64::INFINITY
        }))
    );
    assert_eq!(
        g.nodes[1].op,
        Op::Elementwise(Elementwise::Binary(Binary::Min))
    );
}

#[test]
fn unsupported_versions_list_the_supported_ones() {
    let e = M::new(6)
        .input(f32_in("x", &[4]))
        .node(node("Add", "old_add", &["x", "x"], &["y"]))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("Add-6 is not supported"), "{e}");
    assert!(e.message.contains("broadcast"), "{e}");
    assert!(e.message.contains("7, 13, 14"), "{e}");
}

#[test]
fn an_opset_newer_than_the_manifest_is_refused() {
    // An op may have changed at an opset the manifest does not know.
    let e = M::new(99)
        .input(f32_in("x", &[4]))
        .node(node("Relu", "r", &["x"], &["y"]))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("opset 99"), "{e}");
    assert!(
        e.message.contains("newest this converter knows (28)"),
        "{e}"
    );
    let g = M::new(28)
        .input(f32_in("x", &[4]))
        .node(node("Relu", "r", &["x"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(g.nodes[0].origin.version, 14);
}

#[test]
fn a_domain_that_is_not_imported_is_an_invalid_model() {
    let mut n = node("Relu", "r", &["x"], &["y"]);
    n.domain = Some("com.example".into());
    let e = M::new(13)
        .input(f32_in("x", &[4]))
        .node(n)
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains("com.example"), "{e}");
}

#[test]
fn all_unsupported_nodes_are_reported_together() {
    let e = M::new(13)
        .input(f32_in("x", &[4]))
        .node(node("Foo", "first", &["x"], &["a"]))
        .node(node("Relu", "fine", &["a"], &["b"]))
        .node(node("Bar", "second", &["x"], &["c"]))
        .node(node("Add", "sum", &["b", "c"], &["y"]))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(e.origin.as_ref().unwrap().node, "first");
    assert!(e.message.contains("1 more unsupported node"), "{e}");
    assert!(e.message.contains("\"second\""), "{e}");
    assert!(!e.to_string().contains('\n'));
}

// ---------- folding and decompositions ----------

#[test]
fn shape_gather_concat_reshape_chain_folds_to_a_static_reshape() {
    let g = M::new(13)
        .input(f32_in("x", &[2, 3, 4]))
        .init(t_i64("idx0", &[0]))
        .init(t_i64("minus1", &[-1]))
        .node(node("Shape", "shape", &["x"], &["s"]))
        .node(node("Gather", "gather", &["s", "idx0"], &["n"]))
        .node(with_attrs(
            node("Concat", "concat", &["n", "minus1"], &["target"]),
            vec![a_int("axis", 0)],
        ))
        .node(node("Reshape", "reshape", &["x", "target"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Reshape"]);
    assert_eq!(
        g.nodes[0].op,
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Known(2), Dim::Known(12)]
        })
    );
    assert_eq!(g.value(g.outputs[0]).name, "y");
}

#[test]
fn reshape_resolves_zero_and_minus_one_around_a_symbolic_batch() {
    let g = M::new(14)
        .input(vi("x", 1, &[D::S("batch"), D::N(3), D::N(4)]))
        .init(t_i64("shape", &[0, -1]))
        .node(node("Reshape", "r", &["x", "shape"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(
        g.ty(g.outputs[0]).shape,
        vec![Dim::Symbol("batch".into()), Dim::Known(12)]
    );
    // A runtime shape is refused as unsupported.
    let e = M::new(14)
        .input(f32_in("x", &[2, 6]))
        .input(vi("shape", 7, &[D::N(2)]))
        .node(node("Reshape", "r", &["x", "shape"], &["y"]))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
}

#[test]
fn input_shape_pins_fix_symbols_and_check_names_and_ranks() {
    let m = || {
        M::new(13)
            .input(vi("x", 1, &[D::S("n"), D::N(3)]))
            .input(vi("z", 1, &[D::S("n"), D::N(3)]))
            .node(node("Add", "a", &["x", "z"], &["y"]))
            .output("y")
    };
    let opts = ImportOptions {
        input_shapes: vec![("x".into(), vec![5, 3])],
        ..Default::default()
    };
    let g = m().import_with(&opts).unwrap();
    assert_eq!(g.ty(g.inputs[1]).known_dims().unwrap(), vec![5, 3]);
    assert_eq!(out_dims(&g, 0), vec![5, 3]);
    let bad = ImportOptions {
        input_shapes: vec![("nope".into(), vec![5, 3])],
        ..Default::default()
    };
    assert!(m().import_with(&bad).unwrap_err().message.contains("nope"));
    let bad = ImportOptions {
        input_shapes: vec![("x".into(), vec![5])],
        ..Default::default()
    };
    assert!(m().import_with(&bad).unwrap_err().message.contains("rank"));
}

#[test]
fn gemm_decomposes_into_transposes_matmul_scalings_and_bias() {
    let g = M::new(13)
        .input(f32_in("a", &[4, 3]))
        .input(f32_in("b", &[5, 4]))
        .input(f32_in("c", &[5]))
        .node(with_attrs(
            node("Gemm", "gemm", &["a", "b", "c"], &["y"]),
            vec![
                a_int("transA", 1),
                a_int("transB", 1),
                a_float("alpha", 2.0),
                a_float("beta", 0.5),
            ],
        ))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(
        op_names(&g),
        vec!["Transpose", "Transpose", "MatMul", "Mul", "Mul", "Add"]
    );
    assert_eq!(out_dims(&g, 0), vec![3, 5]);

    // C is optional since 11; without it there is no Add.
    let g = M::new(11)
        .input(f32_in("a", &[3, 4]))
        .input(f32_in("b", &[4, 5]))
        .node(node("Gemm", "gemm", &["a", "b"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["MatMul"]);
}

#[test]
fn conv_same_upper_resolves_explicit_pads() {
    let w: Vec<f32> = vec![1.0; 4];
    let g = M::new(11)
        .input(f32_in("x", &[1, 1, 5, 5]))
        .init(t_f32("w", &[1, 1, 2, 2], &w))
        .node(with_attrs(
            node("Conv", "conv", &["x", "w"], &["y"]),
            vec![a_str("auto_pad", "SAME_UPPER"), a_ints("strides", &[2, 2])],
        ))
        .output("y")
        .import()
        .unwrap();
    let Op::Conv(c) = &g.nodes[0].op else {
        panic!("{:?}", g.nodes[0].op)
    };
    assert_eq!(c.pads, vec![(0, 1), (0, 1)]);
    assert_eq!(out_dims(&g, 0), vec![1, 1, 3, 3]);

    let g = M::new(11)
        .input(f32_in("x", &[1, 1, 4, 4]))
        .init(t_f32("w", &[1, 1, 2, 2], &w))
        .node(with_attrs(
            node("Conv", "conv", &["x", "w"], &["y"]),
            vec![a_str("auto_pad", "SAME_LOWER")],
        ))
        .output("y")
        .import()
        .unwrap();
    let Op::Conv(c) = &g.nodes[0].op else {
        panic!()
    };
    assert_eq!(c.pads, vec![(1, 0), (1, 0)]);
}

#[test]
fn batch_norm_folds_its_parameters_and_keeps_four_runtime_ops() {
    let g = M::new(15)
        .input(f32_in("x", &[1, 2, 3, 3]))
        .init(t_f32("s", &[2], &[1.0, 2.0]))
        .init(t_f32("b", &[2], &[0.0, 1.0]))
        .init(t_f32("m", &[2], &[0.5, 0.5]))
        .init(t_f32("v", &[2], &[1.0, 4.0]))
        .node(node(
            "BatchNormalization",
            "bn",
            &["x", "s", "b", "m", "v"],
            &["y"],
        ))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Sub", "Mul", "Add"]);
    let factor = g.constant(g.nodes[1].inputs[1]).unwrap();
    assert_eq!(factor.dims, vec![2, 1, 1]);
    let e = M::new(15)
        .input(f32_in("x", &[1, 2, 3, 3]))
        .init(t_f32("s", &[2], &[1.0, 2.0]))
        .node(with_attrs(
            node(
                "BatchNormalization",
                "bn",
                &["x", "s", "s", "s", "s"],
                &["y"],
            ),
            vec![a_int("training_mode", 1)],
        ))
        .output("y")
        .import()
        .unwrap();
    // Training mode normalises with the batch statistics (over N, H, W).
    let batch_mean = e.nodes.iter().any(|n| {
        matches!(&n.op, Op::Reduce(r) if r.kind == o2l_canon::ops::ReduceKind::Mean && r.axes == [0, 2, 3])
    });
    assert!(batch_mean, "{:?}", e.nodes);
}

#[test]
fn identity_dropout_and_constant_make_no_runtime_ops() {
    let g = M::new(13)
        .input(f32_in("x", &[2, 2]))
        .node(node("Dropout", "drop", &["x"], &["d", "mask"]))
        .node(node("Identity", "id", &["d"], &["y"]))
        .node(with_attrs(
            node("Constant", "k", &[], &["kk"]),
            vec![a_ints("value_ints", &[1, 2, 3])],
        ))
        .output("y")
        .output("mask")
        .output("kk")
        .import()
        .unwrap();
    // The output that is the input itself gets its own value (an identity transpose).
    assert_eq!(op_names(&g), vec!["Transpose"]);
    assert_eq!(g.nodes[0].inputs[0], g.inputs[0]);
    assert_eq!(g.value(g.outputs[0]).name, "y");
    assert_eq!(g.value(g.inputs[0]).name, "x");
    let mask = g.constant(g.outputs[1]).unwrap();
    assert_eq!(mask.dtype, DType::Bool);
    assert_eq!(g.constant(g.outputs[2]).unwrap().to_i64s(), vec![1, 2, 3]);
}

#[test]
fn max_pool_indices_output_maps_to_max_pool_with_indices() {
    let g = M::new(12)
        .input(f32_in("x", &[1, 1, 4, 4]))
        .node(with_attrs(
            node("MaxPool", "mp", &["x"], &["y", "idx"]),
            vec![a_ints("kernel_shape", &[2, 2]), a_int("storage_order", 1)],
        ))
        .output("y")
        .output("idx")
        .import()
        .unwrap();
    assert_eq!(g.nodes[0].op.name(), "MaxPoolWithIndices");
    assert_eq!(g.ty(g.outputs[1]).dtype, DType::I64);
}

#[test]
fn max_pool_storage_order_must_be_0_or_1() {
    let e = M::new(12)
        .input(f32_in("x", &[1, 1, 4, 4]))
        .node(with_attrs(
            node("MaxPool", "mp", &["x"], &["y", "idx"]),
            vec![a_ints("kernel_shape", &[2, 2]), a_int("storage_order", 2)],
        ))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel);
    assert!(e.message.contains("storage_order"), "{e}");
}

// ---------- functions ----------

#[test]
fn model_local_functions_are_inlined_with_attribute_references() {
    let inner = with_attrs(
        node("LeakyRelu", "leaky", &["a"], &["t"]),
        vec![AttributeProto {
            name: Some("alpha".into()),
            ref_attr_name: Some("slope".into()),
            r#type: Some(AttributeType::Float as i32),
            ..Default::default()
        }],
    );
    let f = FunctionProto {
        name: Some("LeakyNeg".into()),
        domain: Some("local".into()),
        input: vec!["a".into()],
        output: vec!["b".into()],
        attribute: vec!["slope".into()],
        node: vec![inner, node("Neg", "neg", &["t"], &["b"])],
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        ..Default::default()
    };
    let mut call = with_attrs(
        node("LeakyNeg", "call", &["x"], &["y"]),
        vec![a_float("slope", 0.25)],
    );
    call.domain = Some("local".into());
    let mut m = M::new(13)
        .input(f32_in("x", &[3]))
        .node(call.clone())
        .node(NodeProto {
            name: Some("call2".into()),
            input: vec!["y".into()],
            output: vec!["z".into()],
            ..call
        })
        .output("z");
    m.model.functions.push(f);
    m.model.opset_import.push(OperatorSetIdProto {
        domain: Some("local".into()),
        version: Some(1),
    });
    let g = m.import().unwrap();
    assert_eq!(op_names(&g), vec!["LeakyRelu", "Neg", "LeakyRelu", "Neg"]);
    assert_eq!(
        g.nodes[0].op,
        Op::Elementwise(Elementwise::Unary(Unary::LeakyRelu { alpha: 0.25 }))
    );
    assert_eq!(g.nodes[2].origin.node, "call2/leaky");
    assert_eq!(g.value(g.outputs[0]).name, "z");
}

// ---------- errors ----------

#[test]
fn errors_carry_the_node_origin() {
    let w: Vec<f32> = vec![1.0; 4];
    let e = M::new(11)
        .input(f32_in("x", &[1, 1, 5, 5]))
        .init(t_f32("w", &[1, 1, 2, 2], &w))
        .node(with_attrs(
            node("Conv", "conv_3", &["x", "w"], &["y"]),
            vec![a_ints("pads", &[1, 1, 1])],
        ))
        .output("y")
        .import()
        .unwrap_err()
        .in_file("model.onnx");
    assert_eq!(
        e.to_string(),
        "model.onnx: node \"conv_3\" (Conv, ai.onnx, opset 11 -> Conv-11): attribute \"pads\": expected 4 values for 2 spatial dims, got 3"
    );
    let e = M::new(11)
        .input(f32_in("x", &[1]))
        .node(node("Relu", "r", &["undefined"], &["y"]))
        .output("y")
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel);
    assert!(e.to_string().contains("node \"r\""), "{e}");
    assert!(e.message.contains("\"undefined\""), "{e}");
    let e = M::new(11)
        .input(f32_in("x", &[1]))
        .node(with_attrs(
            node("LeakyRelu", "l", &["x"], &["y"]),
            vec![a_int("alpha", 1)],
        ))
        .output("y")
        .import()
        .unwrap_err();
    assert!(e.message.contains("expected float, got int"), "{e}");
}

#[test]
fn missing_truncated_and_garbage_files_are_clear_errors() {
    let dir = scratch("files");
    let e = import(&dir.join("nope.onnx"), &ImportOptions::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io);
    let bytes = M::new(13)
        .input(f32_in("x", &[2]))
        .node(node("Relu", "r", &["x"], &["y"]))
        .output("y")
        .bytes();
    let path = dir.join("m.onnx");
    for cut in [1, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = import(&path, &ImportOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "cut {cut}: {e}");
    }
    std::fs::write(&path, b"").unwrap();
    let e = import(&path, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    std::fs::write(&path, &bytes).unwrap();
    let g = import(&path, &ImportOptions::default()).unwrap();
    assert_eq!(op_names(&g), vec!["Relu"]);
    let inputs = crate::graph_inputs(&path).unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].0, "x");
}

// ---------- tensors ----------

#[test]
fn int32_data_carries_f16_and_bool_bit_patterns() {
    let dir = scratch("tensors");
    let f16 = TensorProto {
        dims: vec![2],
        data_type: Some(10),
        int32_data: vec![0x3E00, 0xC000],
        ..Default::default()
    };
    let path = dir.join("f16.pb");
    std::fs::write(&path, f16.encode_to_vec()).unwrap();
    let t = read_tensor_file(&path).unwrap();
    assert_eq!(t.dtype, DType::F16);
    assert_eq!(t.to_f64s(), vec![1.5, -2.0]);

    let b = TensorProto {
        dims: vec![3],
        data_type: Some(9),
        int32_data: vec![1, 0, 1],
        ..Default::default()
    };
    std::fs::write(&path, b.encode_to_vec()).unwrap();
    let t = read_tensor_file(&path).unwrap();
    assert_eq!(t.dtype, DType::Bool);
    assert_eq!(&t.data[..], &[1, 0, 1]);

    let s = TensorProto {
        name: Some("words".into()),
        dims: vec![1],
        data_type: Some(8),
        ..Default::default()
    };
    std::fs::write(&path, s.encode_to_vec()).unwrap();
    let e = read_tensor_file(&path).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(
        e.message.contains("words") && e.message.contains("STRING"),
        "{e}"
    );

    let neg = TensorProto {
        dims: vec![-1],
        data_type: Some(1),
        ..Default::default()
    };
    std::fs::write(&path, neg.encode_to_vec()).unwrap();
    assert_eq!(
        read_tensor_file(&path).unwrap_err().kind,
        ErrorKind::InvalidModel
    );
    let huge = TensorProto {
        dims: vec![1 << 40, 1 << 40],
        data_type: Some(1),
        ..Default::default()
    };
    std::fs::write(&path, huge.encode_to_vec()).unwrap();
    assert_eq!(read_tensor_file(&path).unwrap_err().kind, ErrorKind::Limit);
}

#[test]
fn raw_data_stays_a_slice_of_the_memory_map() {
    let dir = scratch("zerocopy");
    let t = t_f32("w", &[4], &[1.0, 2.0, 3.0, 4.0]);
    let path = dir.join("w.pb");
    std::fs::write(&path, t.encode_to_vec()).unwrap();
    let map = crate::mmap::map_file(&path).unwrap();
    let proto: TensorProto = crate::load::decode(map.clone(), &path).unwrap();
    let mut files = crate::tensor::ExternalFiles::new(&dir);
    let tensor = crate::tensor::tensor_from_proto(&proto, &mut files).unwrap();
    let range = map.as_ptr_range();
    assert!(range.contains(&tensor.data.as_ptr()), "raw_data was copied");
    assert_eq!(tensor.to_f64s(), vec![1.0, 2.0, 3.0, 4.0]);
}

fn external(name: &str, location: &str, offset: Option<u64>, length: Option<u64>) -> TensorProto {
    let mut kv = vec![StringStringEntryProto {
        key: Some("location".into()),
        value: Some(location.into()),
    }];
    if let Some(o) = offset {
        kv.push(StringStringEntryProto {
            key: Some("offset".into()),
            value: Some(o.to_string()),
        });
    }
    if let Some(l) = length {
        kv.push(StringStringEntryProto {
            key: Some("length".into()),
            value: Some(l.to_string()),
        });
    }
    TensorProto {
        name: Some(name.into()),
        dims: vec![2],
        data_type: Some(1),
        data_location: Some(1),
        external_data: kv,
        ..Default::default()
    }
}

fn external_model(dir: &Path, t: TensorProto) -> o2l_canon::Result<Graph> {
    let bytes = M::new(13)
        .input(f32_in("x", &[2]))
        .init(t)
        .node(node("Add", "add", &["x", "w"], &["y"]))
        .output("y")
        .bytes();
    let path = dir.join("model.onnx");
    std::fs::write(&path, bytes).unwrap();
    import(&path, &ImportOptions::default())
}

#[test]
fn external_data_is_read_inside_the_model_folder_only() {
    let root = scratch("external");
    let dir = root.join("model");
    std::fs::create_dir_all(&dir).unwrap();
    let data: Vec<u8> = [0.0f32, 1.0, 2.0, 3.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    std::fs::write(dir.join("weights.bin"), &data).unwrap();
    std::fs::write(root.join("outside.bin"), &data).unwrap();

    let g = external_model(&dir, external("w", "weights.bin", Some(8), Some(8))).unwrap();
    let w = g.nodes[0].inputs[1];
    assert_eq!(g.constant(w).unwrap().to_f64s(), vec![2.0, 3.0]);

    let e = external_model(&dir, external("w", "../outside.bin", None, Some(8))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains(".."), "{e}");

    let abs = root.join("outside.bin");
    let e = external_model(&dir, external("w", abs.to_str().unwrap(), None, Some(8))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains("absolute"), "{e}");

    std::os::unix::fs::symlink(&abs, dir.join("link.bin")).unwrap();
    let e = external_model(&dir, external("w", "link.bin", None, Some(8))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains("outside the model's folder"), "{e}");

    let e = external_model(&dir, external("w", "weights.bin", Some(12), Some(8))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains("past the end"), "{e}");
}

// ---------- tables ----------

#[test]
fn every_rule_version_exists_in_the_manifest() {
    for r in crate::rules() {
        let versions = crate::schema_versions(r.domain, r.op)
            .unwrap_or_else(|| panic!("{} is not in the manifest", r.op));
        for v in r.since {
            assert!(
                versions.contains(v),
                "{}-{v} is not a schema version ({versions:?})",
                r.op
            );
        }
    }
}

#[test]
fn rules_cover_every_version_from_opset_7_on() {
    for r in crate::rules() {
        let versions = crate::schema_versions(r.domain, r.op).unwrap();
        let from = crate::schema::effective_version(versions, 7).unwrap_or(0);
        let supported = crate::map::supported_versions(r.domain, r.op);
        for v in versions.iter().filter(|&&v| v >= from) {
            assert!(
                supported.contains(v),
                "{}-{v} (in use from opset 7 on) has no rule",
                r.op
            );
        }
    }
}

#[test]
fn every_version_of_a_mapped_op_is_a_rule_or_a_listed_gap() {
    for r in crate::rules() {
        let versions = crate::schema_versions(r.domain, r.op).unwrap();
        let supported = crate::map::supported_versions(r.domain, r.op);
        for v in versions {
            let gap = crate::gaps()
                .any(|g| g.domain == r.domain && g.op_type == r.op && g.since.contains(v));
            assert!(
                supported.contains(v) != gap,
                "{}-{v}: must be either a rule or a listed gap (rule: {}, gap: {gap})",
                r.op,
                supported.contains(v)
            );
        }
    }
    for g in crate::gaps() {
        assert!(
            crate::rules().any(|r| r.op == g.op_type),
            "gap for unmapped op {}",
            g.op_type
        );
    }
}

#[test]
fn no_two_rows_claim_one_version() {
    let rules: Vec<_> = crate::rules().collect();
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            if a.domain == b.domain && a.op == b.op {
                assert!(
                    a.since.iter().all(|v| !b.since.contains(v)),
                    "{} has overlapping rows",
                    a.op
                );
            }
        }
    }
    for (d, op) in crate::schema_ops() {
        assert!(crate::schema_versions(d, op).is_some());
    }
}

#[test]
fn attribute_getters_decode_every_kind_and_name_mismatches() {
    use crate::attr::Attrs;
    let list = vec![
        a_int("i", 3),
        a_float("f", 0.5),
        a_str("s", "SAME_UPPER"),
        a_ints("is", &[1, 2]),
        AttributeProto {
            name: Some("fs".into()),
            floats: vec![1.0, 2.0],
            ..Default::default()
        },
        AttributeProto {
            name: Some("ss".into()),
            r#type: Some(AttributeType::Strings as i32),
            strings: vec![Bytes::from_static(b"a")],
            ..Default::default()
        },
        AttributeProto {
            name: Some("t".into()),
            r#type: Some(AttributeType::Tensor as i32),
            t: Some(t_i64("k", &[4])),
            ..Default::default()
        },
        AttributeProto {
            name: Some("ts".into()),
            r#type: Some(AttributeType::Tensors as i32),
            tensors: vec![t_i64("k", &[4])],
            ..Default::default()
        },
        AttributeProto {
            name: Some("g".into()),
            r#type: Some(AttributeType::Graph as i32),
            g: Some(GraphProto::default()),
            ..Default::default()
        },
        AttributeProto {
            name: Some("gs".into()),
            r#type: Some(AttributeType::Graphs as i32),
            graphs: vec![GraphProto::default()],
            ..Default::default()
        },
    ];
    let a = Attrs::new(&list);
    assert_eq!(a.req_int("i").unwrap(), 3);
    assert_eq!(a.float_or("f", 1.0).unwrap(), 0.5);
    assert_eq!(a.string("s").unwrap().unwrap(), "SAME_UPPER");
    assert_eq!(a.ints("is").unwrap().unwrap(), vec![1, 2]);
    // No `type` field (old models): the kind comes from the field that holds a value.
    assert_eq!(a.floats("fs").unwrap().unwrap(), vec![1.0, 2.0]);
    assert_eq!(a.strings("ss").unwrap().unwrap(), vec!["a".to_string()]);
    assert_eq!(a.tensor("t").unwrap().unwrap().name(), "k");
    assert_eq!(a.tensors("ts").unwrap().unwrap().len(), 1);
    assert!(a.graph("g").unwrap().is_some());
    assert_eq!(a.graphs("gs").unwrap().unwrap().len(), 1);
    assert_eq!(a.int_or("absent", 7).unwrap(), 7);
    let e = a.req_int("absent").unwrap_err();
    assert!(e.message.contains("required attribute \"absent\""), "{e}");
    let e = a.ints("i").unwrap_err();
    assert_eq!(e.message, "attribute \"i\": expected ints, got int");
}

// ---------- extras expressed with existing canonical ops ----------

#[test]
fn slice_split_expand_and_pad_become_gathers_and_concats() {
    let g = M::new(13)
        .input(f32_in("x", &[2, 6]))
        .init(t_i64("starts", &[-1]))
        .init(t_i64("ends", &[-100]))
        .init(t_i64("axes", &[1]))
        .init(t_i64("steps", &[-2]))
        .node(node(
            "Slice",
            "s",
            &["x", "starts", "ends", "axes", "steps"],
            &["y"],
        ))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Gather"]);
    assert_eq!(
        g.constant(g.nodes[0].inputs[1]).unwrap().to_i64s(),
        vec![5, 3, 1]
    );

    let g = M::new(18)
        .input(f32_in("x", &[7, 2]))
        .node(with_attrs(
            node("Split", "sp", &["x"], &["a", "b", "c"]),
            vec![a_int("num_outputs", 3)],
        ))
        .output("a")
        .output("c")
        .import()
        .unwrap();
    assert_eq!(out_dims(&g, 0), vec![3, 2]);
    assert_eq!(out_dims(&g, 1), vec![1, 2]);

    let g = M::new(13)
        .input(f32_in("x", &[3, 1]))
        .init(t_i64("shape", &[2, 3, 4]))
        .node(node("Expand", "e", &["x", "shape"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Reshape", "Gather", "Gather"]);
    assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);

    let g = M::new(13)
        .input(f32_in("x", &[2, 3]))
        .init(t_i64("pads", &[0, 1, 0, 2]))
        .node(node("Pad", "p", &["x", "pads"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    assert_eq!(op_names(&g), vec!["Concat"]);
    assert_eq!(out_dims(&g, 0), vec![2, 6]);
}

#[test]
fn layer_norm_binds_its_statistics_outputs() {
    let g = M::new(17)
        .input(f32_in("x", &[2, 3, 4]))
        .init(t_f32("s", &[4], &[1.0; 4]))
        .node(with_attrs(
            node(
                "LayerNormalization",
                "ln",
                &["x", "s"],
                &["y", "mean", "inv"],
            ),
            vec![a_int("axis", -1)],
        ))
        .output("y")
        .output("mean")
        .output("inv")
        .import()
        .unwrap();
    assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);
    assert_eq!(out_dims(&g, 1), vec![2, 3, 1]);
    assert_eq!(out_dims(&g, 2), vec![2, 3, 1]);
}

/// LayerNormalization over the last dim of an `elem`-typed [2, 4] input,
/// with these attributes; every output bound.
fn layer_norm_model(elem: i32, attrs: Vec<AttributeProto>) -> M {
    M::new(17)
        .input(vi("x", elem, &[D::N(2), D::N(4)]))
        .init(t_f32("s", &[4], &[1.0; 4]))
        .node(with_attrs(
            node(
                "LayerNormalization",
                "ln",
                &["x", "s"],
                &["y", "mean", "inv"],
            ),
            attrs,
        ))
        .output("y")
        .output("mean")
        .output("inv")
}

#[test]
fn f16_layer_norm_computes_and_returns_its_statistics_in_f32() {
    // stash_type defaults to 1 (float32): Mean and InvStdDev are f32, Y f16.
    let g = layer_norm_model(10, vec![]).import().unwrap();
    let dtype = |k: usize| g.ty(g.outputs[k]).dtype;
    assert_eq!(dtype(0), DType::F16);
    assert_eq!(dtype(1), DType::F32);
    assert_eq!(dtype(2), DType::F32);
    let reduce = g
        .nodes
        .iter()
        .find(|n| n.op.name() == "ReduceMean")
        .unwrap();
    assert_eq!(
        g.ty(reduce.inputs[0]).dtype,
        DType::F32,
        "mean taken in f32"
    );
}

#[test]
fn layer_norm_reads_stash_type() {
    let g = layer_norm_model(1, vec![a_int("stash_type", 11)])
        .import()
        .unwrap();
    let dtype = |k: usize| g.ty(g.outputs[k]).dtype;
    assert_eq!(dtype(0), DType::F32);
    assert_eq!(dtype(1), DType::F64);
    assert_eq!(dtype(2), DType::F64);
    let e = layer_norm_model(1, vec![a_int("stash_type", 7)])
        .import()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    assert!(e.message.contains("stash_type"), "{e}");
}

#[test]
fn rms_norm_computes_in_stash_type_and_returns_the_input_type() {
    let model = |stash: i64| {
        M::new(23)
            .input(vi("x", 10, &[D::N(2), D::N(4)]))
            .init(t_f32("s", &[4], &[1.0; 4]))
            .node(with_attrs(
                node("RMSNormalization", "rms", &["x", "s"], &["y"]),
                vec![a_int("stash_type", stash)],
            ))
            .output("y")
            .import()
    };
    for (stash, dtype) in [(1, DType::F32), (11, DType::F64)] {
        let g = model(stash).unwrap();
        assert_eq!(g.ty(g.outputs[0]).dtype, DType::F16);
        let reduce = g
            .nodes
            .iter()
            .find(|n| n.op.name() == "ReduceMean")
            .unwrap();
        assert_eq!(g.ty(reduce.inputs[0]).dtype, dtype, "stash_type {stash}");
    }
}

#[test]
fn shape_arithmetic_on_symbolic_dims_gives_a_symbolic_reshape() {
    let g = M::new(13)
        .input(vi("x", 1, &[D::S("batch"), D::S("seq"), D::N(8)]))
        .init(t_i64("i0", &[0]))
        .init(t_i64("i2", &[2]))
        .init(t_i64("m1", &[-1]))
        .node(node("Shape", "shape", &["x"], &["s"]))
        .node(node("Gather", "g0", &["s", "i0"], &["b"]))
        .node(node("Gather", "g2", &["s", "i2"], &["c"]))
        .node(with_attrs(
            node("Concat", "cat", &["b", "m1", "c"], &["t"]),
            vec![a_int("axis", 0)],
        ))
        .node(node("Reshape", "r", &["x", "t"], &["y"]))
        .output("y")
        .import()
        .unwrap();
    // The target is the input's own shape: no Reshape, only the output copy.
    assert_eq!(op_names(&g), vec!["Transpose"]);
    assert_eq!(
        g.ty(g.outputs[0]).shape,
        vec![
            Dim::Symbol("batch".into()),
            Dim::Symbol("seq".into()),
            Dim::Known(8)
        ]
    );
}

#[test]
fn comparisons_where_and_mod_map_onto_elementwise_ops() {
    let g = M::new(17)
        .input(f32_in("a", &[2, 3]))
        .input(f32_in("b", &[3]))
        .node(node("GreaterOrEqual", "ge", &["a", "b"], &["c"]))
        .node(node("Where", "w", &["c", "a", "b"], &["y"]))
        .node(with_attrs(
            node("Mod", "m", &["y", "b"], &["z"]),
            vec![a_int("fmod", 1)],
        ))
        .node(with_attrs(
            node("Gelu", "g", &["z"], &["out"]),
            vec![a_str("approximate", "none")],
        ))
        .output("out")
        .import();
    // Gelu is opset 20: at opset 17 it is not in the default domain.
    assert!(g.is_err());
    let g = M::new(20)
        .input(f32_in("a", &[2, 3]))
        .input(f32_in("b", &[3]))
        .node(node("GreaterOrEqual", "ge", &["a", "b"], &["c"]))
        .node(node("Where", "w", &["c", "a", "b"], &["y"]))
        .node(with_attrs(
            node("Mod", "m", &["y", "b"], &["z"]),
            vec![a_int("fmod", 1)],
        ))
        .node(node("Gelu", "g", &["z"], &["out"]))
        .output("out")
        .import()
        .unwrap();
    let names = op_names(&g);
    assert_eq!(&names[..3], &["GreaterOrEqual", "Select", "Mod"]);
    assert!(names.contains(&"Erf"));
    assert_eq!(g.ty(g.nodes[0].outputs[0]).dtype, o2l_canon::DType::Bool);
    assert_eq!(out_dims(&g, 0), vec![2, 3]);
}

mod causal_conv_tests {
    use super::*;

    fn model(activation: &str) -> M {
        M::new(27)
            .input(f32_in("x", &[2, 4, 5]))
            .input(f32_in("w", &[4, 1, 3]))
            .node(with_attrs(
                node("CausalConvWithState", "cc", &["x", "w"], &["y", "state"]),
                vec![a_str("activation", activation)],
            ))
            .output("y")
            .output("state")
    }

    #[test]
    fn causal_conv_is_a_depthwise_conv_over_zero_state_then_input() {
        let g = model("silu").import().unwrap();
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        assert_eq!(ops, ["Concat", "Conv", "Sigmoid", "Mul", "Gather"]);
        let Op::Conv(conv) = &g.nodes[1].op else {
            panic!("expected Conv, got {:?}", g.nodes[1].op)
        };
        assert_eq!((conv.groups, conv.pads.clone()), (4, vec![(0, 0)]));
        assert_eq!(out_dims(&g, 0), vec![2, 4, 5]);
        assert_eq!(out_dims(&g, 1), vec![2, 4, 2]);
    }

    #[test]
    fn causal_conv_rejects_an_unknown_activation() {
        let e = model("relu").import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel);
        assert!(e.message.contains("\"relu\""), "{e}");
    }
}

mod training_tests {
    use super::*;

    fn scalar_in(name: &str, elem: i32) -> ValueInfoProto {
        vi(name, elem, &[])
    }

    #[test]
    fn momentum_updates_every_tensor_and_rejects_an_unknown_mode() {
        let model = |mode: &str| {
            let mut n = with_attrs(
                node(
                    "Momentum",
                    "m",
                    &["r", "t", "x1", "x2", "g1", "g2", "v1", "v2"],
                    &["x1n", "x2n", "v1n", "v2n"],
                ),
                vec![
                    a_float("alpha", 0.9),
                    a_float("beta", 0.1),
                    a_float("norm_coefficient", 0.0),
                    a_str("mode", mode),
                ],
            );
            n.domain = Some("ai.onnx.preview.training".into());
            let mut m = M::new(17).input(scalar_in("r", 1)).input(scalar_in("t", 7));
            for v in ["x1", "x2", "g1", "g2", "v1", "v2"] {
                m = m.input(f32_in(v, &[3]));
            }
            m.model.opset_import.push(OperatorSetIdProto {
                domain: Some("ai.onnx.preview.training".into()),
                version: Some(1),
            });
            m.node(n)
                .output("x1n")
                .output("x2n")
                .output("v1n")
                .output("v2n")
        };
        let g = model("nesterov").import().unwrap();
        assert_eq!(g.outputs.len(), 4);
        for k in 0..4 {
            assert_eq!(out_dims(&g, k), vec![3]);
        }
        let e = model("heavy-ball").import().unwrap_err();
        assert!(e.message.contains("\"heavy-ball\""), "{e}");
    }
}

mod attention_tests {
    use super::*;

    #[test]
    fn grouped_query_attention_from_3d_inputs_with_a_past_cache() {
        let g = M::new(23)
            .input(f32_in("q", &[2, 3, 32]))
            .input(f32_in("k", &[2, 3, 16]))
            .input(f32_in("v", &[2, 3, 8]))
            .input(f32_in("pk", &[2, 2, 5, 8]))
            .input(f32_in("pv", &[2, 2, 5, 4]))
            .node(with_attrs(
                node(
                    "Attention",
                    "att",
                    &["q", "k", "v", "", "pk", "pv"],
                    &["y", "present_k", "present_v"],
                ),
                vec![
                    a_int("q_num_heads", 4),
                    a_int("kv_num_heads", 2),
                    a_int("is_causal", 1),
                ],
            ))
            .output("y")
            .output("present_k")
            .output("present_v")
            .import()
            .unwrap();
        // 4 query heads of 8, 2 kv heads; v head size 4; 5 past + 3 new keys.
        assert_eq!(out_dims(&g, 0), vec![2, 3, 16]);
        assert_eq!(out_dims(&g, 1), vec![2, 2, 8, 8]);
        assert_eq!(out_dims(&g, 2), vec![2, 2, 8, 4]);
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        for want in ["Concat", "Gather", "MatMul", "Softmax", "Select"] {
            assert!(ops.contains(&want), "{want} missing from {ops:?}");
        }
    }

    #[test]
    fn attention_rejects_3d_inputs_without_head_counts() {
        let e = M::new(23)
            .input(f32_in("q", &[1, 3, 8]))
            .input(f32_in("k", &[1, 3, 8]))
            .input(f32_in("v", &[1, 3, 8]))
            .node(node("Attention", "att", &["q", "k", "v"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("q_num_heads and kv_num_heads"), "{e}");
    }
}

mod loss_tests {
    use super::*;

    #[test]
    fn losses_reduce_to_a_scalar_and_keep_positions_with_reduction_none() {
        let model = |op: &str, reduction: &str, outs: &[&str]| {
            let mut m = M::new(13)
                .input(f32_in("x", &[3, 5, 2]))
                .input(vi("t", 7, &[D::N(3), D::N(2)]))
                .input(f32_in("w", &[5]))
                .node(with_attrs(
                    node(op, "loss", &["x", "t", "w"], outs),
                    vec![a_str("reduction", reduction), a_int("ignore_index", -1)],
                ));
            for o in outs {
                m = m.output(o);
            }
            m
        };
        let g = model("NegativeLogLikelihoodLoss", "mean", &["l"])
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), Vec::<u64>::new());
        let g = model("SoftmaxCrossEntropyLoss", "none", &["l", "logp"])
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3, 2]);
        assert_eq!(out_dims(&g, 1), vec![3, 5, 2]);
        let e = model("NegativeLogLikelihoodLoss", "median", &["l"])
            .import()
            .unwrap_err();
        assert!(e.message.contains("\"median\""), "{e}");
    }
}

mod quant_tests {
    use super::*;

    #[test]
    fn blocked_quantization_repeats_scales_and_clamps_to_the_zero_point_type() {
        let g = M::new(21)
            .input(f32_in("x", &[2, 6]))
            .input(f32_in("s", &[2, 3]))
            .input(vi("z", 3, &[D::N(2), D::N(3)]))
            .node(with_attrs(
                node("QuantizeLinear", "q", &["x", "s", "z"], &["y"]),
                vec![a_int("axis", 1), a_int("block_size", 2)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.ty(g.outputs[0]).dtype, DType::I8);
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        for want in ["Gather", "Div", "Round", "Clamp"] {
            assert!(ops.contains(&want), "{want} missing from {ops:?}");
        }
        let e = M::new(21)
            .input(f32_in("x", &[2, 6]))
            .input(f32_in("s", &[2, 2]))
            .node(with_attrs(
                node("QuantizeLinear", "q", &["x", "s"], &["y"]),
                vec![a_int("axis", 1), a_int("block_size", 2)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("3 blocks along axis 1"), "{e}");
    }
}

mod conv_transpose_tests {
    use super::*;

    #[test]
    fn conv_transpose_output_size_follows_strides_pads_and_output_padding() {
        let g = M::new(11)
            .input(f32_in("x", &[1, 4, 3, 5]))
            .input(f32_in("w", &[4, 3, 3, 3]))
            .node(with_attrs(
                node("ConvTranspose", "ct", &["x", "w"], &["y"]),
                vec![
                    a_int("group", 2),
                    a_ints("strides", &[2, 3]),
                    a_ints("pads", &[1, 0, 1, 2]),
                    a_ints("output_padding", &[1, 1]),
                ],
            ))
            .output("y")
            .import()
            .unwrap();
        // 2*(3-1)+1+3-1-1 = 6 and 3*(5-1)+1+3-0-2 = 14; 3 per group * 2 groups.
        assert_eq!(out_dims(&g, 0), vec![1, 6, 6, 14]);
        let e = M::new(11)
            .input(f32_in("x", &[1, 4, 3, 5]))
            .input(f32_in("w", &[4, 3, 3, 3]))
            .node(with_attrs(
                node("ConvTranspose", "ct", &["x", "w"], &["y"]),
                vec![a_int("group", 3)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("group 3"), "{e}");
    }
}

mod control_tests {
    use super::*;

    fn graph_attr(name: &str, g: GraphProto) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Graph as i32),
            g: Some(g),
            ..Default::default()
        }
    }

    /// Body (i, cond, acc) -> (cond, acc + x, acc): x comes from the outer scope.
    fn body() -> GraphProto {
        GraphProto {
            name: Some("body".into()),
            input: vec![vi("i", 7, &[]), vi("c", 9, &[]), f32_in("acc", &[3])],
            node: vec![
                node("Identity", "keep", &["c"], &["c_out"]),
                node("Add", "add", &["acc", "x"], &["acc_out"]),
                node("Identity", "scan", &["acc"], &["seen"]),
            ],
            output: vec![
                vi("c_out", 9, &[]),
                f32_in("acc_out", &[3]),
                f32_in("seen", &[3]),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn loop_with_a_constant_trip_count_is_unrolled_reading_outer_values() {
        let g = M::new(13)
            .input(f32_in("x", &[3]))
            .input(f32_in("a0", &[3]))
            .init(t_i64("m", &[4]))
            .node(with_attrs(
                node("Loop", "loop", &["m", "", "a0"], &["acc", "all"]),
                vec![graph_attr("body", body())],
            ))
            .output("acc")
            .output("all")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 1), vec![4, 3]);
        let adds = g.nodes.iter().filter(|n| n.op.name() == "Add").count();
        assert_eq!(adds, 4, "one Add per unrolled iteration");
    }

    #[test]
    fn if_with_a_runtime_condition_selects_between_both_branches() {
        let branch = |v: f32| GraphProto {
            name: Some("b".into()),
            node: vec![with_attrs(
                node("Constant", "k", &[], &["out"]),
                vec![AttributeProto {
                    name: Some("value_float".into()),
                    r#type: Some(AttributeType::Float as i32),
                    f: Some(v),
                    ..Default::default()
                }],
            )],
            output: vec![f32_in("out", &[])],
            ..Default::default()
        };
        let g = M::new(13)
            .input(vi("c", 9, &[]))
            .node(with_attrs(
                node("If", "if", &["c"], &["y"]),
                vec![
                    graph_attr("then_branch", branch(1.0)),
                    graph_attr("else_branch", branch(2.0)),
                ],
            ))
            .output("y")
            .import()
            .unwrap();
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        assert!(ops.contains(&"Select"), "{ops:?}");
    }

    /// An If on a run-time condition whose branches both are `branch`.
    fn if_with(branch: GraphProto) -> M {
        M::new(13)
            .input(f32_in("x", &[2]))
            .input(vi("c", 9, &[]))
            .node(with_attrs(
                node("If", "if", &["c"], &["y"]),
                vec![
                    graph_attr("then_branch", branch.clone()),
                    graph_attr("else_branch", branch),
                ],
            ))
            .output("y")
    }

    #[test]
    fn a_subgraph_defining_a_value_twice_is_refused() {
        let branch = GraphProto {
            name: Some("b".into()),
            node: vec![
                node("Relu", "first", &["x"], &["t"]),
                node("Neg", "second", &["x"], &["t"]),
            ],
            output: vec![f32_in("t", &[2])],
            ..Default::default()
        };
        let e = if_with(branch).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("\"t\" is defined more than once"), "{e}");
        assert_eq!(e.origin.as_ref().unwrap().node, "if/then/second", "{e}");
    }

    #[test]
    fn every_unsupported_node_of_a_subgraph_is_reported_together() {
        let branch = GraphProto {
            name: Some("b".into()),
            node: vec![
                node("Foo", "foo", &["x"], &["a"]),
                node("Bar", "bar", &["x"], &["b"]),
                node("Add", "add", &["a", "b"], &["t"]),
            ],
            output: vec![f32_in("t", &[2])],
            ..Default::default()
        };
        let e = if_with(branch).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert_eq!(e.origin.as_ref().unwrap().node, "if/then/foo", "{e}");
        assert!(e.message.contains("Foo"), "{e}");
        assert!(e.message.contains("1 more unsupported node"), "{e}");
        assert!(e.message.contains("\"if/then/bar\""), "{e}");
    }
}

mod recurrent_tests {
    use super::*;

    #[test]
    fn bidirectional_lstm_unrolls_and_stacks_directions() {
        let g = M::new(14)
            .input(f32_in("x", &[5, 2, 3]))
            .input(f32_in("w", &[2, 16, 3]))
            .input(f32_in("r", &[2, 16, 4]))
            .node(with_attrs(
                node("LSTM", "lstm", &["x", "w", "r"], &["y", "h", "c"]),
                vec![a_int("hidden_size", 4), a_str("direction", "bidirectional")],
            ))
            .output("y")
            .output("h")
            .output("c")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![5, 2, 2, 4]);
        assert_eq!(out_dims(&g, 1), vec![2, 2, 4]);
        assert_eq!(out_dims(&g, 2), vec![2, 2, 4]);
        // One input projection per direction, one recurrent MatMul per step.
        let matmuls = g.nodes.iter().filter(|n| n.op.name() == "MatMul").count();
        assert_eq!(matmuls, 2 + 2 * 5);
    }
}

// ---------- limits ----------

fn with_limits(f: impl FnOnce(&mut o2l_canon::Limits)) -> ImportOptions {
    let mut o = ImportOptions::default();
    f(&mut o.limits);
    o
}

#[test]
fn a_fold_larger_than_max_fold_bytes_stays_an_op() {
    let model = || {
        M::new(17)
            .init(t_f32("a", &[64], &[1.0; 64]))
            .init(t_f32("b", &[64], &[2.0; 64]))
            .node(node("Add", "add", &["a", "b"], &["y"]))
            .output("y")
    };
    let folded = model().import().unwrap();
    assert!(folded.nodes.is_empty(), "{:?}", op_names(&folded));
    // 64 f32 are 256 bytes: above a 128-byte cap the Add runs at run time.
    let kept = model()
        .import_with(&with_limits(|l| l.max_fold_bytes = 128))
        .unwrap();
    assert_eq!(op_names(&kept), ["Add"]);
}

#[test]
fn a_constant_the_converter_must_make_past_the_caps_is_a_limit_error() {
    let model = || {
        M::new(17)
            .init(t_i64("shape", &[1000, 1000]))
            .node(node("ConstantOfShape", "fill", &["shape"], &["y"]))
            .output("y")
    };
    assert!(model().import().is_ok());
    let e = model()
        .import_with(&with_limits(|l| l.max_fold_bytes = 1 << 20))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("--max-fold-bytes"), "{e}");
    assert!(e.message.contains("ConstantOfShape of [1000, 1000]"), "{e}");
}

#[test]
fn constants_made_in_total_past_max_alloc_bytes_are_a_limit_error() {
    // Each fold is small, together they pass a 3000-byte total.
    let mut m = M::new(17).init(t_f32("a", &[256], &[1.0; 256]));
    let mut last = "a".to_string();
    for k in 0..4 {
        let out = format!("y{k}");
        m = m.node(node("Add", &format!("add{k}"), &[&last, "a"], &[&out]));
        last = out;
    }
    let m = m.output(&last);
    let e = m
        .import_with(&with_limits(|l| l.max_alloc_bytes = 3000))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("--max-alloc-bytes"), "{e}");
    assert!(
        e.to_string().contains("node \"add2\""),
        "the third fold passes the cap: {e}"
    );
}

#[test]
fn subgraphs_nested_past_max_depth_are_a_limit_error() {
    // If inside If inside If, each branch a graph of its own.
    let leaf = GraphProto {
        name: Some("leaf".into()),
        node: vec![node("Identity", "id", &["x"], &["r"])],
        output: vec![f32_in("r", &[2])],
        ..Default::default()
    };
    let mut g = leaf.clone();
    for level in 0..3 {
        let mut n = node("If", &format!("if{level}"), &["c"], &["r"]);
        n.attribute.push(AttributeProto {
            name: Some("then_branch".into()),
            r#type: Some(5),
            g: Some(g.clone()),
            ..Default::default()
        });
        n.attribute.push(AttributeProto {
            name: Some("else_branch".into()),
            r#type: Some(5),
            g: Some(leaf.clone()),
            ..Default::default()
        });
        g = GraphProto {
            name: Some(format!("level{level}")),
            node: vec![n],
            output: vec![f32_in("r", &[2])],
            ..Default::default()
        };
    }
    let model = || {
        let mut m = M::new(17)
            .input(f32_in("x", &[2]))
            .input(vi("c", 9, &[]))
            .output("r");
        m.g().node = g.node.clone();
        m
    };
    assert!(model().import().is_ok());
    let e = model()
        .import_with(&with_limits(|l| l.max_depth = 2))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
    assert!(e.message.contains("--max-depth"), "{e}");
}
