//! The ONNX backend node suite as named trials against expectations files.
//!
//! Runs `onnx2linalg check <test dir>` for every test folder of two suites (one
//! subprocess per test, so a crash stays contained; 2 at a time; a timeout each),
//! reduces each run to `pass` or `fail: <category>: <reason>`, and compares with
//! the suite's expectations file. Any change, in either direction, and any test
//! missing from or extra in a file fails the run.
//!
//! The suites are the same generators written with two numpy seeds
//! (`scripts/make_node_suite.py --seed`): seed 0, the usual data, against
//! `tests/conformance/expectations.txt`, and seed 2 against
//! `tests/conformance/expectations-seed2.txt`, so a pass that holds for one draw
//! of the random inputs only shows up as a difference between the files.
//!
//! Every test runs plain `check` first; that outcome is the one counted. Many node
//! tests feed shape operands (Squeeze/Unsqueeze axes, Reduce* axes, ...) as graph
//! inputs, where real models have constants. When the plain run fails because the
//! import needs such an operand constant (the error that `--bind` fixes), the test
//! is run again with `--bind-runtime-operands` and the line records both:
//! `fail: <plain reason> | bound: pass (axes)`. Those bound-only passes are
//! printed apart and are not counted as passes.
//!
//! - Suite folders: env `ONNX_NODE_SUITE` (default `build/onnx-node/node`) and
//!   `ONNX_NODE_SUITE_SEED2` (default `build/onnx-node-seed2/node`), written by
//!   `scripts/setup.sh` (`scripts/make_node_suite.py [OUT] --seed N`).
//! - `CONFORMANCE_SUITES=seed0` (or `seed2`) runs only that suite.
//! - `UPDATE_EXPECTATIONS=1` rewrites the files of the suites run instead.
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

const MAX_REASON: usize = 200;
/// What separates a plain failure from the outcome of the bound rerun.
const BOUND: &str = " | bound: ";

/// One node suite: its data and its expectations.
struct Suite {
    /// `seed0`, `seed2`: the name `CONFORMANCE_SUITES` selects.
    name: &'static str,
    seed: u32,
    dir: PathBuf,
    /// Relative to the package root.
    expectations: &'static str,
    /// The environment variable that points at another folder.
    env: &'static str,
    /// Where setup.sh writes it (the `make_node_suite.py` argument).
    default_out: &'static str,
}

