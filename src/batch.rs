//! Batch conversion of a model zoo: collect models from a folder or a list
//! file, shard them, convert them in parallel (one MLIR context per model,
//! inside its worker), skip those whose output is up to date, and describe
//! every model in a [`Report`]. The caller writes files (through the
//! `write` function it passes) and shows progress (through [`Progress`]).
//! The JSON form of [`Report`] is documented in `docs/batch.md`.
use crate::{ConvertOptions, Emit, Error, ErrorKind, LinalgForm, Result, Weights};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::time::{Instant, UNIX_EPOCH};

/// The version recorded in stamps and reports; a different version converts again.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One model to convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Where to read it.
    pub input: PathBuf,
    /// Its path relative to the batch root (a folder) or as the list gives it,
    /// made relative: the output goes to `OUTDIR/<rel with .mlir/.mlirbc>`.
    pub rel: PathBuf,
}

/// Every `*.onnx` below `dir` (recursively; symlinked folders are not
/// followed), or every path of a list file (one per line, `#` comments,
/// relative paths taken from the list file's folder), sorted by `rel`.
pub fn collect(source: &Path) -> Result<Vec<Job>> {
    let meta = std::fs::metadata(source)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", source.display())))?;
    let mut jobs = if meta.is_dir() {
        let mut out = Vec::new();
        walk(source, source, &mut out)?;
        out
    } else {
        from_list(source)?
    };
    jobs.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut seen = BTreeSet::new();
    for j in &jobs {
        if !seen.insert(&j.rel) {
            return Err(Error::invalid(format!(
                "two models map to the same output path {} (expected distinct relative paths)",
                j.rel.display()
            )));
        }
    }
    Ok(jobs)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Job>) -> Result<()> {
    let io = |e: std::io::Error| Error::io(format!("cannot list {}: {e}", dir.display()));
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let meta = std::fs::symlink_metadata(&path).map_err(io)?;
        if meta.is_dir() {
            walk(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "onnx") && path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            out.push(Job { input: path, rel });
        }
    }
    Ok(())
}

/// `p` without root, prefix, `.` and `..` components.
fn made_relative(p: &Path) -> PathBuf {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn from_list(list: &Path) -> Result<Vec<Job>> {
    let text = std::fs::read_to_string(list)
        .map_err(|e| Error::io(format!("cannot read list {}: {e}", list.display())))?;
    let base = list.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let given = Path::new(line);
        let rel = made_relative(given);
        if rel.as_os_str().is_empty() {
            return Err(Error::invalid(format!(
                "{}:{}: expected a model path, found \"{line}\"",
                list.display(),
                n + 1
            )));
        }
        out.push(Job {
            input: base.join(given),
            rel,
        });
    }
    Ok(out)
}

/// Parses `K/N` (1-based `K`, `1 <= K <= N`).
pub fn parse_shard(s: &str) -> std::result::Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N, got \"{s}\""))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("bad shard index \"{k}\" in \"{s}\""))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("bad shard count \"{n}\" in \"{s}\""))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!(
            "expected 1 <= K <= N in K/N, got \"{s}\" (K is 1-based)"
        ));
    }
    Ok((k, n))
}

/// Shard `k` of `n` (1-based): the models at sorted positions `k-1`, `k-1+n`, ...
pub fn shard(jobs: Vec<Job>, k: usize, n: usize) -> Vec<Job> {
    jobs.into_iter()
        .enumerate()
        .filter(|(i, _)| n > 0 && i % n == k.wrapping_sub(1))
        .map(|(_, j)| j)
        .collect()
}

/// One line of a `--shapes` file: the models whose relative path matches
/// `glob` get these pins (see `docs/batch.md` for the format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinRule {
    /// `*` and `?` match within one path component, `**` across them.
    pub glob: String,
    /// `NAME=DxD...` pins of whole inputs.
    pub input_shapes: Vec<(String, Vec<u64>)>,
    /// `dim:NAME=N` pins of named dims.
    pub dims: Vec<(String, u64)>,
    /// `FILE:LINE`, for the report.
    pub source: String,
}

impl PinRule {
    /// The rule as a line of the shapes file (without its source): what the
    /// stamps hash, so editing one line converts again only the models it pins.
    fn canonical(&self) -> String {
        let mut out = self.glob.clone();
        for (n, d) in &self.input_shapes {
            let d: Vec<String> = d.iter().map(u64::to_string).collect();
            out.push_str(&format!(" {n}={}", d.join("x")));
        }
        for (n, v) in &self.dims {
            out.push_str(&format!(" dim:{n}={v}"));
        }
        out
    }
}

/// Reads a `--shapes` file (see [`parse_shapes`]).
pub fn read_shapes(path: &Path) -> Result<Vec<PinRule>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read shapes file {}: {e}", path.display())))?;
    parse_shapes(&text, &path.display().to_string())
}

