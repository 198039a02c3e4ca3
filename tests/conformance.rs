//! The ONNX backend node suite as named trials against an expectations file.
//!
//! Runs `onnx2linalg check <test dir>` for every test folder of the suite (one
//! subprocess per test, so a crash stays contained; 2 at a time; a timeout each),
//! reduces each run to `pass` or `fail: <category>: <reason>`, and compares with
//! `tests/conformance/expectations.txt`. Any change, in either direction, and any
//! test missing from or extra in the file fails the run.
//!
//! Many node tests feed shape operands (Squeeze/Unsqueeze axes, Reduce* axes, ...)
//! as graph inputs, where real models have constants. `check` runs with
//! `--bind-runtime-operands`: an operand the import needs constant is bound to
//! its test value, and the outcome says so (`pass (bound: axes)`), counted apart.
//!
//! - Suite folder: env `ONNX_NODE_SUITE`, default `build/onnx-node/node`
//!   (written by `python scripts/make_node_suite.py`).
//! - `UPDATE_EXPECTATIONS=1` rewrites the file from this run instead.
//! - `CONFORMANCE_FILTER=substring` (or `cargo test --test conformance -- substring`)
//!   runs only matching tests (no missing/extra check,
//!   no rewrite); `CONFORMANCE_JOBS=N` changes the parallelism;
//!   `CONFORMANCE_TIMEOUT=seconds` the per-test limit.
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const EXPECTATIONS: &str = "tests/conformance/expectations.txt";
const MAX_REASON: usize = 200;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let suite = std::env::var_os("ONNX_NODE_SUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("build/onnx-node/node"));
    if !suite.is_dir() {
        eprintln!(
            "conformance: the ONNX node suite is missing at {}.\n\
             Write it with `.venv/bin/python scripts/make_node_suite.py` (see scripts/setup.sh),\n\
             or point ONNX_NODE_SUITE at an existing `node` folder.",
            suite.display()
        );
        return ExitCode::FAILURE;
    }
    // `cargo test --test conformance -- relu` works like CONFORMANCE_FILTER=relu.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .or_else(|| std::env::var("CONFORMANCE_FILTER").ok())
        .filter(|f| !f.is_empty());
    let jobs: usize = env_number("CONFORMANCE_JOBS", 2).max(1);
    let timeout = Duration::from_secs(env_number("CONFORMANCE_TIMEOUT", 60) as u64);
    let update = std::env::var("UPDATE_EXPECTATIONS").is_ok_and(|v| v == "1");

    let mut tests: Vec<String> = match std::fs::read_dir(&suite) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("model.onnx").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
            .collect(),
        Err(e) => {
            eprintln!("conformance: cannot list {}: {e}", suite.display());
            return ExitCode::FAILURE;
        }
    };
    tests.sort();
    if tests.is_empty() {
        eprintln!("conformance: no tests found in {}", suite.display());
        return ExitCode::FAILURE;
    }

    let started = Instant::now();
    let outcomes = run_all(&suite, &tests, jobs, timeout);
    let elapsed = started.elapsed();

    let expectations_path = root.join(EXPECTATIONS);
    if update {
        if filter.is_some() {
            eprintln!(
                "conformance: UPDATE_EXPECTATIONS with CONFORMANCE_FILTER would drop tests; refusing"
            );
            return ExitCode::FAILURE;
        }
        let mut text = String::new();
        for (name, outcome) in &outcomes {
            text += &format!("{name}: {outcome}\n");
        }
        if let Err(e) = std::fs::write(&expectations_path, text) {
            eprintln!(
                "conformance: cannot write {}: {e}",
                expectations_path.display()
            );
            return ExitCode::FAILURE;
        }
        print_counts(&outcomes);
        println!(
            "conformance: rewrote {} ({} tests, {:.0?})",
            EXPECTATIONS,
            outcomes.len(),
            elapsed
        );
        return closing(&outcomes, true);
    }

    let expected = match std::fs::read_to_string(&expectations_path) {
        Ok(text) => parse_expectations(&text),
        Err(e) => {
            eprintln!(
                "conformance: cannot read {}: {e} (run with UPDATE_EXPECTATIONS=1 to create it)",
                expectations_path.display()
            );
            BTreeMap::new()
        }
    };
    let mut changes = 0;
    for (name, got) in &outcomes {
        match expected.get(name) {
            Some(want) if want == got => {}
            Some(want) => {
                changes += 1;
                println!("CHANGED {name}\n    expected: {want}\n    got:      {got}");
            }
            None => {
                changes += 1;
                println!("NEW     {name}: {got} (not in {EXPECTATIONS})");
            }
        }
    }
    if filter.is_none() {
        for name in expected.keys() {
            if !outcomes.contains_key(name) {
                changes += 1;
                println!("MISSING {name}: in {EXPECTATIONS} but not in the suite");
            }
        }
    }
    print_counts(&outcomes);
    println!(
        "conformance: {} tests in {:.0?} with {jobs} jobs",
        outcomes.len(),
        elapsed
    );
    if changes > 0 {
        println!(
            "conformance: {changes} differences from {EXPECTATIONS} \
             (rerun with UPDATE_EXPECTATIONS=1 to accept them)"
        );
    }
    closing(&outcomes, changes == 0)
}

