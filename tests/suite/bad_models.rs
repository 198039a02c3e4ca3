//! The bad-model corpus (tests/bad_models/corpus, written by
//! make_bad_models.py): every case through the CLI must fail cleanly, with
//! exit code 1 (no signal, no panic) within 20 s, one error line that names
//! the file and what its manifest row asks for, and no output file (nor a
//! temporary one) left behind. Each error line is kept in expected.txt
//! (UPDATE_EXPECTATIONS=1 rewrites it), so a changed message is seen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use crate::common::{bin, scratch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_models")
}

struct Case {
    name: String,
    category: String,
    words: Vec<String>,
}

fn manifest() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus().join("manifest.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                name: f[0].to_string(),
                category: f[1].to_string(),
                words: f
                    .get(2)
                    .unwrap_or(&"")
                    .split(';')
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect(),
            }
        })
        .collect()
}

/// Runs one case; Err describes what was wrong, Ok is its error line.
fn run(case: &Case, out_dir: &Path) -> Result<String, String> {
    let path = corpus().join("corpus").join(&case.name);
    let input = if path.is_dir() {
        path.join("model.onnx")
    } else {
        path
    };
    std::fs::create_dir_all(out_dir).unwrap();
    let mut child = bin()
        .arg(&input)
        .arg("-o")
        .arg(out_dir.join("out.mlir"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            return Err("still running after 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    if status.code() != Some(1) {
        return Err(format!("exit status {status:?}, stderr: {stderr}"));
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let [line] = lines[..] else {
        return Err(format!("{} lines on stderr: {stderr}", lines.len()));
    };
    let lower = line.to_lowercase();
    if !line.starts_with("error: ") || lower.contains("panicked") {
        return Err(format!("not a clean error: {line}"));
    }
    if !line.contains(&case.name) {
        return Err(format!("the error does not name the file: {line}"));
    }
    if let Some(w) = case.words.iter().find(|w| !lower.contains(w.as_str())) {
        return Err(format!("the error does not mention \"{w}\": {line}"));
    }
    let left: Vec<_> = std::fs::read_dir(out_dir).unwrap().collect();
    if !left.is_empty() {
        return Err(format!("{} file(s) left in the output folder", left.len()));
    }
    // The line without the corpus folder, so it reads the same anywhere.
    let folder = format!("{}/", corpus().join("corpus").display());
    Ok(line.replace(&folder, ""))
}

#[test]
fn every_bad_model_fails_cleanly_with_one_clear_line_and_no_output() {
    let cases = manifest();
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    // The manifest and the corpus list the same cases.
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "corpus and manifest.tsv disagree");

    let scratch_dir = scratch("bad-models", "out");
    let results: Mutex<BTreeMap<String, Result<String, String>>> = Mutex::new(BTreeMap::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(case) = cases.get(i) else { break };
                    let r = run(case, &scratch_dir.join(format!("{i}")));
                    results.lock().unwrap().insert(case.name.clone(), r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}: {e}")))
        .collect();
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &cases {
        *per_category.entry(c.category.as_str()).or_default() += 1;
    }
    eprintln!("bad models: {} cases, {per_category:?}", cases.len());
    assert!(
        failures.is_empty(),
        "{} cases misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let render: String = results
        .iter()
        .map(|(n, r)| format!("{n}\t{}\n", r.as_ref().unwrap()))
        .collect();
    common::check_expectations(&corpus().join("expected.txt"), &render);
    std::fs::remove_dir_all(&scratch_dir).unwrap();
}