/// Parses the lines of a shapes file called `name` in errors: `GLOB PIN...`,
/// each pin `INPUT=DxD...` or `dim:NAME=N` (N >= 1), separated by blanks;
/// blank lines and lines starting with `#` are ignored.
pub fn parse_shapes(text: &str, name: &str) -> Result<Vec<PinRule>> {
    let mut rules = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let bad = |msg: String| Error::invalid(format!("{at}: {msg}"));
        let mut words = line.split_whitespace();
        let Some(glob) = words.next() else { continue };
        if glob.contains('=') {
            return Err(bad(format!(
                "expected a model path glob first, found \"{glob}\" (lines are GLOB INPUT=DxD... dim:NAME=N...)"
            )));
        }
        let mut rule = PinRule {
            glob: glob.to_string(),
            input_shapes: Vec::new(),
            dims: Vec::new(),
            source: at.clone(),
        };
        for word in words {
            if let Some(pin) = word.strip_prefix("dim:") {
                let Some((d, v)) = pin.split_once('=').filter(|(d, _)| !d.is_empty()) else {
                    return Err(bad(format!("expected dim:NAME=N, found \"{word}\"")));
                };
                let v = match v.parse::<u64>() {
                    Ok(v) if v >= 1 => v,
                    _ => {
                        return Err(bad(format!(
                            "bad size \"{v}\" in \"{word}\" (expected an integer >= 1)"
                        )));
                    }
                };
                if rule.dims.iter().any(|(m, _)| m == d) {
                    return Err(bad(format!("dim \"{d}\" is pinned twice")));
                }
                rule.dims.push((d.to_string(), v));
            } else {
                let Some((input, dims)) = word.split_once('=').filter(|(i, _)| !i.is_empty())
                else {
                    return Err(bad(format!(
                        "expected INPUT=DxD... or dim:NAME=N, found \"{word}\""
                    )));
                };
                let dims = dims
                    .split('x')
                    .map(|d| d.parse::<u64>())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|_| {
                        bad(format!(
                            "bad shape \"{dims}\" in \"{word}\" (expected DxDx...)"
                        ))
                    })?;
                if rule.input_shapes.iter().any(|(m, _)| m == input) {
                    return Err(bad(format!("input \"{input}\" is pinned twice")));
                }
                rule.input_shapes.push((input.to_string(), dims));
            }
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// A relative path with `/` between components, whatever the platform.
fn rel_string(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` matches `glob`: `*` is any run of characters but `/`, `?`
/// one character but `/`, `**` any run including `/` (`**/` also none).
pub fn glob_match(glob: &str, path: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p {
            [] => s.is_empty(),
            ['*', '*', '/', rest @ ..] => {
                go(rest, s) || (0..s.len()).any(|i| s[i] == '/' && go(rest, &s[i + 1..]))
            }
            ['*', '*', rest @ ..] => (0..=s.len()).any(|i| go(rest, &s[i..])),
            ['*', rest @ ..] => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| go(rest, &s[i..])),
            ['?', rest @ ..] => s.first().is_some_and(|&c| c != '/') && go(rest, &s[1..]),
            [c, rest @ ..] => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    let p: Vec<char> = glob.chars().collect();
    let s: Vec<char> = path.chars().collect();
    go(&p, &s)
}

/// Everything that shapes a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub convert: ConvertOptions,
    pub out_dir: PathBuf,
    /// Worker threads; 0: one per core.
    pub jobs: usize,
    /// `(K, N)`, 1-based, when this run is one shard of several.
    pub shard: Option<(usize, usize)>,
    /// Convert even the models whose output is up to date.
    pub force: bool,
    /// Per-model pins (a `--shapes` file): the first rule whose glob matches
    /// a model's relative path adds its pins to `convert.import`'s.
    pub pins: Vec<PinRule>,
    /// Check every converted model that has ONNX test data (see [`BatchCheck`]).
    pub check: Option<BatchCheck>,
}

/// `batch --check`: after converting a model, run it through the JIT on the
/// test data of its folder (`test_data_set_*/input_N.pb`, `output_N.pb`) as
/// `onnx2linalg check` does, when the model is the folder's `model.onnx` or
/// its only `*.onnx` file.
#[derive(Debug, Clone, Default)]
pub struct BatchCheck {
    /// Pipeline and object cache.
    pub runner: crate::RunnerOptions,
    /// See [`crate::check::CheckOptions::bind_runtime_operands`].
    pub bind_runtime_operands: bool,
    /// See [`crate::check::CheckOptions::f16_ulps`].
    pub f16_ulps: Option<u32>,
}

impl BatchCheck {
    /// How the report names these options: `fast`, `fast, no cache`, `reference`.
    fn summary(&self) -> String {
        let mut out = self.runner.pipeline.name().to_string();
        if self.runner.pipeline == crate::JitPipeline::Fast && self.runner.cache_dir.is_none() {
            out.push_str(", no cache");
        }
        if self.bind_runtime_operands {
            out.push_str(", bind run-time operands");
        }
        if let Some(n) = self.f16_ulps {
            out.push_str(&format!(", {n} f16 ulps"));
        }
        out
    }
}

impl BatchOptions {
    /// The output extension.
    pub fn extension(&self) -> &'static str {
        match self.convert.lower.emit {
            Emit::Text => "mlir",
            Emit::Bytecode => "mlirbc",
        }
    }
    /// Where the MLIR of `job` goes.
    pub fn output_path(&self, job: &Job) -> PathBuf {
        self.out_dir.join(job.rel.with_extension(self.extension()))
    }
    /// The report file name without extension: `report` or `report.shard-K-of-N`.
    pub fn report_stem(&self) -> String {
        match self.shard {
            Some((k, n)) => format!("report.shard-{k}-of-{n}"),
            None => "report".to_string(),
        }
    }
    /// The rule of `pins` that applies to `job`: the first whose glob matches its relative path.
    pub fn pin_rule(&self, job: &Job) -> Option<&PinRule> {
        let rel = rel_string(&job.rel);
        self.pins.iter().find(|r| glob_match(&r.glob, &rel))
    }
    /// The conversion options for `job`: the batch's, with its pin rule's
    /// pins added (they win over the batch's for the same input or dim name).
    pub fn convert_options(&self, job: &Job) -> ConvertOptions {
        let mut convert = self.convert.clone();
        if let Some(rule) = self.pin_rule(job) {
            let import = &mut convert.import;
            import
                .input_shapes
                .retain(|(n, _)| !rule.input_shapes.iter().any(|(m, _)| m == n));
            import
                .input_shapes
                .extend(rule.input_shapes.iter().cloned());
            import
                .dims
                .retain(|(n, _)| !rule.dims.iter().any(|(m, _)| m == n));
            import.dims.extend(rule.dims.iter().cloned());
        }
        convert
    }
    fn summary(&self) -> OptionsSummary {
        let lower = &self.convert.lower;
        let form = [
            (lower.linalg == LinalgForm::Generic).then_some("generic"),
            lower.bufferize.then_some("bufferized"),
        ];
        OptionsSummary {
            form: form.into_iter().flatten().collect::<Vec<_>>().join("+"),
            emit: match self.convert.lower.emit {
                Emit::Text => "text",
                Emit::Bytecode => "bytecode",
            }
            .to_string(),
            weights: match self.convert.lower.weights {
                Weights::Resource => "resource",
                Weights::Inline => "inline",
                Weights::Elide => "elide",
            }
            .to_string(),
            input_shapes: self
                .convert
                .import
                .input_shapes
                .iter()
                .map(|(n, d)| {
                    let dims: Vec<String> = d.iter().map(|x| x.to_string()).collect();
                    format!("{n}={}", dims.join("x"))
                })
                .collect(),
            dims: self
                .convert
                .import
                .dims
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect(),
            limits: {
                let l = self.convert.import.limits;
                format!(
                    "fold {} B, alloc {} B, depth {}, unrolled steps {}",
                    l.max_fold_bytes, l.max_alloc_bytes, l.max_depth, l.max_unrolled_steps
                )
            },
            check: self.check.as_ref().map(BatchCheck::summary),
        }
    }
}

/// The conversion options as the report and the stamps record them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsSummary {
    pub emit: String,
    pub weights: String,
    pub input_shapes: Vec<String>,
    /// `["NAME=N", ...]`: the `--dim` pins (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dims: Vec<String>,
    /// The caps (they decide what is folded, so outputs depend on them).
    pub limits: String,
    /// `--linalg generic` and `--bufferize` as "generic", "bufferized" or
    /// "generic+bufferized" (absent for the default form).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub form: String,
    /// `batch --check`'s pipeline and cache ("fast", "fast, no cache",
    /// "reference"); absent without `--check`. Not part of the stamps' hash:
    /// checking does not change the outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// One op type of a model (see `o2l_onnx::model_ops`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpCount {
    pub domain: String,
    pub op_type: String,
    pub version: i64,
    pub count: usize,
}

/// `ok`, `failed` or `skipped-up-to-date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "failed")]
    Failed,
    #[serde(rename = "skipped-up-to-date")]
    UpToDate,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::UpToDate => "skipped-up-to-date",
        }
    }
}

