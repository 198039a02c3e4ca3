#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Lowering tests on graphs built in memory: each asserts the module verifies,
//! checks key lines of the printed IR, and (when LLVM 22's `mlir-opt` is
//! installed) that the module bufferizes and lowers to loops.
use super::*;
use o2l_canon::ops::{
    Binary, Conv, Elementwise, Linear, Movement, Norm, Pool, PoolKind, Reduce, ReduceKind, Unary,
};
use o2l_canon::{DType, Dim, Op, Origin, Tensor, TensorType, ValueId};

const MLIR_OPT: &str = "/usr/lib/llvm-22/bin/mlir-opt";

fn origin(name: &str) -> Origin {
    Origin {
        node: name.into(),
        op_type: "Test".into(),
        domain: "ai.onnx".into(),
        opset: 17,
        version: 17,
    }
}

fn t(d: DType, dims: &[u64]) -> TensorType {
    TensorType::of_known(d, dims)
}

fn f32t(dims: &[u64]) -> TensorType {
    t(DType::F32, dims)
}

/// One graph with a single node over `inputs` (runtime inputs, or constants).
struct Case {
    g: Graph,
}

impl Case {
    fn new() -> Self {
        Case {
            g: Graph::new("test_graph"),
        }
    }
    fn input(&mut self, name: &str, ty: TensorType) -> ValueId {
        self.g.add_input(name, ty).unwrap()
    }
    fn weight(&mut self, name: &str, dims: &[u64], seed: f64) -> ValueId {
        let n: u64 = dims.iter().product();
        let v: Vec<f64> = (0..n).map(|i| (i as f64) * 0.5 - seed).collect();
        self.g
            .add_constant(
                name,
                Tensor::from_f64s(DType::F32, dims.to_vec(), &v).unwrap(),
            )
            .unwrap()
    }
    fn node(&mut self, op: Op, ins: &[ValueId], name: &str) -> ValueId {
        self.g.add_node(op, ins, &origin(name)).unwrap()[0]
    }
    fn output(mut self, v: ValueId) -> Graph {
        self.g.outputs.push(v);
        self.g
    }
}

fn lower_text(g: &Graph, weights: Weights) -> String {
    let out = lower(
        g,
        &LowerOptions {
            weights,
            emit: Emit::Text,
        },
    )
    .unwrap_or_else(|e| panic!("lowering failed: {e}"));
    String::from_utf8(out).unwrap()
}

/// Lowers, checks that every fragment occurs in order, and runs mlir-opt.
fn check(g: &Graph, fragments: &[&str]) -> String {
    let text = lower_text(g, Weights::Resource);
    if std::env::var_os("O2L_PRINT_IR").is_some() {
        eprintln!("{text}");
    }
    let mut at = 0;
    for f in fragments {
        match text[at..].find(f) {
            Some(p) => at += p + f.len(),
            None => panic!("expected `{f}` (in order) in:\n{text}"),
        }
    }
    bufferizes(&text);
    text
}

fn bufferizes(text: &str) {
    if !std::path::Path::new(MLIR_OPT).exists() {
        return;
    }
    use std::io::Write;
    let mut child = std::process::Command::new(MLIR_OPT)
        .args([
            "--one-shot-bufferize=bufferize-function-boundaries",
            "--convert-linalg-to-loops",
            "-o",
            "/dev/null",
        ])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "mlir-opt failed:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn unary(u: Unary) -> Op {
    Op::Elementwise(Elementwise::Unary(u))
}
fn binary(b: Binary) -> Op {
    Op::Elementwise(Elementwise::Binary(b))
}

#[test]
fn function_signature_and_passthrough_outputs() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2, 3]));
    let w = c.weight("w", &[2, 3], 1.0);
    let mut g = c.g;
    g.outputs = vec![x, w];
    check(
        &g,
        &[
            "func.func @test_graph(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) attributes {llvm.emit_c_interface}",
            "arith.constant dense<",
            "return %arg0,",
        ],
    );
}

