//! `onnx2linalg batch --check`: each converted model with test data is run
//! as `check` runs it; a second run takes every compiled object from the
//! object cache (even with `--force`); mismatches and errors fail the batch;
//! shards merge; without `--check` the report has none of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let to = dst.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &to);
        } else {
            std::fs::copy(&p, &to).unwrap();
        }
    }
}

/// Models that pass `check` (tests/corpus/expectations.txt, tests/op_cases),
/// each in its own folder with its test data, and one model without test data.
const PASSING: [&str; 4] = [
    "corpus/ort_sigmoid/model.onnx",
    "corpus/sklearn_ridge/model.onnx",
    "corpus/spox_linear_softmax/model.onnx",
    "op_cases/qdq_matmul_per_tensor/model.onnx",
];
const PLAIN: &str = "plain/mlp_op13.onnx";

fn zoo(dir: &Path) -> PathBuf {
    let zoo = dir.join("zoo");
    for name in ["ort_sigmoid", "sklearn_ridge", "spox_linear_softmax"] {
        copy_dir(
            &root().join("fixtures/corpus").join(name),
            &zoo.join("corpus").join(name),
        );
    }
    copy_dir(
        &root().join("tests/op_cases/qdq_matmul_per_tensor"),
        &zoo.join("op_cases/qdq_matmul_per_tensor"),
    );
    std::fs::create_dir_all(zoo.join("plain")).unwrap();
    std::fs::copy(
        root().join("fixtures/models/mlp_op13.onnx"),
        zoo.join(PLAIN),
    )
    .unwrap();
    zoo
}