/// What happened to one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// The model's path relative to the batch root (or as the list gives it).
    pub path: String,
    /// The output path relative to OUTDIR; null when it failed.
    pub output: Option<String>,
    pub status: Status,
    /// `unsupported`, `invalid model`, `limit`, `verification`, `i/o`, `internal`.
    pub error_kind: Option<String>,
    /// The error on one line.
    pub error: Option<String>,
    /// Op types used, with schema version and node count, sorted.
    pub ops: Vec<OpCount>,
    /// The subset of `ops` that no frontend rule implements.
    pub unsupported_ops: Vec<OpCount>,
    /// Conversion time in milliseconds (for a skipped model: of the run that converted it).
    pub wall_ms: f64,
    pub input_bytes: u64,
    /// Null when it failed.
    pub output_bytes: Option<u64>,
    /// `FILE:LINE` of the `--shapes` rule that pinned this model (absent when none did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pins: Option<String>,
    /// The symbolic input dims that stayed dynamic after all pins, in input
    /// order; empty when every input is static (or the inputs cannot be read).
    pub dynamic_dims: Vec<DynamicDim>,
    /// `batch --check`'s outcome (absent without `--check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
}

/// What `batch --check` found for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckResult {
    /// Every output of every data set matched.
    #[serde(rename = "pass")]
    Pass,
    /// An output did not match.
    #[serde(rename = "mismatch")]
    Mismatch,
    /// The check could not run to the end (import, compile, run, test files).
    #[serde(rename = "error")]
    Error,
    /// The model's folder holds no test data for it: converted only.
    #[serde(rename = "no-test-data")]
    NoTestData,
    /// The conversion failed: nothing checked.
    #[serde(rename = "not-run")]
    NotRun,
}

impl CheckResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckResult::Pass => "pass",
            CheckResult::Mismatch => "mismatch",
            CheckResult::Error => "error",
            CheckResult::NoTestData => "no-test-data",
            CheckResult::NotRun => "not-run",
        }
    }
    /// A mismatch or an error: the batch fails.
    pub fn failed(self) -> bool {
        matches!(self, CheckResult::Mismatch | CheckResult::Error)
    }
}

/// One model's check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub result: CheckResult,
    /// For an error, its kind (as `error_kind`).
    pub error_kind: Option<String>,
    /// The first mismatch (`SET: output "NAME" (#K): why`) or the error, on one line.
    pub reason: Option<String>,
    /// Data sets run.
    pub data_sets: usize,
    /// Check time in milliseconds: import, compile (or cache load), runs, comparisons.
    pub ms: f64,
    /// Times the model was compiled (one, or one per data set when inputs were bound).
    pub compiles: usize,
    /// How many of those loaded the compiled object from the cache.
    pub cache_hits: usize,
}

impl CheckReport {
    /// Whether the compiled objects came from the cache: `yes`, `no`, `K of
    /// N` (several compiles), empty when nothing was compiled.
    pub fn cache_summary(&self) -> String {
        match (self.compiles, self.cache_hits) {
            (0, _) => String::new(),
            (n, h) if h == n => "yes".to_string(),
            (_, 0) => "no".to_string(),
            (n, h) => format!("{h} of {n}"),
        }
    }

