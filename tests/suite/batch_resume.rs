//! No lost work: a batch run killed with SIGKILL (twice, at different points)
//! and restarted ends with the same outputs, byte for byte, and the same
//! report as a run that was never interrupted, with no temporary file left.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::{bin, scratch};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn zoo(dir: &Path) -> usize {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/models");
    let zoo = dir.join("zoo");
    std::fs::create_dir_all(&zoo).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".onnx") {
            std::fs::copy(&p, zoo.join(&name)).unwrap();
            n += 1;
        }
    }
    // One model that fails, so failures are resumed too.
    std::fs::write(zoo.join("broken.onnx"), b"not a model").unwrap();
    n + 1
}

fn batch(dir: &Path, out: &str) -> std::process::Command {
    let mut cmd = bin();
    cmd.arg("batch")
        .arg(dir.join("zoo"))
        .arg("-o")
        .arg(dir.join(out))
        .args(["-j", "1"]);
    cmd
}

/// Every file under `root` (relative path -> bytes), reports aside.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                // A running batch's temporary file may be renamed away mid-walk.
                match std::fs::read(&p) {
                    Ok(bytes) => {
                        out.insert(rel, bytes);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("{}: {e}", p.display()),
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out.retain(|k, _| !k.starts_with("report.") && !k.ends_with(".stamp"));
    out
}

fn outputs_done(root: &Path) -> usize {
    files(root).keys().filter(|k| k.ends_with(".mlir")).count()
}

/// The report with what may differ between runs taken out: timings, and a
/// model resumed from an earlier run is `skipped-up-to-date` instead of `ok`.
fn normalized_report(root: &Path) -> Value {
    let text = std::fs::read_to_string(root.join("report.json")).unwrap();
    let mut r: Value = serde_json::from_str(&text).unwrap();
    for m in r["models"].as_array_mut().unwrap() {
        m["wall_ms"] = Value::Null;
        if m["status"] == "skipped-up-to-date" {
            m["status"] = "ok".into();
        }
    }
    let totals = &mut r["totals"];
    let ok = totals["ok"].as_u64().unwrap() + totals["skipped_up_to_date"].as_u64().unwrap();
    totals["ok"] = ok.into();
    totals["skipped_up_to_date"] = 0.into();
    totals["model_wall_ms"] = Value::Null;
    totals["elapsed_ms"] = Value::Null;
    r
}

/// Starts a run into `out` and SIGKILLs it once `after` outputs exist.
fn run_and_kill(dir: &Path, out: &str, after: usize, total_ok: usize) {
    let mut child = batch(dir, out).spawn().unwrap();
    let start = Instant::now();
    loop {
        let done = dir.join(out).exists().then(|| outputs_done(&dir.join(out)));
        if done.unwrap_or(0) >= after {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(start.elapsed() < Duration::from_secs(300), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let done = outputs_done(&dir.join(out));
    assert!(
        done < total_ok,
        "killed too late to test anything ({done} of {total_ok} done)"
    );
}

#[test]
fn killed_batch_resumes_to_the_same_outputs_and_report() {
    let dir = scratch("resume", "kill");
    let models = zoo(&dir);

    let whole = batch(&dir, "whole").output().unwrap();
    assert_eq!(whole.status.code(), Some(1), "one model is broken");
    let expected = files(&dir.join("whole"));
    let total_ok = expected.keys().filter(|k| k.ends_with(".mlir")).count();
    assert_eq!(total_ok, models - 1);

    run_and_kill(&dir, "resumed", 1, total_ok);
    run_and_kill(&dir, "resumed", 3, total_ok);
    // What a kill during a write leaves: the last model's temp file of a
    // process that is gone. The resumed run must clear it.
    let last_model = expected.keys().rfind(|k| k.ends_with(".mlir")).unwrap();
    assert!(!dir.join("resumed").join(last_model).exists());
    let stale = dir
        .join("resumed")
        .join(format!(".{last_model}.4000000000.tmp"));
    std::fs::write(&stale, b"half an output").unwrap();
    let last = batch(&dir, "resumed").output().unwrap();
    assert_eq!(last.status.code(), Some(1));

    let got = files(&dir.join("resumed"));
    let leftovers: Vec<_> = got.keys().filter(|k| k.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(
            got[name] == *bytes,
            "{name} differs from the uninterrupted run"
        );
    }
    assert_eq!(
        normalized_report(&dir.join("resumed")),
        normalized_report(&dir.join("whole"))
    );
    let report = std::fs::read_to_string(dir.join("resumed/report.json")).unwrap();
    assert!(report.contains("skipped-up-to-date"), "nothing was resumed");
    std::fs::remove_dir_all(&dir).unwrap();
}
