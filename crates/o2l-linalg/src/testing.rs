//! What the lowering tests share: graphs of one node built in memory, and
//! the check that a module verifies, prints the expected lines in order and
//! (when LLVM 22's `mlir-opt` is installed) bufferizes and lowers to loops.
use super::*;
use o2l_canon::ops::{Binary, Conv, Elementwise, Pool, PoolKind, Unary};
use o2l_canon::{DType, Op, Origin, Tensor, TensorType, ValueId};

const MLIR_OPT: &str = "/usr/lib/llvm-22/bin/mlir-opt";

pub(crate) fn origin(name: &str) -> Origin {
    Origin {
        node: name.into(),
        op_type: "Test".into(),
        domain: "ai.onnx".into(),
        opset: 17,
        version: 17,
    }
}

pub(crate) fn t(d: DType, dims: &[u64]) -> TensorType {
    TensorType::of_known(d, dims)
}

pub(crate) fn f32t(dims: &[u64]) -> TensorType {
    t(DType::F32, dims)
}

/// One graph with a single node over `inputs` (runtime inputs, or constants).
pub(crate) struct Case {
    pub(crate) g: Graph,
}

impl Case {
    pub(crate) fn new() -> Self {
        Case {
            g: Graph::new("test_graph"),
        }
    }
    pub(crate) fn input(&mut self, name: &str, ty: TensorType) -> ValueId {
        self.g.add_input(name, ty).unwrap()
    }
    pub(crate) fn weight(&mut self, name: &str, dims: &[u64], seed: f64) -> ValueId {
        let n: u64 = dims.iter().product();
        let v: Vec<f64> = (0..n).map(|i| (i as f64) * 0.5 - seed).collect();
        self.g
            .add_constant(
                name,
                Tensor::from_f64s(DType::F32, dims.to_vec(), &v).unwrap(),
            )
            .unwrap()
    }
    pub(crate) fn node(&mut self, op: Op, ins: &[ValueId], name: &str) -> ValueId {
        self.g.add_node(op, ins, &origin(name)).unwrap()[0]
    }
    pub(crate) fn output(mut self, v: ValueId) -> Graph {
        self.g.outputs.push(v);
        self.g
    }
}

pub(crate) fn lower_text(g: &Graph, weights: Weights) -> String {
    let out = lower(
        g,
        &LowerOptions {
            weights,
            emit: Emit::Text,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("lowering failed: {e}"));
    String::from_utf8(out).unwrap()
}

/// The module as bytecode, weights as resources.
pub(crate) fn lower_bytecode(g: &Graph) -> Vec<u8> {
    lower(
        g,
        &LowerOptions {
            weights: Weights::Resource,
            emit: Emit::Bytecode,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("lowering failed: {e}"))
}

/// Lowers, checks that every fragment occurs in order, and runs mlir-opt.
pub(crate) fn check(g: &Graph, fragments: &[&str]) -> String {
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

pub(crate) fn bufferizes(text: &str) {
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

pub(crate) fn unary(u: Unary) -> Op {
    Op::Elementwise(Elementwise::Unary(u))
}
pub(crate) fn binary(b: Binary) -> Op {
    Op::Elementwise(Elementwise::Binary(b))
}

pub(crate) fn conv(strides: &[u64], dil: &[u64], pads: &[(u64, u64)], groups: u64) -> Op {
    Op::Conv(Conv {
        strides: strides.to_vec(),
        dilations: dil.to_vec(),
        pads: pads.to_vec(),
        groups,
    })
}

pub(crate) fn pool(kind: PoolKind, k: &[u64], s: &[u64], pads: &[(u64, u64)], ceil: bool) -> Op {
    Op::Pool(Pool {
        kind,
        kernel: k.to_vec(),
        strides: s.to_vec(),
        dilations: vec![1; k.len()],
        pads: pads.to_vec(),
        ceil_mode: ceil,
    })
}