fn batch(args: &[&str]) -> Output {
    let out = common::bin().arg("batch").args(args).output().unwrap();
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

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// (result, compiles, cache_hits) of a model's check.
fn outcome(m: &Value) -> (String, u64, u64) {
    let c = &m["check"];
    (
        c["result"].as_str().unwrap().to_string(),
        c["compiles"].as_u64().unwrap(),
        c["cache_hits"].as_u64().unwrap(),
    )
}

#[test]
fn second_batch_check_takes_every_object_from_the_cache() {
    let dir = common::scratch("batch_check", "cache");
    let zoo = zoo(&dir);
    let (out, cache) = (dir.join("out"), dir.join("cache"));
    let cache_arg = format!("--cache-dir={}", cache.display());
    let args = |extra: &[&'static str]| {
        let mut a = vec![s(&zoo).to_string(), "-o".into(), s(&out).to_string()];
        a.extend(["-j", "2", "--check"].map(String::from));
        a.push(cache_arg.clone());
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        batch(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let first = run(&[]);
    assert!(first.status.success());
    let (v, models) = report(&out.join("report.json"));
    assert_eq!(v["options"]["check"], "fast");
    for p in PASSING {
        assert_eq!(models[p]["status"], "ok", "{p}");
        assert_eq!(outcome(&models[p]), ("pass".to_string(), 1, 0), "{p}");
        assert_eq!(models[p]["check"]["reason"], Value::Null, "{p}");
        assert!(
            models[p]["check"]["data_sets"].as_u64().unwrap() >= 1,
            "{p}"
        );
    }
    assert_eq!(outcome(&models[PLAIN]), ("no-test-data".to_string(), 0, 0));
    assert_eq!(models[PLAIN]["status"], "ok");
    let checks = &v["totals"]["checks"];
    assert_eq!(
        (
            &checks["pass"],
            &checks["no_test_data"],
            &checks["compiles"],
            &checks["cache_hits"]
        ),
        (&4.into(), &1.into(), &4.into(), &0.into())
    );
    // One object per model in the cache.
    let entries = |d: &Path| {
        std::fs::read_dir(d)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "o2l")
            })
            .count()
    };
    assert_eq!(entries(&cache), 4);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("; check pass (object from the cache: no)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("checks: 4 pass, 0 mismatch, 0 error, 1 no test data; 0 of 4 compiled objects from the cache"),
        "{stderr}"
    );

    // Converted again (--force) and checked again: every object from the cache.
    let second = run(&["--force"]);
    assert!(second.status.success());
    let (v, models) = report(&out.join("report.json"));
    for p in PASSING {
        assert_eq!(models[p]["status"], "ok", "{p}");
        assert_eq!(outcome(&models[p]), ("pass".to_string(), 1, 1), "{p}");
    }
    assert_eq!(v["totals"]["checks"]["cache_hits"], 4);
    assert_eq!(entries(&cache), 4);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("\n## Checks\n"), "{md}");
    assert!(
        md.contains("| corpus/ort_sigmoid/model.onnx | pass |  |  | 1 |"),
        "{md}"
    );
    assert!(md.contains("Checks (fast): 4 pass, 0 mismatch, 0 error, 1 no test data; 4 of 4 compiled objects from the cache"), "{md}");

    // Up-to-date models are checked too.
    let third = run(&[]);
    assert!(third.status.success());
    let (_, models) = report(&out.join("report.json"));
    for p in PASSING {
        assert_eq!(models[p]["status"], "skipped-up-to-date", "{p}");
        assert_eq!(outcome(&models[p]), ("pass".to_string(), 1, 1), "{p}");
    }

    // A wrong expected output is a mismatch, a missing one an error: both fail the batch.
    let sig = zoo.join("corpus/ort_sigmoid/test_data_set_0");
    std::fs::copy(sig.join("input_0.pb"), sig.join("output_0.pb")).unwrap();
    std::fs::remove_file(zoo.join("corpus/sklearn_ridge/test_data_set_0/output_0.pb")).unwrap();
    let bad = run(&[]);
    assert!(!bad.status.success(), "a failed check must fail the batch");
    let (v, models) = report(&out.join("report.json"));
    let sig = &models["corpus/ort_sigmoid/model.onnx"]["check"];
    assert_eq!(sig["result"], "mismatch");
    assert!(
        sig["reason"]
            .as_str()
            .unwrap()
            .starts_with("test_data_set_0: output \"")
            && sig["reason"].as_str().unwrap().contains("values differ"),
        "{sig}"
    );
    let ridge = &models["corpus/sklearn_ridge/model.onnx"]["check"];
    assert_eq!(ridge["result"], "error");
    assert_eq!(ridge["error_kind"], "invalid model");
    assert!(
        ridge["reason"]
            .as_str()
            .unwrap()
            .contains("test_data_set_0: 0 output files, the model has 1 outputs"),
        "{ridge}"
    );
    // The error came after the compile, from the cache.
    assert_eq!(
        (&ridge["compiles"], &ridge["cache_hits"]),
        (&1.into(), &1.into())
    );
    assert_eq!(
        (
            &v["totals"]["checks"]["mismatch"],
            &v["totals"]["checks"]["error"]
        ),
        (&1.into(), &1.into())
    );
    assert_eq!(v["totals"]["failed"], 0, "the conversions still succeed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checked_shards_merge_and_plain_batches_have_no_checks() {
    let dir = common::scratch("batch_check", "shards");
    let zoo = zoo(&dir);
    let cache = dir.join("cache");
    let cache_arg = format!("--cache-dir={}", cache.display());
    let whole = dir.join("whole");
    assert!(
        batch(&[s(&zoo), "-o", s(&whole), "-j", "2", "--check", &cache_arg])
            .status
            .success()
    );
    let sharded = dir.join("sharded");
    for k in ["1/2", "2/2"] {
        assert!(
            batch(&[
                s(&zoo),
                "-o",
                s(&sharded),
                "-j",
                "1",
                "--shard",
                k,
                "--check",
                &cache_arg
            ])
            .status
            .success()
        );
    }
    let (shard1, _) = report(&sharded.join("report.shard-1-of-2.json"));
    assert!(shard1["totals"]["checks"]["pass"].as_u64().unwrap() >= 1);
    assert!(
        batch(&["--merge-reports", "-o", s(&sharded)])
            .status
            .success()
    );
    let (merged, merged_models) = report(&sharded.join("report.json"));
    let (one, one_models) = report(&whole.join("report.json"));
    assert_eq!(merged["options"], one["options"]);
    let counts = |v: &Value| {
        let c = &v["totals"]["checks"];
        [
            "pass",
            "mismatch",
            "error",
            "no_test_data",
            "not_run",
            "compiles",
            "cache_hits",
        ]
        .map(|k| c[k].as_u64().unwrap())
    };
    assert_eq!(counts(&merged), [4, 0, 0, 1, 0, 4, 4]);
    assert_eq!(counts(&one), [4, 0, 0, 1, 0, 4, 0]);
    for (p, m) in &one_models {
        assert_eq!(
            m["check"]["result"], merged_models[p]["check"]["result"],
            "{p}"
        );
    }
    // A shard checked with other options does not merge with the others.
    std::fs::remove_file(sharded.join("report.json")).unwrap();
    assert!(
        batch(&[
            s(&zoo),
            "-o",
            s(&sharded),
            "-j",
            "1",
            "--shard",
            "2/2",
            "--check",
            "--no-cache"
        ])
        .status
        .success()
    );
    let refused = batch(&["--merge-reports", "-o", s(&sharded)]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("different options"));

    // Without --check: no check keys anywhere, and the stamps of the checked
    // run still hold (checking does not change the outputs).
    let plain = batch(&[s(&zoo), "-o", s(&whole), "-j", "2"]);
    assert!(plain.status.success());
    let text = std::fs::read_to_string(whole.join("report.json")).unwrap();
    assert!(!text.contains("\"check"), "{text}");
    let (v, models) = report(&whole.join("report.json"));
    assert!(v["totals"].get("checks").is_none());
    assert!(models.values().all(|m| m["status"] == "skipped-up-to-date"));
    let md = std::fs::read_to_string(whole.join("report.md")).unwrap();
    assert!(!md.contains("Checks"), "{md}");
    // The cache flags belong to --check.
    let lone = batch(&[s(&zoo), "-o", s(&whole), &cache_arg]);
    assert!(!lone.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A model computed in float16 whose expected outputs onnxruntime computed
/// in float32 (tests/corpus/check-flags.txt): a mismatch by default, a pass
/// with `--f16-ulps 2`, as `check` gives it; the report names the allowance.
#[test]
fn f16_ulps_widen_batch_checks_as_they_widen_check() {
    let dir = common::scratch("batch_check", "f16_ulps");
    let zoo = dir.join("zoo");
    copy_dir(
        &root().join("fixtures/corpus/fp16_mtcnn_pnet"),
        &zoo.join("fp16_mtcnn_pnet"),
    );
    let model = "fp16_mtcnn_pnet/model.onnx";
    let plain = dir.join("plain");
    assert!(
        !batch(&[s(&zoo), "-o", s(&plain), "--check", "--no-cache"])
            .status
            .success()
    );
    let (_, models) = report(&plain.join("report.json"));
    assert_eq!(outcome(&models[model]).0, "mismatch");
    let widened = dir.join("widened");
    let out = batch(&[
        s(&zoo),
        "-o",
        s(&widened),
        "--check",
        "--no-cache",
        "--f16-ulps",
        "2",
    ]);
    assert!(out.status.success());
    let (v, models) = report(&widened.join("report.json"));
    assert_eq!(outcome(&models[model]).0, "pass");
    assert_eq!(v["options"]["check"], "fast, no cache, 2 f16 ulps");
}
