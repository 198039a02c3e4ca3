//! `onnx2linalg batch`: a zoo with good, garbage and unsupported models;
//! resume; shards; byte-identical outputs for any -j.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use crate::common::{bin, value};
use o2l_proto::{GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// x -> Relu -> StringNormalizer -> y: strings have no linalg form.
fn unsupported_model() -> Vec<u8> {
    let node = |op: &str, i: &str, o: &str| NodeProto {
        input: vec![i.into()],
        output: vec![o.into()],
        name: Some(format!("{op}_0")),
        op_type: Some(op.into()),
        domain: Some(String::new()),
        ..Default::default()
    };
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![node("Relu", "x", "r"), node("StringNormalizer", "r", "y")],
            input: vec![value("x", &[6])],
            output: vec![value("y", &[6])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn copy_fixtures(dst: &Path, ir_limit: usize) -> Vec<String> {
    let mut names = Vec::new();
    for (src, sub, limit) in [
        (root().join("fixtures/models"), "models", usize::MAX),
        (root().join("tests/ir/fixtures"), "ir", ir_limit),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
            .collect();
        files.sort();
        std::fs::create_dir_all(dst.join(sub)).unwrap();
        for f in files.into_iter().take(limit) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(&f, dst.join(sub).join(&name)).unwrap();
            names.push(format!("{sub}/{name}"));
        }
    }
    names
}

/// A zoo of good models, `x.onnx` (garbage) and `bad/decoder.onnx` (unsupported op).
fn mixed_zoo(dir: &Path) -> Vec<String> {
    let zoo = dir.join("zoo");
    let good = copy_fixtures(&zoo, 6);
    std::fs::write(zoo.join("x.onnx"), b"this is not a model").unwrap();
    std::fs::create_dir_all(zoo.join("bad")).unwrap();
    std::fs::write(zoo.join("bad/decoder.onnx"), unsupported_model()).unwrap();
    good
}

fn batch(args: &[&str]) -> Output {
    let out = bin().arg("batch").args(args).output().unwrap();
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn report(path: &Path) -> (Value, BTreeMap<String, Value>) {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let models = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["path"].as_str().unwrap().to_string(), m.clone()))
        .collect();
    (v, models)
}

/// Every file under `dir` with the given extension, relative path -> bytes.
fn outputs(dir: &Path, ext: &str) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, ext: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, ext, &mut out);
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn mixed_zoo_resume_and_touch() {
    let dir = common::scratch("batch", "mixed");
    let good = mixed_zoo(&dir);
    let (zoo, out) = (dir.join("zoo"), dir.join("out"));

    let run = batch(&[s(&zoo), "-o", s(&out), "-j", "2"]);
    assert!(
        !run.status.success(),
        "a failed model must make the batch fail"
    );
    // Not a terminal: one line per finished model.
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("ok ")).count(),
        good.len()
    );

    let (v, models) = report(&out.join("report.json"));
    assert_eq!(models.len(), good.len() + 2);
    let order: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "report in sorted input order");
    for g in &good {
        let m = &models[g];
        assert_eq!(m["status"], "ok", "{g}: {m}");
        let mlir = out.join(Path::new(g).with_extension("mlir"));
        let text = std::fs::read_to_string(&mlir).unwrap();
        assert!(text.contains("func.func"), "{}", mlir.display());
        assert_eq!(m["output_bytes"].as_u64().unwrap(), text.len() as u64);
        assert!(m["input_bytes"].as_u64().unwrap() > 0);
        assert!(!m["ops"].as_array().unwrap().is_empty(), "{g}: ops listed");
    }
    let x = &models["x.onnx"];
    assert_eq!(x["status"], "failed");
    assert_eq!(x["error_kind"], "invalid model");
    assert!(!out.join("x.mlir").exists());
    let u = &models["bad/decoder.onnx"];
    assert_eq!(u["status"], "failed");
    assert_eq!(u["error_kind"], "unsupported");
    assert!(
        u["error"].as_str().unwrap().contains("StringNormalizer"),
        "{u}"
    );
    let uns: Vec<&str> = u["unsupported_ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op_type"].as_str().unwrap())
        .collect();
    assert_eq!(uns, ["StringNormalizer"]);
    assert_eq!(u["ops"].as_array().unwrap().len(), 2);
    assert!(!out.join("bad/decoder.mlir").exists());
    assert_eq!(v["totals"]["ok"].as_u64().unwrap() as usize, good.len());
    assert_eq!(v["totals"]["failed"], 2);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| x.onnx | failed | invalid model |"), "{md}");

    // Resume: everything good is up to date, nothing rewritten.
    let before = outputs(&out, "mlir");
    let run = batch(&[s(&zoo), "-o", s(&out), "-j", "2"]);
    assert!(!run.status.success());
    let (v, models) = report(&out.join("report.json"));
    for g in &good {
        assert_eq!(models[g]["status"], "skipped-up-to-date", "{g}");
        assert!(
            !models[g]["ops"].as_array().unwrap().is_empty(),
            "previous result kept"
        );
    }
    assert_eq!(models["x.onnx"]["status"], "failed", "failures are retried");
    assert_eq!(
        v["totals"]["skipped_up_to_date"].as_u64().unwrap() as usize,
        good.len()
    );
    assert_eq!(outputs(&out, "mlir"), before);

    // Touching a model converts it again, and only it.
    let touched = zoo.join(&good[0]);
    let f = std::fs::File::options()
        .append(true)
        .open(&touched)
        .unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    batch(&[s(&zoo), "-o", s(&out), "-j", "2"]);
    let (_, models) = report(&out.join("report.json"));
    assert_eq!(models[&good[0]]["status"], "ok");
    assert_eq!(models[&good[1]]["status"], "skipped-up-to-date");
    assert_eq!(outputs(&out, "mlir"), before);

    // Other options or --force convert again.
    batch(&[s(&zoo), "-o", s(&out), "--force"]);
    let (_, models) = report(&out.join("report.json"));
    assert!(good.iter().all(|g| models[g]["status"] == "ok"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_cover_every_model_once() {
    let dir = common::scratch("batch", "shards");
    let good = mixed_zoo(&dir);
    let (zoo, out) = (dir.join("zoo"), dir.join("out"));
    batch(&[s(&zoo), "-o", s(&out), "--shard", "1/2"]);
    batch(&[s(&zoo), "-o", s(&out), "--shard", "2/2"]);
    assert!(!out.join("report.json").exists());
    let (v1, m1) = report(&out.join("report.shard-1-of-2.json"));
    let (v2, m2) = report(&out.join("report.shard-2-of-2.json"));
    assert!(out.join("report.shard-1-of-2.md").exists());
    assert_eq!(v1["shard"]["index"], 1);
    assert_eq!(v2["shard"]["count"], 2);
    let mut all: Vec<&String> = m1.keys().chain(m2.keys()).collect();
    all.sort();
    let mut expected: Vec<String> = good.clone();
    expected.extend(["x.onnx".to_string(), "bad/decoder.onnx".to_string()]);
    expected.sort();
    assert_eq!(all, expected.iter().collect::<Vec<_>>());
    assert!(m1.len().abs_diff(m2.len()) <= 1);
    assert!(
        !bin()
            .args(["batch", s(&zoo), "-o", s(&out), "--shard", "3/2"])
            .output()
            .unwrap()
            .status
            .success()
    );

    // --merge-reports gives the report of one unsharded run (timings and jobs aside);
    // the zoo has failing models, so both exit non-zero.
    let merged = batch(&["--merge-reports", "-o", s(&out)]);
    assert_eq!(merged.status.code(), Some(1));
    let whole = dir.join("whole");
    assert_eq!(
        batch(&[s(&zoo), "-o", s(&whole), "-j", "1"]).status.code(),
        Some(1)
    );
    let untimed = |mut v: Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("jobs");
        let t = o["totals"].as_object_mut().unwrap();
        t.remove("elapsed_ms").unwrap();
        t.remove("model_wall_ms").unwrap();
        for m in o["models"].as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("wall_ms").unwrap();
        }
        v
    };
    let (vm, _) = report(&out.join("report.json"));
    let (vw, _) = report(&whole.join("report.json"));
    assert_eq!(vm["shard"], Value::Null);
    assert_eq!(
        vm["jobs"].as_u64(),
        Some(v1["jobs"].as_u64().unwrap() + v2["jobs"].as_u64().unwrap())
    );
    assert_eq!(untimed(vm), untimed(vw));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains(&format!("{} models: ", expected.len())), "{md}");

    // A missing shard, and a stale shard of another run, are refused by name.
    std::fs::remove_file(out.join("report.shard-2-of-2.json")).unwrap();
    let e = batch(&["--merge-reports", "-o", s(&out)]);
    assert_eq!(e.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&e.stderr)
            .contains("shard reports missing for K = 2 of 2 (report.shard-K-of-2.json)")
    );
    batch(&[s(&zoo), "-o", s(&out), "--shard", "1/1"]);
    let e = batch(&["--merge-reports", "-o", s(&out)]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("are shards of different runs"));
    // It merges, it does not convert: no model argument with it.
    assert!(
        !batch(&["--merge-reports", s(&zoo), "-o", s(&out)])
            .status
            .success()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn list_file_input() {
    let dir = common::scratch("batch", "list");
    let good = copy_fixtures(&dir.join("zoo"), 2);
    let list = format!(
        "# a comment\n\nzoo/{}\n  zoo/{}  \n# zoo/{}\n",
        good[1], good[0], good[2]
    );
    std::fs::write(dir.join("models.txt"), list).unwrap();
    let out = dir.join("out");
    let run = batch(&[s(&dir.join("models.txt")), "-o", s(&out)]);
    assert!(run.status.success());
    let (_, models) = report(&out.join("report.json"));
    assert_eq!(models.len(), 2);
    for g in &good[..2] {
        assert_eq!(models[&format!("zoo/{g}")]["status"], "ok");
        assert!(
            out.join("zoo")
                .join(Path::new(g).with_extension("mlir"))
                .exists()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn outputs_identical_for_any_jobs() {
    let dir = common::scratch("batch", "jobs");
    let zoo = dir.join("zoo");
    let good = copy_fixtures(&zoo, usize::MAX);
    for (emit, ext) in [("text", "mlir"), ("bytecode", "mlirbc")] {
        let mut seen = Vec::new();
        for j in ["1", "2"] {
            let out = dir.join(format!("out-{emit}-{j}"));
            batch(&[s(&zoo), "-o", s(&out), "-j", j, "--emit", emit]);
            let o = outputs(&out, ext);
            assert!(
                o.len() * 10 >= good.len() * 9,
                "{} of {} converted",
                o.len(),
                good.len()
            );
            seen.push(o);
        }
        assert_eq!(
            seen[0].keys().collect::<Vec<_>>(),
            seen[1].keys().collect::<Vec<_>>()
        );
        for (k, v) in &seen[0] {
            assert!(
                v == &seen[1][k],
                "{k} differs between -j 1 and -j 2 ({emit})"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// x (f32, [unnamed, 3]) -> Relu -> y: a symbolic dim without a dim_param.
fn unnamed_dim_model() -> Vec<u8> {
    let unnamed = |name: &str| {
        let mut v = value(name, &[1, 3]);
        if let Some(o2l_proto::type_proto::Value::TensorType(t)) =
            v.r#type.as_mut().and_then(|t| t.value.as_mut())
        {
            t.shape.as_mut().unwrap().dim[0].value = None;
        }
        v
    };
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![NodeProto {
                input: vec!["x".into()],
                output: vec!["y".into()],
                name: Some("relu".into()),
                op_type: Some("Relu".into()),
                domain: Some(String::new()),
                ..Default::default()
            }],
            input: vec![unnamed("x")],
            output: vec![unnamed("y")],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// The `func.func` line of a batch output.
fn signature(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.contains("func.func @")).unwrap();
    let end = line.find(" attributes").unwrap_or(line.len());
    line[..end].trim().to_string()
}

#[test]
fn shapes_file_pins_each_model_and_the_report_lists_what_stays_dynamic() {
    let dir = common::scratch("batch", "shapes");
    let (zoo, out) = (dir.join("zoo"), dir.join("out"));
    let mlp = root().join("fixtures/models/mlp_batch_op17.onnx");
    for sub in ["a", "b", "c"] {
        std::fs::create_dir_all(zoo.join(sub)).unwrap();
        std::fs::copy(&mlp, zoo.join(sub).join("mlp.onnx")).unwrap();
    }
    std::fs::write(zoo.join("c/relu.onnx"), unnamed_dim_model()).unwrap();
    let shapes = dir.join("shapes.txt");
    std::fs::write(
        &shapes,
        "# per-model pins\n\
         a/*.onnx   dim:batch=2\n\
         \n\
         **/b/mlp.onnx features=3x64\n\
         b/** dim:batch=7\n\
         c/relu.onnx\n",
    )
    .unwrap();

    let run = batch(&[
        s(&zoo),
        "-o",
        s(&out),
        "-j",
        "2",
        "--weights",
        "elide",
        "--shapes",
        s(&shapes),
    ]);
    assert!(run.status.success());
    assert_eq!(
        signature(&out.join("a/mlp.mlir")),
        "func.func @main_graph(%arg0: tensor<2x64xf32>) -> tensor<2x10xf32>"
    );
    // The first matching line applies, not the later b/**.
    assert_eq!(
        signature(&out.join("b/mlp.mlir")),
        "func.func @main_graph(%arg0: tensor<3x64xf32>) -> tensor<3x10xf32>"
    );
    assert_eq!(
        signature(&out.join("c/mlp.mlir")),
        "func.func @main_graph(%arg0: tensor<?x64xf32>) -> tensor<?x10xf32>"
    );
    let (v, models) = report(&out.join("report.json"));
    assert!(v["options"].get("dims").is_none(), "no --dim, no key");
    let dyn_dims = |m: &str| models[m]["dynamic_dims"].clone();
    assert_eq!(dyn_dims("a/mlp.onnx"), serde_json::json!([]));
    assert_eq!(dyn_dims("b/mlp.onnx"), serde_json::json!([]));
    assert_eq!(
        dyn_dims("c/mlp.onnx"),
        serde_json::json!([{"input": "features", "index": 0, "name": "batch"}])
    );
    assert_eq!(
        dyn_dims("c/relu.onnx"),
        serde_json::json!([{"input": "x", "index": 0, "name": null}])
    );
    let at = |line: u32| format!("{}:{line}", shapes.display());
    assert_eq!(models["a/mlp.onnx"]["pins"], Value::from(at(2)));
    assert_eq!(models["b/mlp.onnx"]["pins"], Value::from(at(4)));
    assert_eq!(models["c/relu.onnx"]["pins"], Value::from(at(6)));
    assert!(models["c/mlp.onnx"].get("pins").is_none());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Dynamic dims"), "{md}");
    assert!(md.contains("| c/mlp.onnx | features | 0 | batch |"), "{md}");
    assert!(md.contains("| c/relu.onnx | x | 0 | (unnamed) |"), "{md}");

    // --dim for the whole zoo: what the shapes file pins still wins; c is
    // converted again (its options changed), a and b are up to date.
    let run = batch(&[
        s(&zoo),
        "-o",
        s(&out),
        "-j",
        "2",
        "--weights",
        "elide",
        "--shapes",
        s(&shapes),
        "--dim",
        "batch=5",
        "--dim",
        "unused=1",
    ]);
    assert!(run.status.success());
    assert!(signature(&out.join("a/mlp.mlir")).contains("tensor<2x64xf32>"));
    assert!(signature(&out.join("b/mlp.mlir")).contains("tensor<3x64xf32>"));
    assert!(signature(&out.join("c/mlp.mlir")).contains("tensor<5x64xf32>"));
    let (v, models) = report(&out.join("report.json"));
    assert_eq!(
        v["options"]["dims"],
        serde_json::json!(["batch=5", "unused=1"])
    );
    assert_eq!(models["c/mlp.onnx"]["status"], "ok");
    assert_eq!(models["c/mlp.onnx"]["dynamic_dims"], serde_json::json!([]));
    assert_eq!(
        models["c/relu.onnx"]["dynamic_dims"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Editing the line that pins a converts a again, and only a.
    let edited = std::fs::read_to_string(&shapes)
        .unwrap()
        .replace("dim:batch=2", "dim:batch=6");
    std::fs::write(&shapes, edited).unwrap();
    let run = batch(&[
        s(&zoo),
        "-o",
        s(&out),
        "-j",
        "2",
        "--weights",
        "elide",
        "--shapes",
        s(&shapes),
        "--dim",
        "batch=5",
        "--dim",
        "unused=1",
    ]);
    assert!(run.status.success());
    let (_, models) = report(&out.join("report.json"));
    let status = |m: &str| models[m]["status"].as_str().unwrap().to_string();
    assert_eq!(status("a/mlp.onnx"), "ok");
    assert_eq!(status("b/mlp.onnx"), "skipped-up-to-date");
    assert_eq!(status("c/mlp.onnx"), "skipped-up-to-date");
    assert!(signature(&out.join("a/mlp.mlir")).contains("tensor<6x64xf32>"));
}

#[test]
fn bad_shapes_file_lines_name_the_file_and_line() {
    let dir = common::scratch("batch", "bad-shapes");
    let zoo = dir.join("zoo");
    std::fs::create_dir_all(&zoo).unwrap();
    std::fs::write(zoo.join("relu.onnx"), unnamed_dim_model()).unwrap();
    let shapes = dir.join("shapes.txt");
    for (line, says) in [
        ("x=1x3", "expected a model path glob first"),
        ("*.onnx dim:batch=0", "bad size \"0\""),
        ("*.onnx dim:batch=two", "bad size \"two\""),
        ("*.onnx dim:=1", "expected dim:NAME=N"),
        ("*.onnx x", "expected INPUT=DxD... or dim:NAME=N"),
        ("*.onnx x=1xq", "bad shape \"1xq\""),
        ("*.onnx dim:n=1 dim:n=2", "dim \"n\" is pinned twice"),
        ("*.onnx x=1x3 x=2x3", "input \"x\" is pinned twice"),
    ] {
        std::fs::write(&shapes, format!("# pins\n\n{line}\n")).unwrap();
        let out = dir.join("out");
        let run = batch(&[s(&zoo), "-o", s(&out), "--shapes", s(&shapes)]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{line}");
        assert!(
            stderr.contains(&format!("{}:3: ", shapes.display())) && stderr.contains(says),
            "{line}: {stderr}"
        );
        assert!(!out.join("relu.mlir").exists(), "{line}: converted anyway");
    }
    let missing = dir.join("none.txt");
    let run = batch(&[s(&zoo), "-o", s(&dir.join("out")), "--shapes", s(&missing)]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot read shapes file"));
}