    fn without_run(result: CheckResult, reason: &str) -> CheckReport {
        CheckReport {
            result,
            error_kind: None,
            reason: Some(reason.to_string()),
            data_sets: 0,
            ms: 0.0,
            compiles: 0,
            cache_hits: 0,
        }
    }
}

/// A runtime input dim that no pin fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicDim {
    pub input: String,
    /// The dim's position in the input's shape.
    pub index: usize,
    /// Its ONNX `dim_param`: what `--dim` or `dim:NAME=N` pins; null when the
    /// model leaves it unnamed (pin it with `NAME=DxD...` of the whole input).
    pub name: Option<String>,
}

/// The symbolic dims of `job`'s runtime inputs left after `convert`'s pins.
fn dynamic_dims(job: &Job, convert: &ConvertOptions) -> Vec<DynamicDim> {
    let Ok(inputs) = o2l_onnx::pinned_inputs(&job.input, &convert.import) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (input, ty) in &inputs {
        for (index, d) in ty.shape.iter().enumerate() {
            if matches!(d, crate::Dim::Symbol(_)) {
                out.push(DynamicDim {
                    input: input.clone(),
                    index,
                    name: o2l_onnx::dim_param(input, index, d).map(str::to_string),
                });
            }
        }
    }
    out
}

/// Totals over the models of one report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub models: usize,
    pub ok: usize,
    pub failed: usize,
    pub skipped_up_to_date: usize,
    pub input_bytes: u64,
    pub output_bytes: u64,
    /// Sum of the models' `wall_ms`.
    pub model_wall_ms: f64,
    /// Elapsed time of this run.
    pub elapsed_ms: f64,
    /// `batch --check`'s counts (absent without `--check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<CheckTotals>,
}

/// The checks of one report, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckTotals {
    pub pass: usize,
    pub mismatch: usize,
    pub error: usize,
    pub no_test_data: usize,
    pub not_run: usize,
    /// Compiles over all checks, and how many loaded their object from the cache.
    pub compiles: usize,
    pub cache_hits: usize,
    /// Sum of the checks' `ms`.
    pub check_ms: f64,
}

impl CheckTotals {
    pub fn failed(&self) -> usize {
        self.mismatch + self.error
    }
    /// `N pass, N mismatch, N error, N no test data[, N not run]; H of C
    /// compiled objects from the cache; MS ms in checks`.
    pub fn summary(&self) -> String {
        let not_run = if self.not_run > 0 {
            format!(", {} not run", self.not_run)
        } else {
            String::new()
        };
        format!(
            "{} pass, {} mismatch, {} error, {} no test data{not_run}; {} of {} compiled objects from the cache; {:.0} ms in checks",
            self.pass,
            self.mismatch,
            self.error,
            self.no_test_data,
            self.cache_hits,
            self.compiles,
            self.check_ms
        )
    }
}

impl Totals {
    /// The totals of `models`, with `elapsed_ms` as the run's elapsed time.
    fn of(models: &[ModelReport], elapsed_ms: f64) -> Totals {
        let mut totals = Totals {
            models: models.len(),
            elapsed_ms,
            ..Totals::default()
        };
        for m in models {
            match m.status {
                Status::Ok => totals.ok += 1,
                Status::Failed => totals.failed += 1,
                Status::UpToDate => totals.skipped_up_to_date += 1,
            }
            totals.input_bytes += m.input_bytes;
            totals.output_bytes += m.output_bytes.unwrap_or(0);
            totals.model_wall_ms += m.wall_ms;
            if let Some(c) = &m.check {
                let t = totals.checks.get_or_insert_with(CheckTotals::default);
                match c.result {
                    CheckResult::Pass => t.pass += 1,
                    CheckResult::Mismatch => t.mismatch += 1,
                    CheckResult::Error => t.error += 1,
                    CheckResult::NoTestData => t.no_test_data += 1,
                    CheckResult::NotRun => t.not_run += 1,
                }
                t.compiles += c.compiles;
                t.cache_hits += c.cache_hits;
                t.check_ms += c.ms;
            }
        }
        totals
    }
}

/// The shard a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

/// The whole batch, models in sorted input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: String,
    pub tool_version: String,
    pub options: OptionsSummary,
    pub shard: Option<ShardInfo>,
    pub jobs: usize,
    pub models: Vec<ModelReport>,
    pub totals: Totals,
}