#[test]
fn elementwise_unary_float() {
    for (u, frag) in [
        (Unary::Neg, "arith.negf"),
        (Unary::Abs, "math.absf"),
        (Unary::Relu, "arith.maximumf"),
        (Unary::Sigmoid, "math.exp"),
        (Unary::Tanh, "math.tanh"),
        (Unary::Exp, "math.exp"),
        (Unary::Log, "math.log"),
        (Unary::Sqrt, "math.sqrt"),
        (Unary::LeakyRelu { alpha: 0.1 }, "arith.select"),
        (
            Unary::Clamp {
                min: -1.0,
                max: 6.0,
            },
            "arith.minimumf",
        ),
    ] {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 3]));
        let y = c.node(unary(u), &[x], "u");
        check(
            &c.output(y),
            &[
                "tensor.empty() : tensor<2x3xf32>",
                "linalg.generic",
                frag,
                "linalg.yield",
            ],
        );
    }
}

#[test]
fn elementwise_unary_int() {
    let mut c = Case::new();
    let x = c.input("x", t(DType::I32, &[4]));
    let a = c.node(unary(Unary::Abs), &[x], "abs");
    let r = c.node(unary(Unary::Relu), &[a], "relu");
    let n = c.node(unary(Unary::Neg), &[r], "neg");
    let k = c.node(
        unary(Unary::Clamp {
            min: -2.0,
            max: 3.0,
        }),
        &[n],
        "clamp",
    );
    check(
        &c.output(k),
        &[
            "math.absi",
            "arith.maxsi",
            "arith.subi",
            "arith.maxsi",
            "arith.minsi",
        ],
    );
}

#[test]
fn elementwise_binary_broadcasts() {
    let mut c = Case::new();
    let a = c.input("a", f32t(&[2, 1, 4]));
    let b = c.input("b", f32t(&[3, 1]));
    let y = c.node(binary(Binary::Add), &[a, b], "add");
    check(
        &c.output(y),
        &[
            "affine_map<(d0, d1, d2) -> (d0, 0, d2)>",
            "affine_map<(d0, d1, d2) -> (d1, 0)>",
            "affine_map<(d0, d1, d2) -> (d0, d1, d2)>",
            "arith.addf",
            "tensor<2x3x4xf32>",
        ],
    );
}

#[test]
fn elementwise_binary_all_types() {
    for (b, d, frag) in [
        (Binary::Sub, DType::F32, "arith.subf"),
        (Binary::Mul, DType::F64, "arith.mulf"),
        (Binary::Div, DType::I64, "arith.divsi"),
        (Binary::Div, DType::U8, "arith.divui"),
        (Binary::Max, DType::U16, "arith.maxui"),
        (Binary::Min, DType::I8, "arith.minsi"),
        (Binary::Max, DType::F16, "arith.maximumf"),
        (Binary::Pow, DType::F32, "math.powf"),
        (Binary::Add, DType::BF16, "arith.addf"),
    ] {
        let mut c = Case::new();
        let x = c.input("x", t(d, &[3]));
        let y = c.input("y", t(d, &[3]));
        let z = c.node(binary(b), &[x, y], "b");
        check(&c.output(z), &[frag]);
    }
}

#[test]
fn elementwise_symbolic_dims() {
    let mut c = Case::new();
    let ty = TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]);
    let x = c.input("x", ty);
    let y = c.input("y", f32t(&[3]));
    let z = c.node(binary(Binary::Mul), &[x, y], "mul");
    check(
        &c.output(z),
        &[
            "tensor<?x3xf32>",
            "tensor.dim",
            "tensor.empty(%",
            "arith.mulf",
        ],
    );
}

#[test]
fn cast_every_pair_verifies() {
    for from in DType::ALL {
        for to in DType::ALL {
            let mut c = Case::new();
            let x = c.input("x", t(from, &[2]));
            let y = c.node(Op::Elementwise(Elementwise::cast(to)), &[x], "cast");
            let text = lower_text(&c.output(y), Weights::Inline);
            if from != to {
                assert!(text.contains("linalg.generic"), "{from} -> {to}:\n{text}");
            }
        }
    }
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2]));
    let y = c.node(Op::Elementwise(Elementwise::cast(DType::U8)), &[x], "cast");
    check(&c.output(y), &["arith.fptoui", "tensor<2xi8>"]);
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2]));
    let y = c.node(
        Op::Elementwise(Elementwise::cast(DType::Bool)),
        &[x],
        "cast",
    );
    check(&c.output(y), &["arith.cmpf une", "tensor<2xi1>"]);
}

