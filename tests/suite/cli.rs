//! CLI conventions: bad input exits non-zero with one clear line naming the
//! file (and node, op, domain, opset when one is at fault), and never leaves an
//! output file behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use crate::common::{bin, value};
use o2l_proto::{GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto};
use std::path::Path;
use std::process::Command;

/// x -> op_type(named node) -> y, f32 2x3, default domain at `opset`.
fn one_node_model(op_type: &str, node: &str, opset: i64) -> Vec<u8> {
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(opset),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![NodeProto {
                input: vec!["x".into()],
                output: vec!["y".into()],
                name: Some(node.into()),
                op_type: Some(op_type.into()),
                domain: Some(String::new()),
                ..Default::default()
            }],
            input: vec![value("x", &[2, 3])],
            output: vec![value("y", &[2, 3])],
            ..Default::default()
        }),
        ..Default::default()
    };
    model.encode_to_vec()
}

/// Runs the converter with `-o out.mlir`; asserts failure, one error line, no output.
fn assert_clean_failure(dir: &Path, model: &Path) -> String {
    let out_file = dir.join("out.mlir");
    let out = bin().arg(model).arg("-o").arg(&out_file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "expected failure, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        !out_file.exists(),
        "a failed conversion left {}",
        out_file.display()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    stderr
}

#[test]
fn help_lists_subcommands_and_examples() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for word in ["convert", "run", "check", "Examples:"] {
        assert!(text.contains(word), "--help lacks {word}: {text}");
    }
}

#[test]
fn missing_file_is_an_io_error_naming_the_file() {
    let dir = common::scratch("cli", "missing");
    let err = assert_clean_failure(&dir, &dir.join("nope.onnx"));
    assert!(err.contains("nope.onnx"), "{err}");
}

#[test]
fn garbage_is_rejected_as_not_onnx() {
    let dir = common::scratch("cli", "garbage");
    let path = dir.join("garbage.onnx");
    std::fs::write(&path, b"this is not a protobuf \xff\xff\xff\xff").unwrap();
    let err = assert_clean_failure(&dir, &path);
    assert!(err.contains("garbage.onnx"), "{err}");
}

#[test]
fn truncated_model_is_rejected() {
    let dir = common::scratch("cli", "truncated");
    let bytes = one_node_model("Relu", "relu_0", 13);
    for cut in [1, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let path = dir.join("truncated.onnx");
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = assert_clean_failure(&dir, &path);
        assert!(err.contains("truncated.onnx"), "cut {cut}: {err}");
    }
}

#[test]
fn unsupported_op_names_file_node_op_domain_and_opset() {
    let dir = common::scratch("cli", "unsupported");
    let path = dir.join("model.onnx");
    std::fs::write(&path, one_node_model("NoSuchOp", "weird_7", 13)).unwrap();
    let err = assert_clean_failure(&dir, &path);
    for part in ["model.onnx", "weird_7", "NoSuchOp", "opset 13"] {
        assert!(err.contains(part), "error lacks {part}: {err}");
    }
}

#[test]
fn a_good_model_converts_to_verified_mlir_written_atomically() {
    let dir = common::scratch("cli", "good");
    let path = dir.join("relu.onnx");
    std::fs::write(&path, one_node_model("Relu", "relu_0", 13)).unwrap();
    let out_file = dir.join("relu.mlir");
    let out = bin().arg(&path).arg("-o").arg(&out_file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(text.contains("func.func @g("), "{text}");
    assert!(text.contains("tensor<2x3xf32>"), "{text}");
}

#[test]
fn ops_of_a_model_lists_each_op_with_its_support_before_converting() {
    let dir = common::scratch("cli", "ops");
    let good = dir.join("relu.onnx");
    std::fs::write(&good, one_node_model("Relu", "relu_0", 13)).unwrap();
    let out = bin().arg("ops").arg(&good).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("| Relu | ai.onnx | 13 | 1 | yes |"), "{text}");
    assert!(
        text.contains("1 op types, 1 nodes, all supported"),
        "{text}"
    );

    let bad = dir.join("weird.onnx");
    std::fs::write(&bad, one_node_model("NoSuchOp", "weird_7", 13)).unwrap();
    let out = bin().arg("ops").arg(&bad).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("| NoSuchOp | ai.onnx | unknown | 1 | no |"),
        "{text}"
    );
    assert!(text.contains("unsupported: NoSuchOp"), "{text}");
}