impl Report {
    /// A conversion failed, or (`--check`) a check.
    pub fn any_failed(&self) -> bool {
        self.totals.failed > 0 || self.totals.checks.as_ref().is_some_and(|c| c.failed() > 0)
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| Error::internal(format!("cannot serialize the batch report: {e}")))
    }

    pub fn to_markdown(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let shard = match self.shard {
            Some(s) => format!(", shard {} of {}", s.index, s.count),
            None => String::new(),
        };
        let _ = writeln!(out, "# onnx2linalg batch report\n");
        let _ = writeln!(
            out,
            "onnx2linalg {}, emit {}, weights {}, {} jobs{shard}.\n",
            self.tool_version, self.options.emit, self.options.weights, self.jobs
        );
        let t = &self.totals;
        let _ = writeln!(
            out,
            "{} models: {} ok, {} failed, {} up to date; {} input bytes, {} output bytes; \
             {:.0} ms in conversions, {:.0} ms elapsed.\n",
            t.models,
            t.ok,
            t.failed,
            t.skipped_up_to_date,
            t.input_bytes,
            t.output_bytes,
            t.model_wall_ms,
            t.elapsed_ms
        );
        if let Some(c) = &t.checks {
            let _ = writeln!(
                out,
                "Checks ({}): {}.\n",
                self.options.check.as_deref().unwrap_or(""),
                c.summary()
            );
        }
        let _ = writeln!(
            out,
            "| model | status | error kind | message | ops | unsupported ops | ms | input bytes | output bytes |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---:|---:|---:|");
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let ops = |v: &[OpCount], counts: bool| {
            v.iter()
                .map(|o| {
                    let d = if o.domain == "ai.onnx" {
                        String::new()
                    } else {
                        format!("{}:", o.domain)
                    };
                    if counts {
                        format!("{d}{} x{}", o.op_type, o.count)
                    } else {
                        format!("{d}{}-{}", o.op_type, o.version)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        for m in &self.models {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {:.0} | {} | {} |",
                cell(&m.path),
                m.status.as_str(),
                m.error_kind.as_deref().unwrap_or(""),
                cell(m.error.as_deref().unwrap_or("")),
                cell(&ops(&m.ops, true)),
                cell(&ops(&m.unsupported_ops, false)),
                m.wall_ms,
                m.input_bytes,
                m.output_bytes.map(|b| b.to_string()).unwrap_or_default()
            );
        }
        if self.models.iter().any(|m| m.check.is_some()) {
            let _ = writeln!(
                out,
                "\n## Checks\n\nEach model run on its folder's test data (`test_data_set_*`) as `onnx2linalg check` does.\n"
            );
            let _ = writeln!(
                out,
                "| model | check | error kind | first reason | data sets | ms | object from the cache |"
            );
            let _ = writeln!(out, "|---|---|---|---|---:|---:|---|");
            for m in &self.models {
                let Some(c) = &m.check else { continue };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {:.0} | {} |",
                    cell(&m.path),
                    c.result.as_str(),
                    c.error_kind.as_deref().unwrap_or(""),
                    cell(c.reason.as_deref().unwrap_or("")),
                    c.data_sets,
                    c.ms,
                    c.cache_summary()
                );
            }
        }
        if self.models.iter().any(|m| !m.dynamic_dims.is_empty()) {
            let _ = writeln!(
                out,
                "\n## Dynamic dims\n\nInput dims no pin fixed (`--dim NAME=N` pins a named one).\n"
            );
            let _ = writeln!(out, "| model | input | dim | name |");
            let _ = writeln!(out, "|---|---|---:|---|");
            for m in &self.models {
                for d in &m.dynamic_dims {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} |",
                        cell(&m.path),
                        cell(&d.input),
                        d.index,
                        cell(d.name.as_deref().unwrap_or("(unnamed)"))
                    );
                }
            }
        }
        out
    }
}

/// `report.shard-K-of-N.json`: `(K, N)`, or `None` for any other file name.
fn shard_report_name(name: &str) -> Option<(usize, usize)> {
    let kn = name.strip_prefix("report.shard-")?.strip_suffix(".json")?;
    let (k, n) = kn.split_once("-of-")?;
    let k: usize = k.parse().ok()?;
    let n: usize = n.parse().ok()?;
    (k >= 1 && k <= n).then_some((k, n))
}

/// Reads every `report.shard-K-of-N.json` of `dir` (what `--shard` runs
/// sharing one OUTDIR wrote), sorted by K, each with its file name.
pub fn read_shard_reports(dir: &Path) -> Result<Vec<(String, Report)>> {
    let io = |e: std::io::Error| Error::io(format!("cannot list {}: {e}", dir.display()));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(kn) = shard_report_name(&name) else {
            continue;
        };
        let path = entry.path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
        let report: Report = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(format!("{}: not a batch report ({e})", path.display())))?;
        if report.shard.map(|s| (s.index, s.count)) != Some(kn) {
            return Err(Error::invalid(format!(
                "{}: the report inside is not shard {} of {} (its shard is {})",
                path.display(),
                kn.0,
                kn.1,
                report
                    .shard
                    .map(|s| format!("{} of {}", s.index, s.count))
                    .unwrap_or_else(|| "null".to_string())
            )));
        }
        found.push((kn, name, report));
    }
    found.sort_by_key(|(kn, _, _)| *kn);
    Ok(found.into_iter().map(|(_, n, r)| (n, r)).collect())
}

/// Merges the reports of shards 1..N of one batch into the report one
/// unsharded run gives: models sorted by path, totals recounted, `shard`
/// null, `jobs` the sum of the shards' and `elapsed_ms` the longest shard's
/// (they ran side by side). Refused, naming the files: no reports, shards of
/// different counts, tool versions or options, a shard missing or given
/// twice, a model in two shards.
pub fn merge_reports(shards: &[(String, Report)]) -> Result<Report> {
    let Some((first_name, first)) = shards.first() else {
        return Err(Error::invalid(
            "no shard reports (report.shard-K-of-N.json) to merge".to_string(),
        ));
    };
    let Some(count) = first.shard.map(|s| s.count) else {
        return Err(Error::invalid(format!(
            "{first_name}: not a shard report (its shard is null)"
        )));
    };
    let mut seen = vec![None::<&str>; count];
    for (name, r) in shards {
        let Some(s) = r
            .shard
            .filter(|s| s.count == count && s.index >= 1 && s.index <= count)
        else {
            return Err(Error::invalid(format!(
                "{name} and {first_name} are shards of different runs (shard {} vs {count} shards): remove the stale reports",
                r.shard
                    .map(|s| format!("{} of {}", s.index, s.count))
                    .unwrap_or_else(|| "null".to_string())
            )));
        };
        if let Some(other) = seen[s.index - 1].replace(name) {
            return Err(Error::invalid(format!(
                "{other} and {name} are both shard {} of {count}",
                s.index
            )));
        }
        if r.tool_version != first.tool_version {
            return Err(Error::invalid(format!(
                "{name} was written by onnx2linalg {}, {first_name} by {}",
                r.tool_version, first.tool_version
            )));
        }
        if r.options != first.options {
            return Err(Error::invalid(format!(
                "{name} and {first_name} were converted with different options ({:?} vs {:?})",
                r.options, first.options
            )));
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "shard reports missing for K = {} of {count} (report.shard-K-of-{count}.json)",
            missing.join(", ")
        )));
    }
    let mut models: Vec<ModelReport> = Vec::new();
    let mut owner = std::collections::BTreeMap::new();
    for (name, r) in shards {
        for m in &r.models {
            if let Some(other) = owner.insert(m.path.clone(), name.as_str()) {
                return Err(Error::invalid(format!(
                    "model {} is in two shards ({other} and {name})",
                    m.path
                )));
            }
            models.push(m.clone());
        }
    }
    // The order of an unsharded run: relative paths compared by component.
    models.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
    let elapsed = shards
        .iter()
        .map(|(_, r)| r.totals.elapsed_ms)
        .fold(0.0, f64::max);
    Ok(Report {
        tool: first.tool.clone(),
        tool_version: first.tool_version.clone(),
        options: first.options.clone(),
        shard: None,
        jobs: shards.iter().map(|(_, r)| r.jobs).sum(),
        totals: Totals::of(&models, elapsed),
        models,
    })
}