#[test]
fn matmul_2d_uses_named_op() {
    let mut c = Case::new();
    let a = c.input("a", f32t(&[2, 3]));
    let b = c.weight("b", &[3, 6], 0.0);
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
    let text = check(
        &c.output(y),
        &[
            "arith.constant dense_resource<b> : tensor<3x6xf32>",
            "linalg.fill",
            "linalg.matmul ins(%arg0, %",
            "-> tensor<2x6xf32>",
            "dialect_resources",
        ],
    );
    assert!(text.contains("b: \"0x04000000"), "{text}");
}

#[test]
fn matmul_vector_promotion() {
    let mut c = Case::new();
    let a = c.input("a", f32t(&[3]));
    let b = c.input("b", f32t(&[3, 4]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mv");
    check(
        &c.output(y),
        &[
            "tensor.expand_shape",
            "tensor<1x3xf32>",
            "linalg.matmul",
            "tensor.collapse_shape",
            "tensor<4xf32>",
        ],
    );
    let mut c = Case::new();
    let a = c.input("a", f32t(&[3]));
    let b = c.input("b", f32t(&[3]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "dot");
    check(
        &c.output(y),
        &["linalg.matmul", "tensor.collapse_shape", "into tensor<f32>"],
    );
}

#[test]
fn matmul_batched_and_broadcast() {
    let mut c = Case::new();
    let a = c.input("a", f32t(&[5, 2, 3]));
    let b = c.input("b", f32t(&[5, 3, 4]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "bmm");
    check(&c.output(y), &["linalg.batch_matmul", "tensor<5x2x4xf32>"]);
    let mut c = Case::new();
    let a = c.input("a", f32t(&[2, 1, 2, 3]));
    let b = c.input("b", f32t(&[5, 3, 4]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "bcast");
    check(
        &c.output(y),
        &[
            "affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>",
            "affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>",
            "\"reduction\"",
            "tensor<2x5x2x4xf32>",
        ],
    );
}

#[test]
fn matmul_symbolic_batch() {
    let mut c = Case::new();
    let a = c.input(
        "a",
        TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]),
    );
    let b = c.input("b", f32t(&[3, 4]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
    check(
        &c.output(y),
        &["tensor.dim", "linalg.matmul", "tensor<?x4xf32>"],
    );
}

fn conv(strides: &[u64], dil: &[u64], pads: &[(u64, u64)], groups: u64) -> Op {
    Op::Conv(Conv {
        strides: strides.to_vec(),
        dilations: dil.to_vec(),
        pads: pads.to_vec(),
        groups,
    })
}

#[test]
fn conv_2d_named_with_pad_and_bias() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 3, 8, 8]));
    let w = c.weight("w", &[4, 3, 3, 3], 1.0);
    let b = c.weight("bias", &[4], 0.0);
    let y = c.node(
        conv(&[2, 2], &[1, 1], &[(1, 1), (1, 1)], 1),
        &[x, w, b],
        "conv",
    );
    check(
        &c.output(y),
        &[
            "tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]",
            "linalg.broadcast",
            "linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}",
            "-> tensor<1x4x4x4xf32>",
        ],
    );
}

#[test]
fn conv_1d_3d_and_grouped() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 2, 9]));
    let w = c.weight("w", &[3, 2, 3], 1.0);
    let y = c.node(conv(&[1], &[2], &[(0, 0)], 1), &[x, w], "c1");
    check(
        &c.output(y),
        &["linalg.conv_1d_ncw_fcw {dilations = dense<2>"],
    );
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 2, 4, 4, 4]));
    let w = c.weight("w", &[3, 2, 2, 2, 2], 1.0);
    let y = c.node(conv(&[1, 1, 1], &[1, 1, 1], &[(0, 0); 3], 1), &[x, w], "c3");
    check(&c.output(y), &["linalg.conv_3d_ncdhw_fcdhw"]);
    // Depthwise: groups = channels.
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 4, 6, 6]));
    let w = c.weight("w", &[4, 1, 3, 3], 1.0);
    let b = c.weight("bias", &[4], 1.0);
    let y = c.node(
        conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 4),
        &[x, w, b],
        "dw",
    );
    check(
        &c.output(y),
        &[
            "affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>",
            "tensor.expand_shape",
            "tensor<1x4x1x8x8xf32>",
            "linalg.broadcast",
            "tensor.collapse_shape",
            "tensor<1x4x6x6xf32>",
        ],
    );
}

