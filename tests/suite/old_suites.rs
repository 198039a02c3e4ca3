//! The old exporters' suites the onnx package ships (`pytorch-converted`,
//! `pytorch-operator`, `simple`: opsets 1 to 9) against
//! `tests/conformance/expectations-old-suites.txt`, one line per test
//! (`suite/test: pass` or `suite/test: fail: <first line of the error>`);
//! any change in either direction fails (`UPDATE_EXPECTATIONS=1` rewrites the
//! file). `tools/old_suites.py` prints the same lines from a shell.
//! The suites are found in the onnx package of `.venv`, or at env
//! `ONNX_OLD_SUITES` (the package's `backend/test/data`).
#![allow(clippy::unwrap_used, clippy::panic)]
use crate::common::{bin, check_expectations};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

const SUITES: [&str; 3] = ["pytorch-converted", "pytorch-operator", "simple"];
const MAX_REASON: usize = 200;

fn data() -> PathBuf {
    match std::env::var_os("ONNX_OLD_SUITES") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".venv/lib/python3.11/site-packages/onnx/backend/test/data"),
    }
}

/// `pass`, or `fail: ` and the run's first error line without the folder.
fn outcome(dir: &Path) -> String {
    let out = bin()
        .arg("check")
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let result = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("result: "))
        .next_back();
    if result == Some("pass") && out.status.success() {
        return "pass".to_string();
    }
    let text = [stderr.trim(), stdout.trim()]
        .into_iter()
        .find(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("exit status {}", out.status));
    let line = text
        .lines()
        .find_map(|l| l.split_once(": mismatch: ").map(|(_, r)| r))
        .or_else(|| text.lines().next())
        .unwrap_or_default();
    let shown = dir.display().to_string();
    let mut line = line.replace(&format!("{shown}/"), "").replace(&shown, "");
    if line.len() > MAX_REASON {
        let mut cut = MAX_REASON;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push_str("...");
    }
    format!("fail: {line}")
}

#[test]
fn old_exporters_suites_match_their_expectations() {
    let root = data();
    let mut tests: Vec<(String, PathBuf)> = Vec::new();
    for suite in SUITES {
        let dir = root.join(suite);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the onnx package's old suites; scripts/setup.sh installs it in .venv, or set ONNX_OLD_SUITES)",
                dir.display()
            )
        });
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        tests.extend(
            names
                .into_iter()
                .map(|n| (format!("{suite}/{n}"), dir.join(n))),
        );
    }
    let results: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; tests.len()]);
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some((_, dir)) = tests.get(i) else { break };
                    let r = outcome(dir);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    let mut passed = 0;
    let mut render = String::new();
    for ((name, _), r) in tests.iter().zip(&results) {
        let r = r.as_deref().unwrap_or("fail: not run");
        passed += usize::from(r == "pass");
        render.push_str(&format!("{name}: {r}\n"));
    }
    eprintln!("old suites: {passed} of {} pass", tests.len());
    check_expectations(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/conformance/expectations-old-suites.txt"),
        &render,
    );
}
