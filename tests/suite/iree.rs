//! IREE as a second executor of our MLIR: every model fixture is converted by
//! the binary under test, compiled by IREE (PyPI, python/requirements-iree.txt)
//! for the CPU and run by IREE's runtime, and its outputs are compared with
//! onnxruntime's expected outputs in the fixture (scripts/iree-check.py does the
//! work; docs/iree.md).
//!
//! - static fixtures (no `shapes/` folder): one case each, except `TOO_SLOW`;
//! - dynamic fixtures (with `shapes/BxS/`): converted once without pins, that
//!   one IREE module run at the fixture's own shape and at every shape set.
//!
//! Two more tests do the same for a fixed sample of the ONNX node suite
//! (tests/iree/expectations-node-sample.txt) and for every TOSA and StableHLO
//! test program (tests/iree/expectations-programs.txt).
//!
//! Results are compared with tests/iree/expectations.txt (`CASE: pass` or
//! `CASE: fail: reason`), so a change in either direction fails;
//! `UPDATE_EXPECTATIONS=1` rewrites it. Needs build/venv-iree (scripts/setup.sh;
//! `O2L_IREE_VENV` points elsewhere); without it the test fails rather than skip.
// Test code: a failed expectation is a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::check_expectations;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Static fixtures left out because IREE's compile and run of them takes more
/// than about 20 s on a 2-core machine, with the time measured.
const TOO_SLOW: &[(&str, &str)] = &[];

/// Fewer cases than this means fixtures went missing, not that all is well.
const MIN_STATIC_FIXTURES: usize = 12;
const MIN_DYNAMIC_FIXTURES: usize = 5;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Python of the IREE venv; a missing venv is a failure that says what to run.
fn iree_python() -> PathBuf {
    let venv = std::env::var_os("O2L_IREE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("build/venv-iree"));
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `bash scripts/setup.sh` (it makes build/venv-iree from \
         python/requirements-iree.txt), or set O2L_IREE_VENV to such a venv",
        python.display()
    );
    python
}

/// Fixture folders (with a manifest.json), sorted, split into static ones and
/// ones with `shapes/` sets.
fn fixtures() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = root().join("fixtures/models");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    all.sort();
    all.into_iter().partition(|p| !p.join("shapes").is_dir())
}

/// Runs iree-check.py on one fixture: its `CASE: pass` / `CASE: fail: reason`
/// lines. A run that reports no case (a crash) is one failed case named after
/// the fixture.
fn check_fixture(python: &Path, fixture: &Path, dynamic: bool) -> Vec<String> {
    let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
    let mut cmd = Command::new(python);
    cmd.arg(root().join("scripts/iree-check.py"))
        .arg("--fixture")
        .arg(fixture)
        .env("BIN", env!("CARGO_BIN_EXE_onnx2linalg"));
    if dynamic {
        cmd.arg("--dynamic");
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    let cases = reported_cases(&out.stdout);
    if cases.is_empty() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("(no output)").trim();
        return vec![format!(
            "{name}: fail: iree-check.py reported no case ({}): {last}",
            out.status
        )];
    }
    cases
}

/// The `CASE: pass` / `CASE: fail: reason` lines of iree-check.py's output.
/// Runs scripts/iree-check.py over `list_file` (`--case-list`, plus `args`),
/// adds the cases it reports to `lines`, strips `folder/` from every line's
/// reasons and sorts them; returns its stderr.
fn run_case_list(
    python: &Path,
    list_file: &Path,
    args: &[&str],
    folder: &Path,
    lines: &mut Vec<String>,
) -> String {
    let out = Command::new(python)
        .arg(root().join("scripts/iree-check.py"))
        .arg("--case-list")
        .arg(list_file)
        .args(args)
        .env("BIN", env!("CARGO_BIN_EXE_onnx2linalg"))
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    lines.extend(reported_cases(&out.stdout));
    let prefix = format!("{}/", folder.display());
    for line in lines.iter_mut() {
        *line = line.replace(&prefix, "");
    }
    lines.sort();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn reported_cases(stdout: &[u8]) -> Vec<String> {
    let stdout = String::from_utf8_lossy(stdout);
    // Its lines carry the convert, compile and per-case run times (seen with --nocapture).
    for line in stdout.lines() {
        println!("    {line}");
    }
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("iree-check: "))
        .filter_map(|l| {
            // `CASE pass (run 0.1s)` or `CASE fail: reason`; progress lines have neither.
            if let Some((case, _)) = l.split_once(" pass (") {
                Some(format!("{case}: pass"))
            } else {
                l.split_once(" fail: ")
                    .map(|(case, why)| format!("{case}: fail: {why}"))
            }
        })
        .collect()
}