fn pool(kind: PoolKind, k: &[u64], s: &[u64], pads: &[(u64, u64)], ceil: bool) -> Op {
    Op::Pool(Pool {
        kind,
        kernel: k.to_vec(),
        strides: s.to_vec(),
        dilations: vec![1; k.len()],
        pads: pads.to_vec(),
        ceil_mode: ceil,
    })
}

#[test]
fn max_pool_2d_named_pads_with_lowest() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 2, 5, 5]));
    let y = c.node(
        pool(PoolKind::Max, &[2, 2], &[2, 2], &[(0, 0); 2], true),
        &[x],
        "mp",
    );
    check(
        &c.output(y),
        &[
            "0xFF800000",
            "tensor.pad",
            "high[0, 0, 1, 1]",
            "linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}",
            "tensor<1x2x3x3xf32>",
        ],
    );
}

#[test]
fn average_pool_divisors() {
    // Excluding padding: per-position counts.
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 1, 4, 4]));
    let y = c.node(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            &[3, 3],
            &[1, 1],
            &[(1, 1), (1, 1)],
            false,
        ),
        &[x],
        "ap",
    );
    check(
        &c.output(y),
        &[
            "linalg.pooling_nchw_sum",
            "dense<[2.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00]>",
            "arith.divf",
        ],
    );
    // Including padding: one divisor.
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 1, 4, 4]));
    let y = c.node(
        pool(
            PoolKind::Average {
                count_include_pad: true,
            },
            &[3, 3],
            &[1, 1],
            &[(1, 1), (1, 1)],
            false,
        ),
        &[x],
        "ap",
    );
    check(
        &c.output(y),
        &["linalg.pooling_nchw_sum", "9.000000e+00", "arith.divf"],
    );
    // 1-D and 3-D use linalg.generic.
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 2, 7]));
    let y = c.node(
        pool(PoolKind::Max, &[3], &[2], &[(1, 1)], false),
        &[x],
        "mp1",
    );
    check(
        &c.output(y),
        &["linalg.generic", "\"reduction\"", "arith.maximumf"],
    );
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 1, 4, 4, 4]));
    let y = c.node(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            &[2, 2, 2],
            &[2, 2, 2],
            &[(0, 0); 3],
            false,
        ),
        &[x],
        "ap3",
    );
    check(
        &c.output(y),
        &["linalg.generic", "arith.addf", "arith.divf"],
    );
}

#[test]
fn reductions() {
    for (kind, keep, frag) in [
        (ReduceKind::Sum, false, "arith.addf"),
        (ReduceKind::Mean, true, "arith.divf"),
        (ReduceKind::Max, false, "arith.maximumf"),
        (ReduceKind::Min, true, "arith.minimumf"),
        (ReduceKind::Prod, false, "arith.mulf"),
    ] {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 3, 4]));
        let y = c.node(
            Op::Reduce(Reduce {
                kind,
                axes: vec![1],
                keep_dims: keep,
            }),
            &[x],
            "r",
        );
        let out = if keep {
            "tensor<2x1x4xf32>"
        } else {
            "tensor<2x4xf32>"
        };
        check(&c.output(y), &["linalg.reduce", frag, out]);
    }
    let mut c = Case::new();
    let x = c.input(
        "x",
        TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(4)]),
    );
    let y = c.node(
        Op::Reduce(Reduce {
            kind: ReduceKind::Mean,
            axes: vec![0, 1],
            keep_dims: true,
        }),
        &[x],
        "mean",
    );
    check(
        &c.output(y),
        &[
            "linalg.reduce",
            "arith.sitofp",
            "arith.divf",
            "tensor<1x1xf32>",
        ],
    );
}

#[test]
fn softmax_and_log_softmax() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2, 5]));
    let y = c.node(Op::Norm(Norm::Softmax { axis: 1 }), &[x], "sm");
    check(
        &c.output(y),
        &[
            "linalg.reduce",
            "arith.maximumf",
            "arith.subf",
            "math.exp",
            "linalg.reduce",
            "arith.addf",
            "arith.divf",
        ],
    );
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2, 5]));
    let y = c.node(Op::Norm(Norm::LogSoftmax { axis: 0 }), &[x], "lsm");
    check(&c.output(y), &["math.exp", "math.log", "arith.subf"]);
}