fn closing(outcomes: &BTreeMap<String, String>, ok: bool) -> ExitCode {
    let passed = outcomes.values().filter(|o| o.starts_with("pass")).count();
    let bound = outcomes
        .values()
        .filter(|o| o.starts_with("pass (bound"))
        .count();
    println!(
        "conformance: {passed} passed ({bound} of them with runtime shape operands bound), {} failed",
        outcomes.len() - passed
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn parse_expectations(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(n, o)| (n.trim().to_string(), o.trim().to_string()))
        .collect()
}

/// `pass: N`, then `fail/<category>: N` for each category.
fn print_counts(outcomes: &BTreeMap<String, String>) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes.values() {
        let key = match o.strip_prefix("fail: ") {
            Some(rest) => format!("fail/{}", rest.split(':').next().unwrap_or("").trim()),
            None if o.starts_with("pass (bound") => "pass/bound operands".to_string(),
            None => o.clone(),
        };
        *counts.entry(key).or_default() += 1;
    }
    for (k, n) in counts {
        println!("  {k:<24} {n}");
    }
}

fn run_all(
    suite: &Path,
    tests: &[String],
    jobs: usize,
    timeout: Duration,
) -> BTreeMap<String, String> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(name) = tests.get(i) else { break };
                    let outcome = run_one(suite, name, timeout);
                    if let Ok(mut r) = results.lock() {
                        r.insert(name.clone(), outcome);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

fn run_one(suite: &Path, name: &str, timeout: Duration) -> String {
    let dir = suite.join(name);
    let mut child = match Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
        .arg("check")
        .arg("--bind-runtime-operands")
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return format!("fail: crash: cannot start onnx2linalg: {e}"),
    };
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        return "fail: timeout".to_string();
    };
    let clean = |s: &str| normalize(s, &dir, suite);
    let result = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("result: "));
    match result {
        Some("pass") if status.success() => {
            match stdout.lines().find_map(|l| l.split_once(": bound: ")) {
                Some((_, names)) => format!("pass (bound: {})", clean(names)),
                None => "pass".to_string(),
            }
        }
        Some("mismatch") => {
            let line = stdout
                .lines()
                .find_map(|l| l.split_once(": mismatch: ").map(|(_, r)| r))
                .unwrap_or("outputs differ");
            // Keep what failed, not the numbers, so small numeric drifts do not churn.
            let line = match line.find("values differ") {
                Some(i) => &line[..i + "values differ".len()],
                None => line,
            };
            format!("fail: mismatch: {}", clean(line))
        }
        Some(r) if r.starts_with("error (") => {
            let kind = r.trim_start_matches("error (").trim_end_matches(')');
            let message = stderr
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or("(no message)");
            // "; 3 more unsupported nodes: ..." changes whenever any op lands; keep the first.
            let message = match message.find(" more unsupported node") {
                Some(i) => message[..i]
                    .rsplit_once("; ")
                    .map(|(head, _)| head)
                    .unwrap_or(message),
                None => message,
            };
            format!("fail: {kind}: {}", clean(message))
        }
        _ => format!("fail: crash: {}", crash_reason(&status, &stderr, &clean)),
    }
}

fn crash_reason(
    status: &std::process::ExitStatus,
    stderr: &str,
    clean: &dyn Fn(&str) -> String,
) -> String {
    let mut lines = stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    if let Some(i) = stderr.lines().position(|l| l.contains("panicked at")) {
        // The line after `panicked at <file>:<line>:<col>:` holds the message.
        let msg = stderr.lines().nth(i + 1).unwrap_or("").trim();
        return format!("panic: {}", clean(msg));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                4 => "SIGILL",
                6 => "SIGABRT",
                7 => "SIGBUS",
                8 => "SIGFPE",
                9 => "SIGKILL",
                11 => "SIGSEGV",
                _ => "signal",
            };
            return match lines.find(|l| {
                !l.starts_with("Stack dump") && !l.starts_with('#') && !l.starts_with("0.")
            }) {
                Some(l) => format!("{name}: {}", clean(l)),
                None => format!("{name} ({sig})"),
            };
        }
    }
    match lines.next() {
        Some(l) => format!("exit {}: {}", status.code().unwrap_or(-1), clean(l)),
        None => format!("exit {} without a result line", status.code().unwrap_or(-1)),
    }
}

/// One line without paths of this machine, hex addresses or runs of spaces, capped.
fn normalize(s: &str, dir: &Path, suite: &Path) -> String {
    let mut s = s.replace(&format!("{}/", dir.display()), "");
    s = s.replace(&format!("{}/", suite.display()), "");
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '0' && chars.get(i + 1) == Some(&'x') {
            let mut j = i + 2;
            while j < chars.len() && chars[j].is_ascii_hexdigit() {
                j += 1;
            }
            if j - i - 2 >= 6 {
                out.push_str("0x?");
                i = j;
                continue;
            }
        }
        if chars[i].is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(chars[i]);
        }
        i += 1;
    }
    let out = out.trim();
    if out.chars().count() > MAX_REASON {
        let cut: String = out.chars().take(MAX_REASON).collect();
        format!("{cut}...")
    } else {
        out.to_string()
    }
}
