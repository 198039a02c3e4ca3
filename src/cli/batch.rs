//! `onnx2linalg batch DIR_OR_LIST -o OUTDIR [-j N] [--shard K/N] [--force] ...`
//! and `onnx2linalg batch --merge-reports -o OUTDIR` (the shards' reports into one).
use super::convert::{EmitArg, WeightsArg, parse_dim, parse_input_shape};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use onnx2linalg::batch::{self, BatchOptions, Job, ModelReport, Progress, Status};
use onnx2linalg::output::write_atomic;
use onnx2linalg::{Error, Result};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Args)]
pub struct BatchArgs {
    /// A folder (searched recursively for *.onnx) or a text file of model paths, one per line.
    #[arg(required_unless_present = "merge_reports")]
    pub source: Option<PathBuf>,
    /// The output folder: OUTDIR/<relative path>.mlir, report.json, report.md.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Models converted at once (default: one per core).
    #[arg(short, long, default_value_t = 0)]
    pub jobs: usize,
    /// Convert only shard K of N (1-based K): the models at sorted positions K-1, K-1+N, ...
    #[arg(long, value_parser = batch::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Output form (one for the whole batch: `auto` means text here).
    #[arg(long, value_enum, default_value_t = EmitArg::Text)]
    pub emit: EmitArg,
    /// How weights are written.
    #[arg(long, value_enum, default_value_t = WeightsArg::Resource)]
    pub weights: WeightsArg,
    /// Pin a symbolic input shape of every model: NAME=1x3x224x224 (repeatable).
    #[arg(long = "input-shape", value_parser = parse_input_shape)]
    pub input_shapes: Vec<(String, Vec<u64>)>,
    /// Fix every symbolic input dim named NAME (an ONNX dim_param) to N >= 1 in
    /// every model: NAME=N (repeatable); a name a model does not use is ignored.
    #[arg(long = "dim", value_name = "NAME=N", value_parser = parse_dim)]
    pub dims: Vec<(String, u64)>,
    /// Per-model pins: lines `GLOB INPUT=DxD... dim:NAME=N...` matched against
    /// each model's relative path, the first match applying (see docs/batch.md).
    #[arg(long, value_name = "FILE")]
    pub shapes: Option<PathBuf>,
    #[command(flatten)]
    pub limits: super::convert::LimitArgs,
    #[command(flatten)]
    pub form: super::convert::IrFormArgs,
    /// Convert every model again, even when its output is up to date.
    #[arg(long)]
    pub force: bool,
    /// Convert nothing: merge OUTDIR's report.shard-K-of-N.json (K = 1..N, written
    /// by `--shard` runs) into OUTDIR/report.json and report.md.
    #[arg(long, conflicts_with_all = ["source", "shard", "force", "check"])]
    pub merge_reports: bool,
    /// After converting each model, run it through the JIT on its folder's ONNX
    /// test data (test_data_set_*/input_N.pb, output_N.pb) as `check` does and
    /// report the outcome; a mismatch or an error fails the batch.
    #[arg(long)]
    pub check: bool,
    /// With --check: bind the inputs the import needs as constants to their
    /// test values (as `check --bind-runtime-operands`).
    #[arg(long, requires = "check")]
    pub bind_runtime_operands: bool,
    /// With --check: also accept in every float output a difference of up to
    /// N float16 units in the last place of the output's largest expected
    /// magnitude (as `check --f16-ulps`), for models that compute in float16.
    #[arg(long, value_name = "N", requires = "check")]
    pub f16_ulps: Option<u32>,
    /// With --check: the pipeline and the object cache.
    #[command(flatten)]
    pub compile: super::jit::CompileArgs,
}

/// Bars on a terminal; one line per finished model otherwise.
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    spinners: Mutex<HashMap<usize, ProgressBar>>,
    failed: Mutex<usize>,
    tty: bool,
}

impl Bars {
    fn new(total: usize) -> Bars {
        let tty = std::io::stderr().is_terminal();
        let target = if tty {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(total as u64));
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} models, {msg} [{elapsed_precise}]")
        {
            overall.set_style(style);
        }
        overall.set_message("0 failed");
        Bars {
            multi,
            overall,
            spinners: Mutex::new(HashMap::new()),
            failed: Mutex::new(0),
            tty,
        }
    }
}