fn suites(root: &Path) -> Vec<Suite> {
    let at = |env: &str, default_out: &str| {
        std::env::var_os(env)
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(default_out).join("node"))
    };
    vec![
        Suite {
            name: "seed0",
            seed: 0,
            dir: at("ONNX_NODE_SUITE", "build/onnx-node"),
            expectations: "tests/conformance/expectations.txt",
            env: "ONNX_NODE_SUITE",
            default_out: "build/onnx-node",
        },
        Suite {
            name: "seed2",
            seed: 2,
            dir: at("ONNX_NODE_SUITE_SEED2", "build/onnx-node-seed2"),
            expectations: "tests/conformance/expectations-seed2.txt",
            env: "ONNX_NODE_SUITE_SEED2",
            default_out: "build/onnx-node-seed2",
        },
    ]
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let only = std::env::var("CONFORMANCE_SUITES").ok();
    let suites: Vec<Suite> = suites(&root)
        .into_iter()
        .filter(|s| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|n| n.trim() == s.name))
        })
        .collect();
    if suites.is_empty() {
        eprintln!("conformance: CONFORMANCE_SUITES names no suite (seed0, seed2)");
        return ExitCode::FAILURE;
    }
    // Both suites are checked before either runs: a missing one is a setup step
    // not taken, better said at once than after a minute of the other.
    let mut missing = false;
    for s in &suites {
        if !s.dir.is_dir() {
            missing = true;
            eprintln!(
                "conformance: the ONNX node suite with seed {} is missing at {}.\n\
                 Write it with `.venv/bin/python scripts/make_node_suite.py {} --seed {}` \
                 (see scripts/setup.sh),\n\
                 or point {} at an existing `node` folder.",
                s.seed,
                s.dir.display(),
                s.default_out,
                s.seed,
                s.env
            );
        }
    }
    if missing {
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
    if update && filter.is_some() {
        eprintln!(
            "conformance: UPDATE_EXPECTATIONS with CONFORMANCE_FILTER would drop tests; refusing"
        );
        return ExitCode::FAILURE;
    }

    let mut ok = true;
    let mut headlines = Vec::new();
    for suite in &suites {
        match run_suite(&root, suite, filter.as_deref(), jobs, timeout, update) {
            Some((headline, suite_ok)) => {
                headlines.push(headline);
                ok &= suite_ok;
            }
            None => ok = false,
        }
    }
    // The headlines again, together, after both suites' details.
    for h in &headlines {
        println!("{h}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one suite and compares it with (or, with `update`, rewrites) its
/// expectations. Returns its headline and whether it matched; None when it
/// could not run.
fn run_suite(
    root: &Path,
    suite: &Suite,
    filter: Option<&str>,
    jobs: usize,
    timeout: Duration,
    update: bool,
) -> Option<(String, bool)> {
    let label = format!("conformance (seed {})", suite.seed);
    let mut tests: Vec<String> = match std::fs::read_dir(&suite.dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("model.onnx").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| filter.is_none_or(|f| n.contains(f)))
            .collect(),
        Err(e) => {
            eprintln!("{label}: cannot list {}: {e}", suite.dir.display());
            return None;
        }
    };
    tests.sort();
    if tests.is_empty() {
        eprintln!("{label}: no tests found in {}", suite.dir.display());
        return None;
    }

    let started = Instant::now();
    let outcomes = run_all(&suite.dir, &tests, jobs, timeout);
    let elapsed = started.elapsed();
    let expectations_path = root.join(suite.expectations);

    if update {
        let mut text = String::new();
        for (name, outcome) in &outcomes {
            text += &format!("{name}: {outcome}\n");
        }
        if let Err(e) = std::fs::write(&expectations_path, text) {
            eprintln!("{label}: cannot write {}: {e}", expectations_path.display());
            return None;
        }
        print_counts(&label, &outcomes);
        println!(
            "{label}: rewrote {} ({} tests, {:.0?})",
            suite.expectations,
            outcomes.len(),
            elapsed
        );
        return Some((headline(&label, &outcomes), true));
    }

    let expected = match std::fs::read_to_string(&expectations_path) {
        Ok(text) => parse_expectations(&text),
        Err(e) => {
            eprintln!(
                "{label}: cannot read {}: {e} (run with UPDATE_EXPECTATIONS=1 to create it)",
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
                println!(
                    "CHANGED {name} ({})\n    expected: {want}\n    got:      {got}",
                    suite.name
                );
            }
            None => {
                changes += 1;
                println!("NEW     {name}: {got} (not in {})", suite.expectations);
            }
        }
    }
    if filter.is_none() {
        for name in expected.keys() {
            if !outcomes.contains_key(name) {
                changes += 1;
                println!(
                    "MISSING {name}: in {} but not in the suite",
                    suite.expectations
                );
            }
        }
    }
    print_counts(&label, &outcomes);
    println!(
        "{label}: {} tests in {:.0?} with {jobs} jobs",
        outcomes.len(),
        elapsed
    );
    if changes > 0 {
        println!(
            "{label}: {changes} differences from {} \
             (rerun with UPDATE_EXPECTATIONS=1 to accept them)",
            suite.expectations
        );
    }
    let headline = headline(&label, &outcomes);
    println!("{headline}");
    Some((headline, changes == 0))
}

/// Passes of the plain run (the count), failures, and apart the failures that
/// pass only once run-time operands are bound to the test's values.
fn headline(label: &str, outcomes: &BTreeMap<String, String>) -> String {
    let passed = outcomes.values().filter(|o| o.as_str() == "pass").count();
    let bound_only = outcomes
        .values()
        .filter(|o| o.contains(&format!("{BOUND}pass")))
        .count();
    format!(
        "{label}: {passed} of {} pass, {} fail \
         (apart, not counted: {bound_only} of those fail plain and pass with run-time operands bound)",
        outcomes.len(),
        outcomes.len() - passed
    )
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

/// `pass: N`, then `fail/<category>: N` for each category of the plain run,
/// then how many failures pass with run-time operands bound.
fn print_counts(label: &str, outcomes: &BTreeMap<String, String>) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes.values() {
        let plain = o.split(BOUND).next().unwrap_or(o);
        let key = match plain.strip_prefix("fail: ") {
            Some(rest) => format!("fail/{}", rest.split(':').next().unwrap_or("").trim()),
            None => plain.to_string(),
        };
        *counts.entry(key).or_default() += 1;
        if let Some(bound) = o.split_once(BOUND).map(|(_, b)| b) {
            let key = if bound.starts_with("pass") {
                "(bound: pass)".to_string()
            } else {
                "(bound: fail)".to_string()
            };
            *counts.entry(key).or_default() += 1;
        }
    }
    println!("{label}:");
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

/// The plain outcome, and when the import needed a run-time operand constant,
/// `<plain> | bound: <outcome with --bind-runtime-operands>`.
fn run_one(suite: &Path, name: &str, timeout: Duration) -> String {
    let (plain, needs_constant) = run_check(suite, name, timeout, false);
    if !needs_constant {
        return plain;
    }
    let (bound, _) = run_check(suite, name, timeout, true);
    let bound = match bound.strip_prefix("pass (bound: ") {
        Some(names) => format!("pass ({}", names),
        None => bound,
    };
    format!("{plain}{BOUND}{bound}")
}

/// The suffix `onnx2linalg` gives an error that `--bind NAME=FILE` would fix:
/// ` (to fix "NAME" at a value: --bind NAME=FILE)`.
const BIND_HINT: &str = " (to fix \"";

/// One `check` run: its outcome, and whether it failed because the import
/// needed a run-time operand as a constant.
fn run_check(suite: &Path, name: &str, timeout: Duration, bind: bool) -> (String, bool) {
    let dir = suite.join(name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_onnx2linalg"));
    command.arg("check");
    if bind {
        command.arg("--bind-runtime-operands");
    }
    let mut child = match command
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return (format!("fail: crash: cannot start onnx2linalg: {e}"), false);
        }
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
        return ("fail: timeout".to_string(), false);
    };
    let clean = |s: &str| normalize(s, &dir, suite);
    let result = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("result: "));
    let mut needs_constant = false;
    let outcome = match result {
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
            // The hint is the marker of an operand needed constant; the bound
            // rerun's outcome says the rest, so the reason keeps the error alone.
            let message = match message.rfind(BIND_HINT) {
                Some(i) if message.ends_with("=FILE)") => {
                    needs_constant = true;
                    &message[..i]
                }
                _ => message,
            };
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
    };
    (outcome, needs_constant)
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