/// Called from the worker threads as models start and finish.
pub trait Progress: Sync {
    fn started(&self, _index: usize, _job: &Job) {}
    fn finished(&self, _index: usize, _report: &ModelReport) {}
}

/// Progress that shows nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What `OUTPUT.stamp` records next to each converted output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stamp {
    tool_version: String,
    options_hash: String,
    input_bytes: u64,
    input_mtime_ns: u64,
    output_bytes: u64,
    result: ModelReport,
}

/// FNV-1a, 64 bits: a stable hash of the options (std's hasher is not stable).
fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn stamp_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".stamp");
    PathBuf::from(s)
}

fn input_identity(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((
        meta.len(),
        u64::try_from(mtime.as_nanos()).unwrap_or(u64::MAX),
    ))
}

/// The previous result when `output` is up to date for this input, options and version.
fn up_to_date(job: &Job, output: &Path, options_hash: &str) -> Option<ModelReport> {
    let text = std::fs::read_to_string(stamp_path(output)).ok()?;
    let stamp: Stamp = serde_json::from_str(&text).ok()?;
    let (input_bytes, input_mtime_ns) = input_identity(&job.input)?;
    let output_bytes = std::fs::metadata(output).ok()?.len();
    (stamp.tool_version == TOOL_VERSION
        && stamp.options_hash == options_hash
        && stamp.input_bytes == input_bytes
        && stamp.input_mtime_ns == input_mtime_ns
        && stamp.output_bytes == output_bytes
        && stamp.result.status == Status::Ok)
        .then_some(stamp.result)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

fn convert_one(job: &Job, options: &BatchOptions, options_hash: &str) -> ModelReport {
    let rule = options.pin_rule(job);
    // A pinned model's stamp also records its pins.
    let options_hash = match rule {
        Some(r) => fnv1a(format!("{options_hash}\n{}", r.canonical()).as_bytes()),
        None => options_hash.to_string(),
    };
    let options_hash = options_hash.as_str();
    let convert = options.convert_options(job);
    let output = options.output_path(job);
    let rel_out = job.rel.with_extension(options.extension());
    if !options.force
        && let Some(mut prev) = up_to_date(job, &output, options_hash)
    {
        prev.status = Status::UpToDate;
        prev.path = job.rel.display().to_string();
        prev.pins = rule.map(|r| r.source.clone());
        return prev;
    }
    let start = Instant::now();
    let identity = input_identity(&job.input);
    let input_bytes = identity.map(|(b, _)| b).unwrap_or(0);
    let (ops, unsupported_ops) = match o2l_onnx::model_ops(&job.input) {
        Ok(v) => {
            let all: Vec<(OpCount, bool)> = v
                .into_iter()
                .map(|o| {
                    let c = OpCount {
                        domain: o.domain,
                        op_type: o.op_type,
                        version: o.version,
                        count: o.count,
                    };
                    (c, o.supported)
                })
                .collect();
            let uns = all
                .iter()
                .filter(|(_, s)| !s)
                .map(|(c, _)| c.clone())
                .collect();
            (all.into_iter().map(|(c, _)| c).collect(), uns)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Some(dir) = output.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        }
        crate::output::convert_to_file(&job.input, &convert, &output)
    }))
    .unwrap_or_else(|payload| {
        Err(Error::internal(format!(
            "the conversion panicked: {}",
            panic_message(payload.as_ref())
        ))
        .in_file(job.input.display().to_string()))
    });
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let mut report = ModelReport {
        path: job.rel.display().to_string(),
        output: None,
        status: Status::Failed,
        error_kind: None,
        error: None,
        ops,
        unsupported_ops,
        wall_ms,
        input_bytes,
        output_bytes: None,
        pins: rule.map(|r| r.source.clone()),
        dynamic_dims: dynamic_dims(job, &convert),
        check: None,
    };
    match written {
        Ok(n) => {
            report.status = Status::Ok;
            report.output = Some(rel_out.display().to_string());
            report.output_bytes = Some(n);
            if let Some((input_bytes, input_mtime_ns)) = identity {
                let stamp = Stamp {
                    tool_version: TOOL_VERSION.to_string(),
                    options_hash: options_hash.to_string(),
                    input_bytes,
                    input_mtime_ns,
                    output_bytes: n,
                    result: report.clone(),
                };
                // A missing stamp only means the next run converts again.
                if let Ok(text) = serde_json::to_string_pretty(&stamp) {
                    let _ = crate::output::write_atomic(&stamp_path(&output), text.as_bytes());
                }
            }
        }
        Err(e) => {
            report.error_kind = Some(e.kind.as_str().to_string());
            report.error = Some(one_line(&e.to_string()));
            // No output for a failed model, not even a stale one from an earlier run.
            let _ = std::fs::remove_file(&output);
            let _ = std::fs::remove_file(stamp_path(&output));
        }
    }
    report
}

