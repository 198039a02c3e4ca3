//! `onnx2linalg run` and `check` end to end on a model built in memory:
//! symbolic dims pinned from the data, several outputs (one aliasing an input),
//! file-safe output names, clear errors for missing/extra inputs, and `check`
//! passing on good data and reporting the worst element on bad data.
#![allow(clippy::unwrap_used)]
use o2l_proto::{
    GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use onnx2linalg::{DType, Tensor, npy};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("o2l-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A float value; `None` dims are symbolic (`N`).
fn value(name: &str, dims: &[Option<i64>]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                Some(n) => tensor_shape_proto::dimension::Value::DimValue(*n),
                None => tensor_shape_proto::dimension::Value::DimParam("N".into()),
            }),
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

fn node(op: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: Some(output.into()),
        op_type: Some(op.into()),
        domain: Some(String::new()),
        ..Default::default()
    }
}

/// x[N,3] + y[3] -> relu -> "out/relu:0"; "same" = Identity(x); "t" = Tanh(x).
fn model() -> Vec<u8> {
    let n = [None, Some(3)];
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![
                node("Add", &["x", "y"], "sum"),
                node("Relu", &["sum"], "out/relu:0"),
                node("Identity", &["x"], "same"),
                node("Tanh", &["x"], "t"),
            ],
            input: vec![value("x", &n), value("y", &[Some(3)])],
            output: vec![value("out/relu:0", &n), value("same", &n), value("t", &n)],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn f32s(dims: &[u64], v: &[f64]) -> Tensor {
    Tensor::from_f64s(DType::F32, dims.to_vec(), v).unwrap()
}

fn setup(dir: &Path) -> (PathBuf, Vec<f64>) {
    let m = dir.join("m.onnx");
    std::fs::write(&m, model()).unwrap();
    let xs: Vec<f64> = (0..12).map(|i| f64::from(i - 6) / 2.0).collect();
    std::fs::write(dir.join("x.npy"), npy::write(&f32s(&[4, 3], &xs))).unwrap();
    std::fs::write(
        dir.join("y.npy"),
        npy::write(&f32s(&[3], &[1.0, -1.0, 0.5])),
    )
    .unwrap();
    (m, xs)
}

#[test]
fn run_writes_every_output_as_npy() {
    let dir = scratch("ok");
    let (m, xs) = setup(&dir);
    let out_dir = dir.join("out");
    let out = bin()
        .arg("run")
        .arg(&m)
        .arg(format!("--input=x={}", dir.join("x.npy").display()))
        .arg(format!("--input=y={}", dir.join("y.npy").display()))
        .arg("--output-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("out/relu:0  f32 [4, 3]"), "{stdout}");
    let relu = npy::read_file(&out_dir.join("out_relu_0.npy")).unwrap();
    let want: Vec<f64> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (x + [1.0, -1.0, 0.5][i % 3]).max(0.0))
        .collect();
    assert_eq!(relu.to_f64s(), want);
    let same = npy::read_file(&out_dir.join("same.npy")).unwrap();
    assert_eq!(same.to_f64s(), xs);
    let t = npy::read_file(&out_dir.join("t.npy")).unwrap();
    for (g, x) in t.to_f64s().iter().zip(&xs) {
        assert!((g - x.tanh()).abs() < 1e-6);
    }
}

/// `run --timings` names every stage; a second run with the same cache folder
/// takes the object from there; the reference pipeline writes the same bytes.
#[test]
fn run_prints_timings_reuses_its_cache_and_matches_the_reference_pipeline() {
    let dir = scratch("jit");
    let (m, _) = setup(&dir);
    let cache = dir.join("cache");
    let run = |out: &str, extra: &[&str]| {
        let out_dir = dir.join(out);
        let o = bin()
            .arg("run")
            .arg(&m)
            .arg(format!("--input=x={}", dir.join("x.npy").display()))
            .arg(format!("--input=y={}", dir.join("y.npy").display()))
            .arg("--output-dir")
            .arg(&out_dir)
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{stderr}");
        let outputs: Vec<Vec<u8>> = ["out_relu_0", "same", "t"]
            .iter()
            .map(|n| std::fs::read(out_dir.join(format!("{n}.npy"))).unwrap())
            .collect();
        (stderr, outputs)
    };
    let cache_arg = format!("--cache-dir={}", cache.display());
    let (cold, fast) = run("cold", &["--timings", &cache_arg]);
    for stage in [
        "import",
        "lowering",
        "parse",
        "passes",
        "LLVM translation",
        "codegen + link",
        "execution",
        "total",
    ] {
        assert!(cold.contains(&format!("timings: {stage} ")), "{cold}");
    }
    assert!(!cold.contains("(cached)"), "{cold}");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    let (warm, cached) = run("warm", &["--timings", &cache_arg]);
    let cached_stage = |stage: &str| {
        warm.lines()
            .any(|l| l.starts_with(&format!("timings: {stage} ")) && l.ends_with("(cached)"))
    };
    assert!(
        cached_stage("passes") && cached_stage("LLVM translation"),
        "{warm}"
    );
    assert_eq!(cached, fast);
    let (quiet, reference) = run("reference", &["--jit-pipeline=reference", "--no-cache"]);
    assert!(!quiet.contains("timings:"), "{quiet}");
    assert_eq!(reference, fast);
}

#[test]
fn run_lists_the_expected_inputs_when_one_is_missing_or_unknown() {
    let dir = scratch("missing");
    let (m, _) = setup(&dir);
    let x = format!("x={}", dir.join("x.npy").display());
    for extra in [vec![], vec![format!("z={}", dir.join("y.npy").display())]] {
        let mut cmd = bin();
        cmd.arg("run").arg(&m).arg("--input").arg(&x);
        if !extra.is_empty() {
            cmd.arg("--input")
                .arg(format!("y={}", dir.join("y.npy").display()));
        }
        for e in &extra {
            cmd.arg("--input").arg(e);
        }
        let out = cmd
            .arg("--output-dir")
            .arg(dir.join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("expected inputs: x: tensor<4x3xf32>, y: tensor<3xf32>"),
            "{stderr}"
        );
        assert!(!dir.join("out").exists());
    }
}

fn tensor_proto(name: &str, t: &Tensor) -> Vec<u8> {
    TensorProto {
        dims: t.dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(1),
        name: Some(name.into()),
        raw_data: Some(t.data.clone()),
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn check_passes_on_right_outputs_and_names_the_worst_wrong_element() {
    let dir = scratch("check");
    let (_, xs) = setup(&dir);
    std::fs::write(dir.join("model.onnx"), model()).unwrap();
    let set = dir.join("test_data_set_0");
    std::fs::create_dir_all(&set).unwrap();
    let x = f32s(&[4, 3], &xs);
    std::fs::write(set.join("input_0.pb"), tensor_proto("x", &x)).unwrap();
    std::fs::write(
        set.join("input_1.pb"),
        tensor_proto("y", &f32s(&[3], &[1.0, -1.0, 0.5])),
    )
    .unwrap();
    let relu: Vec<f64> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (x + [1.0, -1.0, 0.5][i % 3]).max(0.0))
        .collect();
    let tanh: Vec<f64> = xs.iter().map(|x| x.tanh()).collect();
    std::fs::write(
        set.join("output_0.pb"),
        tensor_proto("r", &f32s(&[4, 3], &relu)),
    )
    .unwrap();
    std::fs::write(set.join("output_1.pb"), tensor_proto("s", &x)).unwrap();
    std::fs::write(
        set.join("output_2.pb"),
        tensor_proto("t", &f32s(&[4, 3], &tanh)),
    )
    .unwrap();
    let out = bin().arg("check").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("test_data_set_0: ok (3 outputs)"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("result: pass"), "{stdout}");

    let mut bad = tanh.clone();
    bad[7] += 0.5;
    std::fs::write(
        set.join("output_2.pb"),
        tensor_proto("t", &f32s(&[4, 3], &bad)),
    )
    .unwrap();
    let out = bin().arg("check").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains(
            "mismatch: output \"t\" (#2): values differ: 1 of 12 elements; worst at [2, 1]"
        ),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("result: mismatch"), "{stdout}");
}
