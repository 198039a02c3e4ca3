//! One meaning, three op sets: the same computation written as an ONNX
//! node, a TOSA program and a StableHLO program goes through the one
//! canonical table and lowering, runs on the same inputs, and the three
//! results must agree. (Each frontend is also checked against its own
//! oracle: the node suite, MLIR's TOSA lowering, JAX.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::value;
use o2l_proto::{AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto};
use onnx2linalg::{Graph, Runner, Tensor};

/// One ONNX node over f32 inputs `x0, x1, ..` of the given dims.
fn onnx(op: &str, inputs: &[&[i64]], attrs: Vec<AttributeProto>) -> Graph {
    let names: Vec<String> = (0..inputs.len()).map(|i| format!("x{i}")).collect();
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![NodeProto {
                input: names.clone(),
                output: vec!["y".into()],
                name: Some("n".into()),
                op_type: Some(op.into()),
                attribute: attrs,
                ..Default::default()
            }],
            input: names.iter().zip(inputs).map(|(n, d)| value(n, d)).collect(),
            output: vec![o2l_proto::ValueInfoProto {
                name: Some("y".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    let dir = std::env::temp_dir().join(format!("o2l-agree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{op}.onnx"));
    std::fs::write(&path, model.encode_to_vec()).unwrap();
    onnx2linalg::import_onnx(&path, &Default::default()).unwrap()
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(7),
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(2),
        i: Some(v),
        ..Default::default()
    }
}

fn tosa(program: &str) -> Graph {
    o2l_tosa::import_text(program, None).unwrap()
}

fn stablehlo(program: &str) -> Graph {
    o2l_stablehlo::import_text(program, None).unwrap()
}

/// Seeded inputs in [-2, 2) for the graph's inputs.
fn inputs(g: &Graph, seed: u64) -> Vec<Tensor> {
    let mut state = seed;
    g.inputs
        .iter()
        .map(|&v| {
            let ty = g.ty(v);
            let dims = ty.known_dims().unwrap();
            let n: u64 = dims.iter().product();
            let vals: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
                })
                .collect();
            Tensor::from_f64s(ty.dtype, dims, &vals).unwrap()
        })
        .collect()
}

/// Runs every graph on the same inputs; all results must agree.
fn agree(case: &str, graphs: &[(&str, Graph)]) {
    let (first_name, first) = &graphs[0];
    for seed in [1, 2] {
        let x = inputs(first, seed);
        let reference = Runner::new(first).unwrap().run(&x).unwrap();
        for (name, g) in &graphs[1..] {
            let got = Runner::new(g).unwrap().run(&x).unwrap();
            assert_eq!(got.len(), reference.len(), "{case}: {name} results");
            for (a, b) in got.iter().zip(&reference) {
                assert_eq!(a.dims, b.dims, "{case}: {name} vs {first_name} shape");
                for (i, (p, q)) in a.to_f64s().iter().zip(b.to_f64s()).enumerate() {
                    assert!(
                        (p - q).abs() <= 1e-5 + 1e-5 * q.abs(),
                        "{case}: {name} gives {p} at {i}, {first_name} gives {q}"
                    );
                }
            }
        }
    }
}

#[test]
fn add_agrees() {
    agree(
        "add",
        &[
            ("onnx", onnx("Add", &[&[2, 3], &[2, 3]], vec![])),
            (
                "tosa",
                tosa(
                    "func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tosa.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = stablehlo.add %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}",
                ),
            ),
        ],
    );
}

#[test]
fn batched_matmul_agrees() {
    agree(
        "matmul",
        &[
            ("onnx", onnx("MatMul", &[&[2, 3, 4], &[2, 4, 5]], vec![])),
            (
                "tosa",
                tosa(
                    "func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %zp = \"tosa.const\"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.matmul %a, %b, %zp, %zp : (tensor<2x3x4xf32>, tensor<2x4x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1], precision = [DEFAULT, DEFAULT] : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}",
                ),
            ),
        ],
    );
}

#[test]
fn conv_agrees_across_layouts() {
    // ONNX is NCHW x OIHW; the TOSA program takes the same NCHW / OIHW
    // tensors and transposes them to its NHWC / OHWI around conv2d.
    agree(
        "conv",
        &[
            (
                "onnx",
                onnx(
                    "Conv",
                    &[&[1, 3, 6, 6], &[4, 3, 3, 3]],
                    vec![ints("pads", &[1, 0, 0, 1]), ints("strides", &[2, 1])],
                ),
            ),
            (
                "tosa",
                tosa(
                    "func.func @f(%x: tensor<1x3x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x5xf32> {
  %zp = \"tosa.const\"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %b = \"tosa.const\"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x6x6xf32>) -> tensor<1x6x6x3xf32>
  %wt = tosa.transpose %w {perms = array<i32: 0, 2, 3, 1>} : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  %y = tosa.conv2d %xt, %wt, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 0, 1>, stride = array<i64: 2, 1>} : (tensor<1x6x6x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x5x4xf32>
  %o = tosa.transpose %y {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x5x4xf32>) -> tensor<1x4x3x5xf32>
  return %o : tensor<1x4x3x5xf32>
}",
                ),
            ),
            (
                "stablehlo",
                // NCHW x OIHW directly, through the dimension numbers.
                stablehlo(
                    "func.func @f(%x: tensor<1x3x6x6xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x5xf32> {
  %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [2, 1], pad = [[1, 0], [0, 1]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x5xf32>
  return %0 : tensor<1x4x3x5xf32>
}",
                ),
            ),
        ],
    );
}