/// Why `job` is not checked though `--check` asks (None: it is checked):
/// its folder has no test data, or the data is another model's.
fn unchecked_reason(job: &Job) -> Option<&'static str> {
    let dir = model_dir(job);
    if !crate::check::has_test_data(dir) {
        return Some("no test_data_set_* with input_N.pb or output_N.pb next to the model");
    }
    if job.input.file_name().is_some_and(|n| n == "model.onnx") {
        return None;
    }
    let models = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "onnx"))
                .count()
        })
        .unwrap_or(0);
    (models != 1).then_some(
        "the folder's test data belongs to none of its models (not model.onnx, not the only *.onnx)",
    )
}

/// The folder of `job`'s model (`.` for a bare relative file name).
fn model_dir(job: &Job) -> &Path {
    match job.input.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `batch --check` of one converted model (see [`BatchCheck`]).
fn check_one(
    job: &Job,
    options: &BatchOptions,
    check: &BatchCheck,
    report: &ModelReport,
) -> CheckReport {
    if report.status == Status::Failed {
        return CheckReport::without_run(CheckResult::NotRun, "the conversion failed");
    }
    if let Some(why) = unchecked_reason(job) {
        return CheckReport::without_run(CheckResult::NoTestData, why);
    }
    let check_options = crate::check::CheckOptions {
        import: options.convert_options(job).import,
        bind_runtime_operands: check.bind_runtime_operands,
        f16_ulps: check.f16_ulps,
        // Models already compile side by side on the workers: a second
        // core would not be free for a model's second part.
        runner: crate::RunnerOptions {
            split: match options.jobs {
                1 => check.runner.split,
                _ => crate::JitSplit::Never,
            },
            ..check.runner.clone()
        },
    };
    let start = Instant::now();
    // Compiles are counted as they happen: an error after a compile still says
    // whether its object came from the cache.
    let mut compiles = 0usize;
    let mut cache_hits = 0usize;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::check::check_model(&job.input, model_dir(job), &check_options, &mut |event| {
            if let crate::check::CheckEvent::Compiled(t) = event {
                compiles += 1;
                cache_hits += usize::from(t.cache_hit);
            }
        })
    }))
    .unwrap_or_else(|payload| {
        Err(Error::internal(format!(
            "the check panicked: {}",
            panic_message(payload.as_ref())
        ))
        .in_file(job.input.display().to_string()))
    });
    let ms = start.elapsed().as_secs_f64() * 1e3;
    match outcome {
        Ok(o) => CheckReport {
            result: if o.passed {
                CheckResult::Pass
            } else {
                CheckResult::Mismatch
            },
            error_kind: None,
            reason: o.first_mismatch.as_deref().map(one_line),
            data_sets: o.data_sets,
            ms,
            compiles: o.compiles,
            cache_hits: o.cache_hits,
        },
        Err(e) => CheckReport {
            result: CheckResult::Error,
            error_kind: Some(e.kind.as_str().to_string()),
            reason: Some(one_line(&crate::error_line(&e))),
            data_sets: 0,
            ms,
            compiles,
            cache_hits,
        },
    }
}