impl Progress for Bars {
    fn started(&self, index: usize, job: &Job) {
        if !self.tty {
            return;
        }
        let spinner = self.multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("  {spinner} {msg} {elapsed}") {
            spinner.set_style(style);
        }
        spinner.set_message(job.rel.display().to_string());
        spinner.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut m) = self.spinners.lock() {
            m.insert(index, spinner);
        }
    }

    fn finished(&self, index: usize, r: &ModelReport) {
        if let Some(s) = self.spinners.lock().ok().and_then(|mut m| m.remove(&index)) {
            s.finish_and_clear();
            self.multi.remove(&s);
        }
        let check_failed = r.check.as_ref().is_some_and(|c| c.result.failed());
        let failed = match self.failed.lock() {
            Ok(mut f) => {
                if r.status == Status::Failed || check_failed {
                    *f += 1;
                }
                *f
            }
            Err(_) => 0,
        };
        self.overall.set_message(format!("{failed} failed"));
        self.overall.inc(1);
        let mut line = match r.status {
            Status::Failed => format!(
                "failed  {} ({}): {}",
                r.path,
                r.error_kind.as_deref().unwrap_or(""),
                r.error.as_deref().unwrap_or("")
            ),
            Status::Ok => format!("ok      {} ({:.0} ms)", r.path, r.wall_ms),
            Status::UpToDate => format!("skipped {} (up to date)", r.path),
        };
        if let Some(c) = &r.check {
            line.push_str(&format!("; check {}", c.result.as_str()));
            if c.result.failed()
                && let Some(why) = &c.reason
            {
                line.push_str(&format!(": {why}"));
            }
            let cache = c.cache_summary();
            if !cache.is_empty() {
                line.push_str(&format!(" (object from the cache: {cache})"));
            }
        }
        if self.tty {
            if r.status == Status::Failed || check_failed {
                let _ = self.multi.println(line);
            }
        } else {
            eprintln!("{line}");
        }
    }
}

/// `--merge-reports`: OUTDIR's shard reports into OUTDIR/report.json and .md.
fn merge(out_dir: &std::path::Path) -> Result<ExitCode> {
    let shards = batch::read_shard_reports(out_dir)?;
    let report = batch::merge_reports(&shards).map_err(|mut e| {
        e.message = format!("{}: {}", out_dir.display(), e.message);
        e
    })?;
    write_atomic(&out_dir.join("report.json"), report.to_json()?.as_bytes())?;
    write_atomic(&out_dir.join("report.md"), report.to_markdown().as_bytes())?;
    let t = &report.totals;
    eprintln!(
        "{} shard reports merged: {} models: {} ok, {} failed, {} up to date{}; report in {}",
        shards.len(),
        t.models,
        t.ok,
        t.failed,
        t.skipped_up_to_date,
        checks_line(t),
        out_dir.join("report.md").display()
    );
    Ok(if report.any_failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `; checks: ...` when the batch checked its models, else nothing.
fn checks_line(t: &batch::Totals) -> String {
    t.checks
        .as_ref()
        .map(|c| format!("; checks: {}", c.summary()))
        .unwrap_or_default()
}

pub fn run(args: BatchArgs) -> Result<ExitCode> {
    if !args.check && (args.compile.cache_dir.is_some() || args.compile.no_cache) {
        return Err(Error::invalid(
            "--cache-dir and --no-cache apply to batch --check only".to_string(),
        ));
    }
    let source = match (&args.source, args.merge_reports) {
        (_, true) => return merge(&args.output),
        (Some(source), false) => source.clone(),
        (None, false) => {
            return Err(Error::invalid(
                "batch needs a folder or list file of models (or --merge-reports)".to_string(),
            ));
        }
    };
    let convert = super::convert::ConvertArgs {
        model: None,
        from: Some(super::convert::FromArg::Onnx),
        output: None,
        emit: args.emit,
        weights: args.weights,
        input_shapes: args.input_shapes.clone(),
        dims: args.dims.clone(),
        bind: Vec::new(),
        limits: args.limits,
        form: args.form,
        explain_quant: false,
    }
    .options();
    let options = BatchOptions {
        convert,
        out_dir: args.output.clone(),
        jobs: args.jobs,
        shard: args.shard,
        force: args.force,
        pins: match &args.shapes {
            Some(path) => batch::read_shapes(path)?,
            None => Vec::new(),
        },
        check: args.check.then(|| batch::BatchCheck {
            runner: args.compile.options(),
            bind_runtime_operands: args.bind_runtime_operands,
            f16_ulps: args.f16_ulps,
        }),
    };
    let mut jobs = batch::collect(&source)?;
    if let Some((k, n)) = options.shard {
        jobs = batch::shard(jobs, k, n);
    }
    std::fs::create_dir_all(&options.out_dir)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", options.out_dir.display())))?;
    let bars = Bars::new(jobs.len());
    // A panicking conversion is caught and reported as an internal error;
    // keep the default hook from printing over the bars meanwhile.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let report = batch::run(&jobs, &options, &bars);
    std::panic::set_hook(hook);
    let report = report?;
    bars.overall.finish_and_clear();
    let stem = options.report_stem();
    write_atomic(
        &options.out_dir.join(format!("{stem}.json")),
        report.to_json()?.as_bytes(),
    )?;
    write_atomic(
        &options.out_dir.join(format!("{stem}.md")),
        report.to_markdown().as_bytes(),
    )?;
    let t = &report.totals;
    eprintln!(
        "{} models: {} ok, {} failed, {} up to date{} ({:.1} s); report in {}",
        t.models,
        t.ok,
        t.failed,
        t.skipped_up_to_date,
        checks_line(t),
        t.elapsed_ms / 1e3,
        options.out_dir.join(format!("{stem}.md")).display()
    );
    Ok(if report.any_failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
