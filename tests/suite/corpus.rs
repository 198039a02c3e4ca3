//! The corpus of models written by other producers (skl2onnx, onnxscript, spox,
//! tf2onnx, keras2onnx, paddle2onnx, PyTorch's two exporters, onnxconverter-common's
//! float16 pass, and models shipped inside PyPI wheels): every folder under
//! fixtures/corpus (made by fixtures/corpus/make_corpus.py, expected outputs
//! from onnxruntime; sources in fixtures/corpus/manifest.json) goes through
//! `onnx2linalg check`, and the one-line results must equal
//! tests/corpus/expectations.txt: a model that starts passing fails the test
//! as surely as one that stops (UPDATE_EXPECTATIONS=1 rewrites the file).
//! A model listed in tests/corpus/check-flags.txt is checked with the extra
//! `check` flags given there (each with its reason and measurements), and its
//! result line names them.
#![allow(clippy::unwrap_used)]
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// Fewer folders than this means the corpus went missing, not that it passes.
const AT_LEAST: usize = 30;
/// One model's `check` may take this long before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn corpus_results_match_expectations() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("fixtures/corpus");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= AT_LEAST,
        "expected at least {AT_LEAST} corpus models in {}, found {}",
        root.display(),
        cases.len()
    );
    // Every folder has its provenance in manifest.json, and only folders do.
    let listed = std::fs::read_to_string(root.join("manifest.json")).unwrap();
    let names: Vec<String> = cases
        .iter()
        .map(|c| c.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in &names {
        assert!(
            listed.contains(&format!("\"name\": \"{name}\"")),
            "fixtures/corpus/{name} is not in fixtures/corpus/manifest.json"
        );
    }
    assert_eq!(
        listed.matches("\"source\": ").count(),
        names.len(),
        "fixtures/corpus/manifest.json lists models that have no folder"
    );
    let flags = check_flags(&manifest.join("tests/corpus/check-flags.txt"));
    for name in flags.keys() {
        assert!(
            names.contains(name),
            "tests/corpus/check-flags.txt names {name}, which is not in fixtures/corpus"
        );
    }
    let scratch = common::scratch("corpus", "logs");
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut lines: Vec<(usize, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        done.push((i, result_line(case, &flags, &scratch, &root)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    lines.sort();
    let render: String = lines.into_iter().map(|(_, l)| l + "\n").collect();
    let _ = std::fs::remove_dir_all(&scratch);
    common::check_expectations(&manifest.join("tests/corpus/expectations.txt"), &render);
}

/// tests/corpus/check-flags.txt: `name: flag flag ...` lines; `#` starts a comment line.
fn check_flags(path: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            assert!(
                l.contains(':'),
                "{}: `name: flags` expected, got {l:?}",
                path.display()
            );
            let (name, flags) = l.split_once(':').unwrap();
            let flags: Vec<String> = flags.split_whitespace().map(str::to_string).collect();
            (name.trim().to_string(), flags)
        })
        .collect()
}

/// `name: pass`, or `name: <result line> | <first line of the error>`, with
/// the corpus root cut out of paths so the file does not depend on the checkout;
/// a model checked with extra flags has them after its name: `name (--flag N): ...`.
fn result_line(
    case: &Path,
    flags: &BTreeMap<String, Vec<String>>,
    scratch: &Path,
    root: &Path,
) -> String {
    let file_name = case.file_name().unwrap().to_string_lossy().into_owned();
    let extra = flags.get(&file_name).cloned().unwrap_or_default();
    let name = if extra.is_empty() {
        file_name.clone()
    } else {
        format!("{file_name} ({})", extra.join(" "))
    };
    let (out_path, err_path) = (
        scratch.join(format!("{file_name}.out")),
        scratch.join(format!("{file_name}.err")),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
        .arg("check")
        .args(&extra)
        .arg(case)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let timed_out = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break true;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if timed_out {
        return format!("{name}: timeout (over {} s)", TIMEOUT.as_secs());
    }
    let clean = |s: String| {
        s.replace(&format!("{}/", root.display()), "")
            .trim()
            .to_string()
    };
    let stdout = clean(std::fs::read_to_string(&out_path).unwrap_or_default());
    let stderr = clean(std::fs::read_to_string(&err_path).unwrap_or_default());
    let result = stdout
        .lines()
        .find(|l| l.starts_with("result: "))
        .unwrap_or("result: none");
    if result == "result: pass" {
        return format!("{name}: pass");
    }
    // The reason: the error's first line, else (a mismatch) the first line
    // of `check`'s own report that is not the result line.
    let reason = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .or_else(|| {
            stdout
                .lines()
                .find(|l| !l.starts_with("result: ") && !l.trim().is_empty())
        })
        .unwrap_or("");
    format!("{name}: {result} | {reason}")
}