/// Converts every job (already sharded) on `options.jobs` threads. Never
/// fails because a model does: each model's outcome is in the report.
pub fn run(jobs: &[Job], options: &BatchOptions, progress: &dyn Progress) -> Result<Report> {
    let start = Instant::now();
    let summary = options.summary();
    // Checking does not change the outputs: the stamps ignore it.
    let hashed = OptionsSummary {
        check: None,
        ..summary.clone()
    };
    let options_hash = serde_json::to_string(&hashed)
        .map(|s| fnv1a(s.as_bytes()))
        .map_err(|e| Error::internal(format!("cannot serialize options: {e}")))?;
    let threads = if options.jobs == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        options.jobs
    };
    // Readers recurse into nested subgraphs, regions and attributes (each
    // capped by a depth limit); a worker gets the stack the main thread has.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(16 << 20)
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot start {threads} workers: {e}"),
            )
        })?;
    let models: Vec<ModelReport> = pool.install(|| {
        jobs.par_iter()
            .enumerate()
            .map(|(i, job)| {
                progress.started(i, job);
                let mut r = convert_one(job, options, &options_hash);
                if let Some(check) = &options.check {
                    r.check = Some(check_one(job, options, check, &r));
                }
                progress.finished(i, &r);
                r
            })
            .collect()
    });
    let totals = Totals::of(&models, start.elapsed().as_secs_f64() * 1e3);
    Ok(Report {
        tool: "onnx2linalg".to_string(),
        tool_version: TOOL_VERSION.to_string(),
        options: summary,
        shard: options
            .shard
            .map(|(index, count)| ShardInfo { index, count }),
        jobs: threads,
        models,
        totals,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn globs_match_within_and_across_components() {
        for (glob, path, want) in [
            ("*.onnx", "m.onnx", true),
            ("*.onnx", "a/m.onnx", false),
            ("a/*.onnx", "a/m.onnx", true),
            ("**/m.onnx", "m.onnx", true),
            ("**/m.onnx", "a/b/m.onnx", true),
            ("**/m.onnx", "a/bm.onnx", false),
            ("a/**", "a/b/c.onnx", true),
            ("a/**", "b/a/c.onnx", false),
            ("m?.onnx", "m1.onnx", true),
            ("m?.onnx", "m/.onnx", false),
            ("hf_*_op17.onnx", "hf_bert_op17.onnx", true),
        ] {
            assert_eq!(glob_match(glob, path), want, "{glob} vs {path}");
        }
    }

    #[test]
    fn shapes_lines_parse_into_rules() {
        let rules = parse_shapes(
            "# c\n\nhf/** input_ids=1x8 dim:batch=1 dim:seq=8\nvision/*.onnx\n",
            "s.txt",
        )
        .unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].source, "s.txt:3");
        assert_eq!(
            rules[0].input_shapes,
            vec![("input_ids".to_string(), vec![1, 8])]
        );
        assert_eq!(
            rules[0].dims,
            vec![("batch".to_string(), 1), ("seq".to_string(), 8)]
        );
        assert_eq!(
            rules[0].canonical(),
            "hf/** input_ids=1x8 dim:batch=1 dim:seq=8"
        );
        assert!(rules[1].input_shapes.is_empty() && rules[1].dims.is_empty());
        let e = parse_shapes("a\nb dim:n=0\n", "s.txt").unwrap_err();
        assert!(e.message.starts_with("s.txt:2: "), "{}", e.message);
    }

    fn model(path: &str, status: Status, bytes: u64, ms: f64) -> ModelReport {
        ModelReport {
            path: path.to_string(),
            output: (status != Status::Failed).then(|| path.replace(".onnx", ".mlir")),
            status,
            error_kind: (status == Status::Failed).then(|| "unsupported".to_string()),
            error: (status == Status::Failed).then(|| format!("{path}: no rule")),
            ops: Vec::new(),
            unsupported_ops: Vec::new(),
            wall_ms: ms,
            input_bytes: bytes,
            output_bytes: (status != Status::Failed).then_some(2 * bytes),
            pins: None,
            dynamic_dims: Vec::new(),
            check: None,
        }
    }

    fn shard_report(
        k: usize,
        n: usize,
        models: Vec<ModelReport>,
        elapsed: f64,
    ) -> (String, Report) {
        let totals = Totals::of(&models, elapsed);
        (
            format!("report.shard-{k}-of-{n}.json"),
            Report {
                tool: "onnx2linalg".to_string(),
                tool_version: TOOL_VERSION.to_string(),
                options: OptionsSummary {
                    emit: "text".to_string(),
                    weights: "resource".to_string(),
                    input_shapes: Vec::new(),
                    dims: Vec::new(),
                    limits: "default".to_string(),
                    form: String::new(),
                    check: None,
                },
                shard: Some(ShardInfo { index: k, count: n }),
                jobs: 2,
                models,
                totals,
            },
        )
    }

    #[test]
    fn shard_reports_merge_into_the_unsharded_report() {
        // Sorted paths a-b.onnx < a/b.onnx < c.onnx (by component), dealt to 2 shards.
        let shards = vec![
            shard_report(2, 2, vec![model("a/b.onnx", Status::Failed, 10, 1.5)], 40.0),
            shard_report(
                1,
                2,
                vec![
                    model("a-b.onnx", Status::Ok, 100, 3.0),
                    model("c.onnx", Status::UpToDate, 1000, 7.0),
                ],
                55.0,
            ),
        ];
        let merged = merge_reports(&shards).unwrap();
        let paths: Vec<&str> = merged.models.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, ["a/b.onnx", "a-b.onnx", "c.onnx"]);
        assert_eq!(merged.shard, None);
        assert_eq!(merged.jobs, 4);
        assert_eq!(
            merged.totals,
            Totals {
                models: 3,
                ok: 1,
                failed: 1,
                skipped_up_to_date: 1,
                input_bytes: 1110,
                output_bytes: 2200,
                model_wall_ms: 11.5,
                elapsed_ms: 55.0,
                checks: None,
            }
        );
        assert!(merged.any_failed());
        // The JSON form reads back to the same report.
        let back: Report = serde_json::from_str(&merged.to_json().unwrap()).unwrap();
        assert_eq!(back, merged);
    }

    #[test]
    fn shard_reports_that_do_not_make_one_run_are_refused() {
        let a = || model("a.onnx", Status::Ok, 1, 1.0);
        let b = || model("b.onnx", Status::Ok, 1, 1.0);
        let err = |shards: Vec<(String, Report)>| merge_reports(&shards).unwrap_err().message;
        assert_eq!(
            err(vec![
                shard_report(1, 3, vec![a()], 1.0),
                shard_report(3, 3, vec![b()], 1.0)
            ]),
            "shard reports missing for K = 2 of 3 (report.shard-K-of-3.json)"
        );
        assert_eq!(
            err(vec![
                shard_report(1, 2, vec![a()], 1.0),
                shard_report(1, 1, vec![b()], 1.0)
            ]),
            "report.shard-1-of-1.json and report.shard-1-of-2.json are shards of different runs \
             (shard 1 of 1 vs 2 shards): remove the stale reports"
        );
        assert_eq!(
            err(vec![
                shard_report(1, 2, vec![a()], 1.0),
                shard_report(2, 2, vec![a()], 1.0)
            ]),
            "model a.onnx is in two shards (report.shard-1-of-2.json and report.shard-2-of-2.json)"
        );
        let mut other = shard_report(2, 2, vec![b()], 1.0);
        other.1.options.emit = "bytecode".to_string();
        assert!(
            err(vec![shard_report(1, 2, vec![a()], 1.0), other])
                .starts_with("report.shard-2-of-2.json and report.shard-1-of-2.json were converted with different options")
        );
        assert_eq!(
            err(Vec::new()),
            "no shard reports (report.shard-K-of-N.json) to merge"
        );
        assert_eq!(shard_report_name("report.shard-3-of-8.json"), Some((3, 8)));
        assert_eq!(shard_report_name("report.shard-9-of-8.json"), None);
        assert_eq!(shard_report_name("report.json"), None);
    }
}