#[test]
fn max_pool_agrees_across_layouts() {
    agree(
        "max pool",
        &[
            (
                "onnx",
                onnx(
                    "MaxPool",
                    &[&[1, 2, 5, 5]],
                    vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2]), ints("pads", &[0, 0, 1, 1])],
                ),
            ),
            (
                "tosa",
                tosa(
                    "func.func @f(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x5x5xf32>) -> tensor<1x5x5x2xf32>
  %y = tosa.max_pool2d %xt {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  %o = tosa.transpose %y {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
  return %o : tensor<1x2x3x3xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %init = stablehlo.constant dense<0xFF800000> : tensor<f32>
  %0 = \"stablehlo.reduce_window\"(%x, %init) <{padding = dense<[[0, 0], [0, 0], [0, 1], [0, 1]]> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>}> ({
  ^bb0(%p: tensor<f32>, %q: tensor<f32>):
    %m = stablehlo.maximum %p, %q : tensor<f32>
    stablehlo.return %m : tensor<f32>
  }) : (tensor<1x2x5x5xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}",
                ),
            ),
        ],
    );
}

#[test]
fn reduce_max_agrees() {
    agree(
        "reduce max",
        &[
            (
                "onnx",
                onnx(
                    "ReduceMax",
                    &[&[3, 4, 5]],
                    vec![ints("axes", &[1]), int("keepdims", 1)],
                ),
            ),
            (
                "tosa",
                tosa(
                    "func.func @f(%x: tensor<3x4x5xf32>) -> tensor<3x1x5xf32> {
  %y = tosa.reduce_max %x {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x1x5xf32>
  return %y : tensor<3x1x5xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%x: tensor<3x4x5xf32>) -> tensor<3x1x5xf32> {
  %init = stablehlo.constant dense<0xFF800000> : tensor<f32>
  %0 = stablehlo.reduce(%x init: %init) applies stablehlo.maximum across dimensions = [1] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %1 = stablehlo.reshape %0 : (tensor<3x5xf32>) -> tensor<3x1x5xf32>
  return %1 : tensor<3x1x5xf32>
}",
                ),
            ),
        ],
    );
}

#[test]
fn unary_math_agrees() {
    for (onnx_op, tosa_op, shlo_op) in [
        ("Exp", "exp", "exponential"),
        ("Tanh", "tanh", "tanh"),
        ("Sigmoid", "sigmoid", "logistic"),
        ("Abs", "abs", "abs"),
    ] {
        agree(
            onnx_op,
            &[
                ("onnx", onnx(onnx_op, &[&[2, 7]], vec![])),
                (
                    "tosa",
                    tosa(&format!(
                        "func.func @f(%x: tensor<2x7xf32>) -> tensor<2x7xf32> {{
  %y = tosa.{tosa_op} %x : (tensor<2x7xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}}"
                    )),
                ),
                (
                    "stablehlo",
                    stablehlo(&format!(
                        "func.func @f(%x: tensor<2x7xf32>) -> tensor<2x7xf32> {{
  %y = stablehlo.{shlo_op} %x : tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}}"
                    )),
                ),
            ],
        );
    }
}

#[test]
fn transpose_and_concat_agree() {
    agree(
        "transpose",
        &[
            (
                "onnx",
                onnx("Transpose", &[&[2, 3, 4]], vec![ints("perm", &[2, 0, 1])]),
            ),
            (
                "tosa",
                tosa(
                    "func.func @f(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %y = tosa.transpose %x {perms = array<i32: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %y : tensor<4x2x3xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = stablehlo.transpose %x, dims = [2, 0, 1] : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}",
                ),
            ),
        ],
    );
    agree(
        "concat",
        &[
            (
                "onnx",
                onnx("Concat", &[&[2, 3], &[2, 3]], vec![int("axis", 1)]),
            ),
            (
                "tosa",
                tosa(
                    "func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %y = tosa.concat %a, %b {axis = 1 : i32} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}",
                ),
            ),
            (
                "stablehlo",
                stablehlo(
                    "func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = stablehlo.concatenate %a, %b, dim = 1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}",
                ),
            ),
        ],
    );
}
