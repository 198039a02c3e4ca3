//! Binding runtime inputs to values: `convert --bind NAME=FILE` and
//! `check --bind-runtime-operands`, on an Unsqueeze whose axes are a graph input.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common::{bin, scratch};
use o2l_proto::{
    GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use onnx2linalg::{DType, Tensor, npy};
use std::path::{Path, PathBuf};

/// A tensor value; a dim of -1 is the symbolic dim `n`.
fn value(name: &str, elem_type: i32, dims: &[i64]) -> ValueInfoProto {
    use tensor_shape_proto::dimension::Value;
    let dim = dims
        .iter()
        .map(|&d| tensor_shape_proto::Dimension {
            value: Some(if d < 0 {
                Value::DimParam("n".into())
            } else {
                Value::DimValue(d)
            }),
            denotation: None,
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(elem_type),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: None,
        }),
        ..Default::default()
    }
}

/// y = Unsqueeze(x[2,3], axes[n]) at opset 13, where axes became an input of
/// run-time length: the result's rank depends on it, so it must be bound
/// (axes of a static length are chosen among at run time instead).
fn write_model(dir: &Path) -> PathBuf {
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![NodeProto {
                input: vec!["x".into(), "axes".into()],
                output: vec!["y".into()],
                name: Some("unsq".into()),
                op_type: Some("Unsqueeze".into()),
                domain: Some(String::new()),
                ..Default::default()
            }],
            input: vec![value("x", 1, &[2, 3]), value("axes", 7, &[-1])],
            output: vec![value("y", 1, &[2, 1, 3])],
            ..Default::default()
        }),
        ..Default::default()
    };
    let path = dir.join("model.onnx");
    std::fs::write(&path, model.encode_to_vec()).unwrap();
    path
}

fn tensor_proto(t: &Tensor) -> Vec<u8> {
    let data_type = match t.dtype {
        DType::F32 => 1,
        DType::I64 => 7,
        other => panic!("no proto code for {other} here"),
    };
    TensorProto {
        dims: t.dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(data_type),
        raw_data: Some(t.data.clone()),
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn convert_refuses_runtime_axes_naming_them_and_binds_them_on_request() {
    let dir = scratch("bind", "convert");
    let model = write_model(&dir);
    let out = bin().arg(&model).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("node \"unsq\" (Unsqueeze, ai.onnx, opset 13")
            && stderr.contains("input 1 (axes) is computed at run time")
            && stderr.contains("--bind axes=FILE"),
        "{stderr}"
    );

    let axes = dir.join("axes.npy");
    let one = Tensor::from_i64s(DType::I64, vec![1], &[1]).unwrap();
    std::fs::write(&axes, npy::write(&one)).unwrap();
    let out = bin()
        .arg(&model)
        .arg("--bind")
        .arg(format!("axes={}", axes.display()))
        .output()
        .unwrap();
    let mlir = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        mlir.contains("(%arg0: tensor<2x3xf32>) -> tensor<2x1x3xf32>"),
        "{mlir}"
    );

    // A bound value must fit the declared input.
    let wrong = dir.join("wrong.npy");
    let f = Tensor::from_f64s(DType::F32, vec![1], &[1.0]).unwrap();
    std::fs::write(&wrong, npy::write(&f)).unwrap();
    let out = bin()
        .arg(&model)
        .arg("--bind")
        .arg(format!("axes={}", wrong.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("value bound to \"axes\" is f32[1], the model declares"),
        "{stderr}"
    );
}

#[test]
fn check_binds_runtime_operands_only_when_asked_and_says_so() {
    let dir = scratch("bind", "check");
    write_model(&dir);
    let set = dir.join("test_data_set_0");
    std::fs::create_dir_all(&set).unwrap();
    let xs: Vec<f64> = (0..6).map(f64::from).collect();
    let x = Tensor::from_f64s(DType::F32, vec![2, 3], &xs).unwrap();
    let axes = Tensor::from_i64s(DType::I64, vec![1], &[-2]).unwrap();
    let y = Tensor::from_f64s(DType::F32, vec![2, 1, 3], &xs).unwrap();
    std::fs::write(set.join("input_0.pb"), tensor_proto(&x)).unwrap();
    std::fs::write(set.join("input_1.pb"), tensor_proto(&axes)).unwrap();
    std::fs::write(set.join("output_0.pb"), tensor_proto(&y)).unwrap();

    let out = bin().arg("check").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.trim_end().ends_with("result: error (unsupported)"),
        "{stdout}"
    );

    let out = bin()
        .arg("check")
        .arg("--bind-runtime-operands")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("test_data_set_0: bound: axes"), "{stdout}");
    assert!(stdout.trim_end().ends_with("result: pass"), "{stdout}");

    // The bound value is the test's: a wrong expected shape still fails.
    let bad = Tensor::from_f64s(DType::F32, vec![1, 2, 3], &xs).unwrap();
    std::fs::write(set.join("output_0.pb"), tensor_proto(&bad)).unwrap();
    let out = bin()
        .arg("check")
        .arg("--bind-runtime-operands")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("shape [2, 1, 3], expected [1, 2, 3]"),
        "{stdout}"
    );
}

#[test]
fn run_binds_like_convert() {
    let dir = scratch("bind", "run");
    let model = write_model(&dir);
    let xs: Vec<f64> = (0..6).map(f64::from).collect();
    let x = Tensor::from_f64s(DType::F32, vec![2, 3], &xs).unwrap();
    let axes = Tensor::from_i64s(DType::I64, vec![1], &[-1]).unwrap();
    std::fs::write(dir.join("x.npy"), npy::write(&x)).unwrap();
    std::fs::write(dir.join("axes.npy"), npy::write(&axes)).unwrap();
    let out = bin()
        .arg("run")
        .arg(&model)
        .arg("--bind")
        .arg(format!("axes={}", dir.join("axes.npy").display()))
        .arg("--input")
        .arg(format!("x={}", dir.join("x.npy").display()))
        .arg("--output-dir")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let y = npy::read_file(&dir.join("out/y.npy")).unwrap();
    assert_eq!(y.dims, vec![2, 3, 1]);
    assert_eq!(y.to_f64s(), xs);
}