#[test]
fn tosa_programs_are_detected_and_converted() {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tosa/convnet.mlir");
    let out = bin().arg(&program).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mlir = String::from_utf8_lossy(&out.stdout);
    assert!(mlir.contains("func.func @convnet("), "{mlir}");
    assert!(!mlir.contains("= tosa."), "TOSA ops left in the output");
    // --from onnx on a TOSA file: the ONNX reader refuses it cleanly.
    let dir = common::scratch("cli", "tosa_from_onnx");
    let copy = dir.join("convnet.mlir");
    std::fs::copy(&program, &copy).unwrap();
    let out = bin().arg(&copy).arg("--from").arg("onnx").output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn unsupported_tosa_op_and_plain_mlir_fail_cleanly() {
    let dir = common::scratch("cli", "tosa_bad");
    let unsupported = dir.join("custom.mlir");
    std::fs::write(
        &unsupported,
        "func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {\n  %0 = tosa.custom %a {domain_name = \"d\", implementation_attrs = \"\", operator_name = \"op\"} : (tensor<2xf32>) -> tensor<2xf32>\n  return %0 : tensor<2xf32>\n}\n",
    )
    .unwrap();
    let err = assert_clean_failure(&dir, &unsupported);
    assert!(err.contains("tosa.custom"), "{err}");
    assert!(err.contains("custom.mlir"), "{err}");
    let plain = dir.join("plain.mlir");
    std::fs::write(&plain, "func.func @f() {\n  return\n}\n").unwrap();
    let err = assert_clean_failure(&dir, &plain);
    assert!(err.contains("neither tosa nor stablehlo"), "{err}");
}

#[test]
fn limits_are_options_and_name_themselves_when_hit() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/mlp_op17.onnx");
    let dir = common::scratch("cli", "limits");
    let out_file = dir.join("out.mlir");
    let out = bin()
        .arg(&model)
        .args(["--max-alloc-bytes", "100", "-o"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--max-alloc-bytes"), "{err}");
    assert!(err.contains("more than the limit of 100"), "{err}");
    assert!(!out_file.exists());
    let ok = bin()
        .arg(&model)
        .args(["--max-fold-bytes", "64", "-o"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out_file.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn output_to_a_device_writes_through_it_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    // An atomic rename over /dev/null would make it a regular file.
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/mlp_op17.onnx");
    let out = bin()
        .arg(&model)
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kind = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
}

#[test]
fn output_dash_is_stdout() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/mlp_op17.onnx");
    let dir = std::env::temp_dir().join(format!("o2l-dash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dash = bin()
        .current_dir(&dir)
        .arg(&model)
        .args(["-o", "-"])
        .output()
        .unwrap();
    let plain = bin().arg(&model).output().unwrap();
    assert!(dash.status.success());
    assert!(dash.stdout.starts_with(b"#map") || dash.stdout.starts_with(b"module"));
    assert_eq!(dash.stdout, plain.stdout);
    assert!(!dir.join("-").exists(), "-o - wrote a file named \"-\"");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The first `func.func` line of the MLIR the converter prints for `args`.
fn func_line(args: &[&str]) -> (String, String) {
    let out = bin().args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains("func.func @"))
        .unwrap_or_else(|| panic!("no func.func in the output of {args:?}"))
        .trim()
        .to_string();
    (line, stderr)
}

#[test]
fn dim_pins_give_a_static_signature_and_warn_about_unused_names() {
    let bert =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/hf_bert_dynamic_op17.onnx");
    let bert = bert.to_str().unwrap();
    // Unpinned, it converts to a function of `?` batch and sequence dims.
    let (line, _) = func_line(&[bert, "--weights", "elide"]);
    assert_eq!(
        line,
        "func.func @main_graph(%arg0: tensor<?x?xi64>, %arg1: tensor<?x?xi64>) -> \
         tensor<?x?x32xf32> attributes {llvm.emit_c_interface} {"
    );
    let (line, stderr) = func_line(&[
        bert,
        "--weights",
        "elide",
        "--dim",
        "batch=1",
        "--dim",
        "seq=8",
    ]);
    assert_eq!(
        line,
        "func.func @main_graph(%arg0: tensor<1x8xi64>, %arg1: tensor<1x8xi64>) -> \
         tensor<1x8x32xf32> attributes {llvm.emit_c_interface} {"
    );
    assert!(!line.contains('?'), "{line}");
    assert!(stderr.is_empty(), "{stderr}");

    // A name no input uses: converted all the same, with a warning naming it
    // and the names the model has.
    let mlp = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/mlp_batch_op17.onnx");
    let mlp = mlp.to_str().unwrap();
    let (line, stderr) = func_line(&[
        mlp,
        "--weights",
        "elide",
        "--dim",
        "batch=3",
        "--dim",
        "seq=8",
    ]);
    assert!(
        line.contains("(%arg0: tensor<3x64xf32>) -> tensor<3x10xf32>"),
        "{line}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(
        stderr.contains("\"seq\"") && stderr.contains("named dims: batch"),
        "{stderr}"
    );

    // --input-shape wins for the dims it fixes.
    let (line, _) = func_line(&[
        mlp,
        "--weights",
        "elide",
        "--dim",
        "batch=3",
        "--input-shape",
        "features=5x64",
    ]);
    assert!(line.contains("tensor<5x64xf32>"), "{line}");
}

#[test]
fn run_and_check_take_dim_pins() {
    let dir = common::scratch("cli", "run-dim");
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models");
    let input = fx.join("mlp_batch_op17/input_features.npy");
    let batch = onnx2linalg::npy::read_file(&input).unwrap().dims[0];
    let out = bin()
        .arg("run")
        .arg(fx.join("mlp_batch_op17.onnx"))
        .arg("--input")
        .arg(format!("features={}", input.display()))
        .arg("--output-dir")
        .arg(&dir)
        .args(["--dim", &format!("batch={batch}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("probs.npy").exists());
    let help = bin().args(["check", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--dim <NAME=N>"));
}

#[test]
fn bad_dim_values_are_usage_errors() {
    let mlp = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/models/mlp_batch_op17.onnx");
    for (value, says) in [
        ("batch=0", "pinned to 0"),
        ("batch", "expected NAME=N"),
        ("=3", "expected NAME=N"),
        ("batch=x", "bad size \"x\""),
        ("batch=-1", "bad size \"-1\""),
        ("batch=", "bad size \"\""),
    ] {
        for sub in [&["convert"][..], &["batch", "-o", "/nonexistent"][..]] {
            let out = bin()
                .args(sub)
                .arg(&mlp)
                .args(["--dim", value])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "--dim {value}: {stderr}");
            assert!(
                stderr.contains("--dim") && stderr.contains(says),
                "--dim {value}: {stderr}"
            );
        }
    }
    // Other op sets have no dim_params.
    let tosa = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tosa");
    let program = std::fs::read_dir(&tosa)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "mlir"))
        .unwrap();
    let out = bin()
        .arg(&program)
        .args(["--dim", "batch=1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dim applies to ONNX models"));
}

#[test]
fn explain_quant_lists_each_qdq_group_and_a_note_counts_the_float_ones() {
    let original = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/op_cases/qdq_matmul_per_tensor/model.onnx");
    // The same model with its last QuantizeLinear / DequantizeLinear pair
    // cut off: the bias Add then returns a float result, which onnxruntime
    // computes in float too (no QLinearAdd without the Q after it).
    let mut m = ModelProto::decode(std::fs::read(&original).unwrap().as_slice()).unwrap();
    let g = m.graph.as_mut().unwrap();
    let last = g.node.len() - 2;
    assert_eq!(g.node[last].op_type(), "QuantizeLinear");
    g.node.truncate(last);
    g.node[last - 1].output = vec!["y".into()];
    let dir = common::scratch("cli", "explain_quant");
    let model = dir.join("qdq_matmul_float_add.onnx");
    std::fs::write(&model, m.encode_to_vec()).unwrap();
    let run = |model: &Path, extra: &[&str]| {
        let out = bin()
            .arg(model)
            .args(["--weights", "elide", "-o", "-"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let explained = run(&model, &["--explain-quant"]);
    let lines: Vec<&str> = explained.lines().collect();
    let integer = lines
        .iter()
        .filter(|l| l.ends_with("integer (QuantizedMatMul, i32 accumulation)"))
        .count();
    let float: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains(": stays float: "))
        .collect();
    assert_eq!(integer, 1, "{explained}");
    assert_eq!(float.len(), 1, "{explained}");
    assert!(
        float[0].starts_with("quant: ")
            && float[0].contains(r#"node "/fc/Add" (Add, ai.onnx"#)
            && float[0].ends_with("stays float: no QuantizeLinear alone reads the result"),
        "{explained}"
    );
    let plain = run(&model, &[]);
    assert_eq!(
        plain.trim(),
        "note: 1 of 2 QDQ groups stay float (--explain-quant lists them and why)"
    );
    // With the QuantizeLinear after it, the Add is onnxruntime's QLinearAdd
    // on the 8-bit values, and no group stays float.
    let explained = run(&original, &["--explain-quant"]);
    assert!(
        explained
            .lines()
            .any(|l| l.contains(r#"node "/fc/Add" (Add, ai.onnx"#)
                && l.contains("): integer (QLinearAdd: ")),
        "{explained}"
    );
    assert!(!explained.contains("stays float"), "{explained}");
    assert_eq!(run(&original, &[]).trim(), "");
}

/// `--version` names the Cargo version and the MLIR/LLVM release linked in
/// (the one under MLIR_SYS_220_PREFIX at build time).
#[test]
fn version_names_the_cargo_version_and_the_linked_mlir() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let llvm = Command::new("/usr/lib/llvm-22/bin/llvm-config")
        .arg("--version")
        .output()
        .unwrap();
    let llvm = String::from_utf8(llvm.stdout).unwrap();
    assert_eq!(
        line.trim_end(),
        format!(
            "onnx2linalg {} (MLIR/LLVM {}, linked statically)",
            env!("CARGO_PKG_VERSION"),
            llvm.trim()
        )
    );
    assert_eq!(onnx2linalg::MLIR_VERSION, llvm.trim());
}