#[test]
fn movement_ops() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2, 3, 4]));
    let r = c.node(
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Known(6), Dim::Known(4)],
        }),
        &[x],
        "flatten",
    );
    let r2 = c.node(
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Known(6), Dim::Known(1), Dim::Known(4)],
        }),
        &[r],
        "unsqueeze",
    );
    let r3 = c.node(
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Known(4), Dim::Known(6)],
        }),
        &[r2],
        "reshape",
    );
    let tr = c.node(
        Op::Movement(Movement::Transpose { perm: vec![1, 0] }),
        &[r3],
        "tr",
    );
    let cc = c.node(Op::Movement(Movement::Concat { axis: 0 }), &[tr, tr], "cat");
    check(
        &c.output(cc),
        &[
            "tensor.collapse_shape %arg0 [[0, 1], [2]]",
            "tensor.expand_shape",
            "[[0], [1, 2]] output_shape [6, 1, 4]",
            "tensor.collapse_shape",
            "tensor<24xf32>",
            "linalg.transpose",
            "permutation = [1, 0]",
            "tensor.concat dim(0)",
            "tensor<12x4xf32>",
        ],
    );
}

#[test]
fn gather_and_shape_of() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[5, 3]));
    let i = c.input("i", t(DType::I64, &[2, 2]));
    let y = c.node(
        Op::Movement(Movement::Gather { axis: 0 }),
        &[x, i],
        "gather",
    );
    check(
        &c.output(y),
        &[
            "affine_map<(d0, d1, d2) -> (d0, d1)>",
            "arith.index_cast",
            "arith.cmpi slt",
            "arith.select",
            "linalg.index 2",
            "tensor.extract %arg0",
            "tensor<2x2x3xf32>",
        ],
    );
    let mut c = Case::new();
    let x = c.input(
        "x",
        TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]),
    );
    let s = c.node(Op::Movement(Movement::ShapeOf), &[x], "shape");
    check(
        &c.output(s),
        &["tensor.dim", "arith.index_cast", "tensor.from_elements"],
    );
    // Symbolic reshape goes through tensor.reshape.
    let mut c = Case::new();
    let x = c.input(
        "x",
        TensorType::new(
            DType::F32,
            vec![Dim::Symbol("N".into()), Dim::Known(3), Dim::Known(2)],
        ),
    );
    let r = c.node(
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Symbol("N".into()), Dim::Known(6)],
        }),
        &[x],
        "reshape",
    );
    check(
        &c.output(r),
        &["tensor.from_elements", "tensor.reshape", "tensor<?x6xf32>"],
    );
}

#[test]
fn weights_modes() {
    let build = || {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[4, 8]));
        let w = c.weight("layer/w:0", &[4, 8], 2.0);
        let w2 = c.weight("layer/w:0", &[4, 8], 3.0);
        let s = c.weight("small", &[8], 1.0);
        let a = c.node(binary(Binary::Add), &[x, w], "a");
        let b = c.node(binary(Binary::Add), &[a, w2], "b");
        let y = c.node(binary(Binary::Mul), &[b, s], "c");
        c.output(y)
    };
    let g = build();
    let res = lower_text(&g, Weights::Resource);
    assert!(res.contains("dense_resource<layer_w_0>"), "{res}");
    assert!(res.contains("dense_resource<layer_w_0_1>"), "{res}");
    assert!(res.contains("dense<[-1.000000e+00, -5.000000e-01"), "{res}");
    let inl = lower_text(&g, Weights::Inline);
    assert!(!inl.contains("dense_resource"), "{inl}");
    let eli = lower_text(&g, Weights::Elide);
    assert!(
        eli.contains("dense<0.000000e+00> : tensor<4x8xf32>"),
        "{eli}"
    );
    bufferizes(&res);
    let bc = lower(
        &g,
        &LowerOptions {
            weights: Weights::Resource,
            emit: Emit::Bytecode,
        },
    )
    .unwrap();
    assert!(bc.starts_with(b"ML\xefR"), "bytecode magic");
}

/// MLIR's reading of `bytecode`, printed as text (resources in hex).
fn bytecode_as_text(bytecode: &[u8]) -> String {
    let registry = melior::dialect::DialectRegistry::new();
    melior::utility::register_all_dialects(&registry);
    let context = melior::Context::new_with_registry(&registry, false);
    context.load_all_available_dialects();
    // SAFETY: the string ref points at `bytecode`, alive for the call.
    let raw = unsafe {
        mlir_sys::mlirModuleCreateParse(
            context.to_raw(),
            mlir_sys::MlirStringRef {
                data: bytecode.as_ptr() as *const std::ffi::c_char,
                length: bytecode.len(),
            },
        )
    };
    assert!(!raw.ptr.is_null(), "MLIR cannot read the bytecode");
    // SAFETY: a module just parsed, owned from here on.
    let module = unsafe { melior::ir::Module::from_raw(raw) };
    module.as_operation().to_string()
}