#[test]
fn iree_runs_our_mlir_like_onnxruntime() {
    let python = iree_python();
    let (statics, dynamics) = fixtures();
    for (slow, why) in TOO_SLOW {
        assert!(
            statics.iter().any(|p| p.ends_with(slow)),
            "TOO_SLOW names {slow} ({why}), which is not a static fixture"
        );
    }
    let statics: Vec<PathBuf> = statics
        .into_iter()
        .filter(|p| !TOO_SLOW.iter().any(|(slow, _)| p.ends_with(slow)))
        .collect();
    assert!(
        statics.len() >= MIN_STATIC_FIXTURES && dynamics.len() >= MIN_DYNAMIC_FIXTURES,
        "found {} static and {} dynamic fixtures: fixtures/models is incomplete",
        statics.len(),
        dynamics.len()
    );

    let started = Instant::now();
    let mut lines = Vec::new();
    let runs = statics
        .iter()
        .map(|p| (p, false))
        .chain(dynamics.iter().map(|p| (p, true)));
    for (fixture, dynamic) in runs {
        let t0 = Instant::now();
        let cases = check_fixture(&python, fixture, dynamic);
        let failed = cases.iter().filter(|c| c.contains(": fail: ")).count();
        println!(
            "iree: {} ({} case{}, {failed} failed) {:.1}s",
            fixture.file_name().unwrap().to_string_lossy(),
            cases.len(),
            if cases.len() == 1 { "" } else { "s" },
            t0.elapsed().as_secs_f64()
        );
        lines.extend(cases);
    }
    let passed = lines.iter().filter(|l| l.ends_with(": pass")).count();
    println!(
        "iree: {passed} of {} cases pass, total {:.1}s",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
    let mut render = lines.join("\n");
    render.push('\n');
    check_expectations(&root().join("tests/iree/expectations.txt"), &render);
}

/// One node test in this many, sorted by name (seed 0): 79 tests, about a
/// minute of IREE compiles. The sample does not depend on which tests pass.
const NODE_SAMPLE_EVERY: usize = 24;

/// A fixed sample of the ONNX node suite under IREE: each sampled test
/// converted by the binary under test, compiled and run by IREE on the
/// test's inputs, compared with its expected outputs at the node suite's
/// tolerance; outcomes against tests/iree/expectations-node-sample.txt.
#[test]
fn iree_runs_a_sample_of_the_node_suite() {
    let python = iree_python();
    let suite = std::env::var_os("ONNX_NODE_SUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("build/onnx-node/node"));
    let expectations =
        std::fs::read_to_string(root().join("tests/conformance/expectations.txt")).unwrap();
    let mut all: Vec<&str> = expectations
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(name, _)| name))
        .collect();
    all.sort_unstable();
    let sample: Vec<&str> = all.iter().copied().step_by(NODE_SAMPLE_EVERY).collect();
    let ours_pass = |name: &str| expectations.lines().any(|l| l == format!("{name}: pass"));
    assert!(
        sample.len() >= 60,
        "a sample of {} node tests",
        sample.len()
    );

    let scratch = crate::common::scratch("iree", "node-sample");
    let mut list = String::new();
    let mut lines = Vec::new();
    for name in &sample {
        let data = suite.join(name).join("test_data_set_0");
        let npys = |prefix: &str| -> Result<Vec<String>, String> {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
                .map_err(|e| format!("{}: {e}", data.display()))?
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|f| f.to_string_lossy().starts_with(prefix))
                })
                .collect();
            // input_2.pb before input_10.pb.
            files.sort_by_key(|p| {
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                stem[prefix.len()..].parse::<usize>().unwrap_or(usize::MAX)
            });
            files
                .iter()
                .map(|p| {
                    let t = onnx2linalg::read_tensor_file(p).map_err(|e| e.to_string())?;
                    let npy = scratch.join(format!(
                        "{name}_{}.npy",
                        p.file_stem().unwrap().to_string_lossy()
                    ));
                    std::fs::write(&npy, onnx2linalg::npy::write(&t)).unwrap();
                    Ok(npy.display().to_string())
                })
                .collect()
        };
        match (npys("input_"), npys("output_")) {
            (Ok(ins), Ok(outs)) => list.push_str(&format!(
                "{name}\t{}\t{}\t{}\n",
                suite.join(name).join("model.onnx").display(),
                ins.join(";"),
                outs.join(";")
            )),
            (Err(e), _) | (_, Err(e)) => lines.push(format!("{name}: fail: {e}")),
        }
    }
    let list_file = scratch.join("cases.tsv");
    std::fs::write(&list_file, list).unwrap();
    let started = Instant::now();
    // Reasons name files; without the suite's folder they read the same on any machine.
    let stderr = run_case_list(&python, &list_file, &[], &suite, &mut lines);
    let passed = lines.iter().filter(|l| l.ends_with(": pass")).count();
    let ours = sample.iter().filter(|n| ours_pass(n)).count();
    println!(
        "iree: node-suite sample: {passed} of {} pass under IREE; our runner passes {ours}, {:.1}s",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        lines.len(),
        sample.len(),
        "iree-check.py reported {} of {} sampled tests:\n{}",
        lines.len(),
        sample.len(),
        stderr
    );
    let mut render = lines.join("\n");
    render.push('\n');
    check_expectations(
        &root().join("tests/iree/expectations-node-sample.txt"),
        &render,
    );
}

