//! Shape quirks of real exporters (Paddle, older PyTorch) that onnxruntime
//! accepts, end to end through the CLI: a dim_value of -1 is an unknown dim,
//! a dim name two inputs share is a hint (the data may give it two sizes),
//! and a declared output shape the graph disagrees with is a `warning:` line
//! on stderr, the computed shape used. `convert`, `run` and `check` all work,
//! and `run` and `check` give the right numbers.
#![allow(clippy::unwrap_used)]
use crate::common::{D, bin, scratch, value_of as value};
use o2l_proto::{GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto};
use onnx2linalg::{DType, Tensor, npy};
use std::path::Path;

fn node(op: &str, input: &str, output: &str) -> NodeProto {
    NodeProto {
        input: vec![input.into()],
        output: vec![output.into()],
        name: Some(output.into()),
        op_type: Some(op.into()),
        domain: Some(String::new()),
        ..Default::default()
    }
}

/// x[-1,3] -> Relu -> y[-1,3]; a[N,2] -> Neg -> p; b[N] -> Abs -> q;
/// c[2,3] -> Tanh -> s, declared [5,5] (wrong).
fn model() -> Vec<u8> {
    use D::*;
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("paddle_like".into()),
            node: vec![
                node("Relu", "x", "y"),
                node("Neg", "a", "p"),
                node("Abs", "b", "q"),
                node("Tanh", "c", "s"),
            ],
            input: vec![
                value("x", &[N(-1), N(3)]),
                value("a", &[S("N"), N(2)]),
                value("b", &[S("N")]),
                value("c", &[N(2), N(3)]),
            ],
            output: vec![
                value("y", &[N(-1), N(3)]),
                value("p", &[S("N"), N(2)]),
                value("q", &[S("N")]),
                value("s", &[N(5), N(5)]),
            ],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn f32s(dims: &[u64], v: &[f64]) -> Tensor {
    Tensor::from_f64s(DType::F32, dims.to_vec(), v).unwrap()
}

type Named = Vec<(&'static str, Tensor)>;

/// The inputs (x is 4x3, a is 2x2 and b is 3: N is 2 in one, 3 in the other)
/// and the outputs they must give.
fn data() -> (Named, Named) {
    let xs: Vec<f64> = (0..12).map(|i| f64::from(i - 6) / 2.0).collect();
    let as_ = [1.5, -2.0, 0.25, 3.0];
    let bs = [-1.0, 2.5, -0.5];
    let cs: Vec<f64> = (0..6).map(|i| f64::from(i - 3) / 3.0).collect();
    let inputs = vec![
        ("x", f32s(&[4, 3], &xs)),
        ("a", f32s(&[2, 2], &as_)),
        ("b", f32s(&[3], &bs)),
        ("c", f32s(&[2, 3], &cs)),
    ];
    let outputs = vec![
        (
            "y",
            f32s(&[4, 3], &xs.iter().map(|v| v.max(0.0)).collect::<Vec<_>>()),
        ),
        (
            "p",
            f32s(&[2, 2], &as_.iter().map(|v| -v).collect::<Vec<_>>()),
        ),
        (
            "q",
            f32s(&[3], &bs.iter().map(|v| v.abs()).collect::<Vec<_>>()),
        ),
        (
            "s",
            f32s(&[2, 3], &cs.iter().map(|v| v.tanh()).collect::<Vec<_>>()),
        ),
    ];
    (inputs, outputs)
}

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect()
}

fn assert_close(got: &Tensor, want: &Tensor, name: &str) {
    assert_eq!(got.dims, want.dims, "{name}");
    for (g, w) in got.to_f64s().iter().zip(want.to_f64s()) {
        assert!((g - w).abs() < 1e-6, "{name}: {g} vs {w}");
    }
}

const S_WARNING: &str = "graph output \"s\" is declared tensor<5x5xf32>, the graph computes tensor<2x3xf32>; the computed shape is used";

#[test]
fn convert_warns_about_a_declared_output_shape_and_writes_the_module() {
    let dir = scratch("quirks", "convert");
    let m = dir.join("m.onnx");
    std::fs::write(&m, model()).unwrap();
    let out = bin().arg(&m).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("func.func @paddle_like(%arg0: tensor<?x3xf32>"),
        "{stdout}"
    );
    assert_eq!(
        warnings(&stderr),
        [format!("warning: {}: {S_WARNING}", m.display())],
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn run_takes_a_shared_dim_name_with_two_sizes_and_gives_the_right_numbers() {
    let dir = scratch("quirks", "run");
    let m = dir.join("m.onnx");
    std::fs::write(&m, model()).unwrap();
    let (inputs, outputs) = data();
    let mut cmd = bin();
    cmd.arg("run").arg(&m);
    for (name, t) in &inputs {
        let path = dir.join(format!("{name}.npy"));
        std::fs::write(&path, npy::write(t)).unwrap();
        cmd.arg("--input").arg(format!("{name}={}", path.display()));
    }
    let out_dir = dir.join("out");
    let out = cmd.arg("--output-dir").arg(&out_dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let w = warnings(&stderr);
    assert_eq!(w.len(), 2, "{stderr}");
    assert!(
        w[0].contains("dim \"N\" is pinned to 2 in \"a\" (dim 0), 3 in \"b\" (dim 0)"),
        "{stderr}"
    );
    assert!(w[1].ends_with(S_WARNING), "{stderr}");
    for (name, want) in &outputs {
        let got = npy::read_file(&out_dir.join(format!("{name}.npy"))).unwrap();
        assert_close(&got, want, name);
    }
}

fn tensor_proto(t: &Tensor) -> Vec<u8> {
    TensorProto {
        dims: t.dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(1),
        raw_data: Some(t.data.clone()),
        ..Default::default()
    }
    .encode_to_vec()
}

fn write_set(set: &Path, inputs: &[(&str, Tensor)], outputs: &[(&str, Tensor)]) {
    std::fs::create_dir_all(set).unwrap();
    for (k, (_, t)) in inputs.iter().enumerate() {
        std::fs::write(set.join(format!("input_{k}.pb")), tensor_proto(t)).unwrap();
    }
    for (k, (_, t)) in outputs.iter().enumerate() {
        std::fs::write(set.join(format!("output_{k}.pb")), tensor_proto(t)).unwrap();
    }
}

#[test]
fn check_passes_with_the_warning_on_stderr() {
    let dir = scratch("quirks", "check");
    std::fs::write(dir.join("model.onnx"), model()).unwrap();
    let (inputs, outputs) = data();
    write_set(&dir.join("test_data_set_0"), &inputs, &outputs);
    let out = bin().arg("check").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.trim_end().ends_with("result: pass"), "{stdout}");
    let w = warnings(&stderr);
    assert_eq!(w.len(), 1, "{stderr}");
    assert!(w[0].ends_with(S_WARNING), "{stderr}");
}