#[test]
fn bytecode_weights_are_the_weights() {
    // Weights viewed in a file map at odd (misaligned) offsets, spanning
    // several pages (offsets 5, 49192 and 49455 in the file; a map starts
    // page-aligned): the bytecode writer fills their placeholders from the
    // map and drops the pages again; the text form reads them directly.
    let dir = std::env::temp_dir().join(format!("o2l-deferred-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weights.bin");
    // The last (10 MB) spans many pages.
    let sizes = [(5usize, 4096usize * 3 + 8), (3, 64), (7, 2_500_000)];
    let mut file_bytes = Vec::new();
    let mut offsets = Vec::new();
    for (k, &(pad, floats)) in sizes.iter().enumerate() {
        file_bytes.extend(std::iter::repeat_n(0xAAu8, pad));
        offsets.push((file_bytes.len(), floats * 4));
        for i in 0..floats {
            file_bytes.extend(((i * 7 + k) as f32 * 0.25).to_le_bytes());
        }
    }
    std::fs::write(&path, &file_bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    // SAFETY: a file this test wrote and does not change.
    let map = bytes::Bytes::from_owner(unsafe { memmap2::Mmap::map(&file) }.unwrap());
    let mut c = Case::new();
    let mut acc = None;
    for (k, &(off, len)) in offsets.iter().enumerate() {
        let n = (len / 4) as u64;
        let data = map.slice(off..off + len);
        let w =
            c.g.add_constant(
                format!("w{k}"),
                Tensor::new(DType::F32, vec![n], data).unwrap(),
            )
            .unwrap();
        let x = c.input(&format!("x{k}"), f32t(&[n]));
        let sum = c.node(binary(Binary::Add), &[x, w], &format!("add{k}"));
        acc = Some(sum);
    }
    c.g.file_maps.push(map.clone());
    let g = c.output(acc.unwrap());
    let bytecode = lower(
        &g,
        &LowerOptions {
            weights: Weights::Resource,
            emit: Emit::Bytecode,
        },
    )
    .unwrap();
    let via_bytecode = bytecode_as_text(&bytecode);
    let text = lower_text(&g, Weights::Resource);
    let resources = |s: &str| -> String {
        let at = s
            .find("{-#")
            .unwrap_or_else(|| panic!("no resources:\n{s}"));
        s[at..].to_string()
    };
    assert_eq!(resources(&via_bytecode), resources(&text));
    assert!(
        resources(&text).contains("w2: \"0x04000000"),
        "{}",
        resources(&text)
    );
    // The map still reads the same after its pages were dropped.
    assert_eq!(&map[..], &file_bytes[..]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unsupported_is_an_error_not_a_panic() {
    let mut c = Case::new();
    let x = c.input("x", t(DType::U32, &[3]));
    let y = c.input("y", t(DType::U32, &[3]));
    let z = c.node(binary(Binary::Pow), &[x, y], "pow");
    let e = lower(&c.output(z), &LowerOptions::default()).unwrap_err();
    assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported);
    assert_eq!(e.origin.unwrap().node, "pow");
}

#[test]
fn every_op_carries_its_node_location() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[2, 3]));
    let y = c.node(unary(Unary::Relu), &[x], "relu_1");
    let g = c.output(y);
    let mut bytes = Vec::new();
    lower_impl(&g, &LowerOptions::default(), true, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let relu_loc = text
        .lines()
        .find_map(|l| l.strip_suffix(" = loc(\"relu_1\")"))
        .unwrap_or_else(|| panic!("no relu_1 location alias:\n{text}"));
    let tagged = format!("loc({relu_loc})");
    for line in text.lines().filter(|l| {
        l.contains("tensor.empty") || l.contains("} -> tensor") || l.contains("linalg.yield")
    }) {
        assert!(line.contains(&tagged), "{line}\n{text}");
    }
    assert!(
        text.contains("#loc1 = loc(\"relu_1\")") || text.contains("loc(\"relu_1\")"),
        "{text}"
    );
}

#[test]
fn conv_and_pool_with_symbolic_batch() {
    let n = || Dim::Symbol("N".into());
    let mut c = Case::new();
    let x = c.input(
        "x",
        TensorType::new(
            DType::F32,
            vec![n(), Dim::Known(4), Dim::Known(6), Dim::Known(6)],
        ),
    );
    let w = c.weight("w", &[4, 1, 3, 3], 1.0);
    let b = c.weight("bias", &[4], 1.0);
    let y = c.node(
        conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 4),
        &[x, w, b],
        "dw",
    );
    let p = c.node(
        pool(PoolKind::Max, &[2, 2], &[2, 2], &[(0, 0); 2], false),
        &[y],
        "mp",
    );
    let w2 = c.weight("w2", &[2, 4, 1, 1], 1.0);
    let z = c.node(conv(&[1, 1], &[1, 1], &[(0, 0); 2], 1), &[p, w2], "pw");
    check(
        &c.output(z),
        &[
            "tensor<?x4x8x8xf32>",
            "tensor.dim",
            "linalg.pooling_nchw_max",
            "linalg.conv_2d_nchw_fchw",
            "-> tensor<?x2x3x3xf32>",
        ],
    );
}