/// Folders of programs with `input_K.npy` and `expected_K.npy` beside each
/// `program.mlir`: JAX's StableHLO (tests/stablehlo; the cases holding
/// `expect_error.txt` convert to nothing and are left out), torch-mlir's
/// StableHLO and TOSA (expected outputs from JAX or PyTorch).
const PROGRAM_FOLDERS: &[&str] = &["stablehlo", "torch_mlir_stablehlo", "torch_mlir_tosa"];

/// Fewer programs than this means a corpus went missing.
const MIN_PROGRAMS: usize = 160;

/// The `input_K.npy` (or `expected_K.npy`) files of a program folder, in order.
fn numbered_npys(dir: &Path, prefix: &str) -> Vec<String> {
    (0..)
        .map(|k| dir.join(format!("{prefix}_{k}.npy")))
        .take_while(|p| p.is_file())
        .map(|p| p.display().to_string())
        .collect()
}

/// Every TOSA and StableHLO test program under IREE: converted by the binary
/// under test (the dialect detected from the text, as a user runs it),
/// compiled and run by IREE, compared with the program's expected outputs
/// (JAX's or PyTorch's) within 1e-4 + 1e-4·|expected|, as the fixtures are.
/// tests/tosa/*.mlir have no stored outputs: their inputs are the TOSA
/// test's seeded ones (seed 1) and the expected outputs MLIR's upstream
/// tosa-to-linalg lowering of the same program, run on our JIT. Outcomes
/// against tests/iree/expectations-programs.txt.
#[test]
fn iree_runs_our_tosa_and_stablehlo_programs() {
    let python = iree_python();
    let tests = root().join("tests");
    let scratch = crate::common::scratch("iree", "programs");
    let mut list = String::new();
    let mut lines = Vec::new();
    let mut count = 0;
    for folder in PROGRAM_FOLDERS {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(tests.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("program.mlir").is_file() && !p.join("expect_error.txt").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let label = format!("{folder}/{}", dir.file_name().unwrap().to_string_lossy());
            let (ins, outs) = (
                numbered_npys(&dir, "input"),
                numbered_npys(&dir, "expected"),
            );
            count += 1;
            if outs.is_empty() {
                lines.push(format!("{label}: fail: no expected_0.npy"));
                continue;
            }
            list.push_str(&format!(
                "{label}\t{}\t{}\t{}\n",
                dir.join("program.mlir").display(),
                ins.join(";"),
                outs.join(";")
            ));
        }
    }
    let mut tosa: Vec<PathBuf> = std::fs::read_dir(tests.join("tosa"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mlir"))
        .collect();
    tosa.sort();
    for file in tosa {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let label = format!("tosa/{stem}");
        count += 1;
        let (inputs, expected) = match crate::tosa::upstream_case(&file, 1) {
            Ok(case) => case,
            Err(e) => {
                lines.push(format!("{label}: fail: the upstream oracle: {e}"));
                continue;
            }
        };
        let write = |what: &str, tensors: &[onnx2linalg::Tensor]| -> Vec<String> {
            tensors
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let npy = scratch.join(format!("{stem}_{what}_{k}.npy"));
                    std::fs::write(&npy, onnx2linalg::npy::write(t)).unwrap();
                    npy.display().to_string()
                })
                .collect()
        };
        list.push_str(&format!(
            "{label}\t{}\t{}\t{}\n",
            file.display(),
            write("input", &inputs).join(";"),
            write("expected", &expected).join(";")
        ));
    }
    assert!(
        count >= MIN_PROGRAMS,
        "found {count} TOSA and StableHLO programs under tests/: a corpus is missing"
    );

    let list_file = scratch.join("cases.tsv");
    std::fs::write(&list_file, list).unwrap();
    let started = Instant::now();
    // Reasons may name the program's file; relative to tests/ they read the
    // same on any machine.
    let stderr = run_case_list(
        &python,
        &list_file,
        &["--atol", "1e-4", "--rtol", "1e-4", "--jobs", "2"],
        &tests,
        &mut lines,
    );
    let passed = lines.iter().filter(|l| l.ends_with(": pass")).count();
    println!(
        "iree: TOSA and StableHLO programs: {passed} of {} pass under IREE, {:.1}s",
        lines.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        lines.len(),
        count,
        "iree-check.py reported {} of {count} programs:\n{}",
        lines.len(),
        stderr
    );
    let mut render = lines.join("\n");
    render.push('\n');
    check_expectations(
        &root().join("tests/iree/expectations-programs.txt"),
        &render,
    );
}