#[test]
fn empty_and_scalar_constants() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[0, 3]));
    let e =
        c.g.add_constant("e", Tensor::from_f64s(DType::F32, vec![0, 3], &[]).unwrap())
            .unwrap();
    let s =
        c.g.add_constant("s", Tensor::from_f64s(DType::F32, vec![], &[2.0]).unwrap())
            .unwrap();
    let a = c.node(binary(Binary::Add), &[x, e], "add");
    let y = c.node(binary(Binary::Mul), &[a, s], "mul");
    check(
        &c.output(y),
        &["tensor<0x3xf32>", "dense<2.000000e+00> : tensor<f32>"],
    );
    // Bool constants inline even in resource mode.
    let mut c = Case::new();
    let x = c.input("x", t(DType::Bool, &[20]));
    let m =
        c.g.add_constant(
            "mask",
            Tensor::from_i64s(DType::Bool, vec![20], &[1; 20]).unwrap(),
        )
        .unwrap();
    let y = c.node(Op::Movement(Movement::Concat { axis: 0 }), &[x, m], "cat");
    check(
        &c.output(y),
        &["dense<true> : tensor<20xi1>", "tensor.concat"],
    );
}

#[test]
fn verifier_diagnostics_become_verification_errors_with_origin() {
    // A node whose recorded result type contradicts its operand: built by hand,
    // past `add_node`'s inference, so only MLIR's verifier can notice.
    let mut g = Graph::new("bad");
    let x = g.add_input("x", f32t(&[2, 3])).unwrap();
    g.values.push(o2l_canon::Value {
        name: "y".into(),
        ty: f32t(&[3, 2]),
        constant: None,
    });
    let y = ValueId(g.values.len() as u32 - 1);
    g.nodes.push(o2l_canon::Node {
        op: unary(Unary::Relu),
        inputs: vec![x],
        outputs: vec![y],
        origin: origin("broken_relu"),
    });
    g.outputs.push(y);
    let e = lower(&g, &LowerOptions::default()).unwrap_err();
    assert_eq!(e.kind, o2l_canon::ErrorKind::Verification, "{e}");
    assert_eq!(
        e.origin.as_ref().map(|o| o.node.as_str()),
        Some("broken_relu")
    );
    assert!(e.message.contains("linalg.generic"), "{e}");
}

#[test]
fn output_is_deterministic() {
    let mut c = Case::new();
    let x = c.input("x", f32t(&[1, 3, 8, 8]));
    let w = c.weight("w", &[4, 3, 3, 3], 1.0);
    let y = c.node(
        conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 1),
        &[x, w],
        "conv",
    );
    let g = c.output(y);
    assert_eq!(
        lower_text(&g, Weights::Resource),
        lower_text(&g, Weights::Resource)
    );
}

#[test]
fn reshape_to_a_new_symbolic_dim() {
    let mut c = Case::new();
    let x = c.input(
        "x",
        TensorType::new(
            DType::F32,
            vec![Dim::Symbol("N".into()), Dim::Known(3), Dim::Known(4)],
        ),
    );
    let r = c.node(
        Op::Movement(Movement::Reshape {
            shape: vec![Dim::Symbol("M".into())],
        }),
        &[x],
        "flat",
    );
    check(
        &c.output(r),
        &[
            "tensor.dim",
            "arith.muli",
            "arith.divui",
            "tensor.reshape",
            "tensor<?xf32>",
        ],
    );
}

#[test]
fn half_precision_contractions_accumulate_in_f32() {
    let mut c = Case::new();
    let a = c.input("a", t(DType::F16, &[2, 3]));
    let b = c.input("b", t(DType::F16, &[3, 4]));
    let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
    check(
        &c.output(y),
        &[
            "linalg.fill",
            "tensor<2x4xf32>",
            "linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf16>, tensor<3x4xf16>) outs(%",
            "arith.truncf",
            "-> tensor<2x4xf16>",
        ],
    );
    let mut c = Case::new();
    let x = c.input("x", t(DType::BF16, &[1, 4, 5, 5]));
    let w = c.input("w", t(DType::BF16, &[4, 2, 3, 3]));
    let b = c.input("b", t(DType::BF16, &[4]));
    let y = c.node(conv(&[1, 1], &[1, 1], &[(0, 0); 2], 2), &[x, w, b], "gconv");
    check(
        &c.output(y),
        &[
            "arith.extf",
            "linalg.broadcast",
            "tensor<1x2x2x3x3xf32>",
            "arith.extf",
            "arith.mulf",
            "arith.truncf",
            "-> tensor<1x4x3x3xbf16>",
        ],
    );
}

#[test]
fn half_precision_sums_run_in_f32() {
    let mut c = Case::new();
    let x = c.input("x", t(DType::F16, &[2, 5]));
    let y = c.node(Op::Norm(Norm::Softmax { axis: 1 }), &[x], "sm");
    check(
        &c.output(y),
        &[
            "arith.extf",
            "linalg.reduce",
            "math.exp",
            "arith.truncf",
            "-> tensor<2x5xf16>",
        ],
    );
    let mut c = Case::new();
    let x = c.input("x", t(DType::BF16, &[2, 5]));
    let y = c.node(
        Op::Reduce(Reduce {
            kind: ReduceKind::Mean,
            axes: vec![1],
            keep_dims: false,
        }),
        &[x],
        "mean",
    );
    check(
        &c.output(y),
        &[
            "arith.extf",
            "tensor<2xf32>",
            "arith.truncf",
            "-> tensor<2xbf16>",
        ],
    );
    let mut c = Case::new();
    let x = c.input("x", t(DType::F16, &[1, 1, 4, 4]));
    let y = c.node(
        pool(
            PoolKind::Average {
                count_include_pad: false,
            },
            &[2, 2],
            &[2, 2],
            &[(0, 0); 2],
            false,
        ),
        &[x],
        "ap",
    );
    check(
        &c.output(y),
        &["arith.extf", "linalg.pooling_nchw_sum", "arith.truncf"],
    );
}

#[test]
fn elementwise_compare_select_mod_shift() {
    use o2l_canon::ops::Compare;
    let mut c = Case::new();
    let a = c.input("a", f32t(&[2, 3]));
    let b = c.input("b", f32t(&[3]));
    let l = c.node(
        Op::Elementwise(Elementwise::Compare(Compare::LessOrEqual)),
        &[a, b],
        "le",
    );
    let s = c.node(Op::Elementwise(Elementwise::Select), &[l, a, b], "sel");
    let m = c.node(binary(Binary::Mod { fmod: false }), &[s, b], "mod");
    check(
        &c.output(m),
        &[
            "tensor<2x3xi1>",
            "arith.cmpf ole",
            "arith.select",
            "arith.remf",
            "math.copysign",
        ],
    );
    let mut c = Case::new();
    let x = c.input("x", t(DType::U16, &[4]));
    let y = c.input("y", t(DType::U16, &[4]));
    let sh = c.node(binary(Binary::ShiftLeft), &[x, y], "shl");
    let n = c.node(unary(Unary::Not), &[sh], "not");
    let g = c.node(
        Op::Elementwise(Elementwise::Compare(Compare::Greater)),
        &[n, y],
        "gt",
    );
    check(
        &c.output(g),
        &[
            "arith.cmpi uge",
            "arith.shli",
            "arith.xori",
            "arith.cmpi ugt",
        ],
    );
}
