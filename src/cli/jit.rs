//! The JIT flags `run` and `check` share: pipeline, cache, timings
//! (`batch --check` takes the pipeline and cache ones).
use clap::{Args, ValueEnum};
use onnx2linalg::{JitEffort, JitPipeline, JitSplit, RunnerOptions, RunnerTimings};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, ValueEnum)]
pub enum PipelineArg {
    /// Light LLVM passes, weights as host buffers, cacheable objects.
    Fast,
    /// MLIR's ExecutionEngine at -O2 with the weights compiled in (no cache):
    /// what the fast pipeline is checked against.
    Reference,
}

#[derive(Args, Clone)]
pub struct JitArgs {
    #[command(flatten)]
    pub compile: CompileArgs,
    /// Print to stderr where the time went: import, lowering, parse, passes,
    /// LLVM translation, codegen, execution.
    #[arg(long)]
    pub timings: bool,
    /// LSTM, GRU and RNN over a known number of steps up to this are
    /// unrolled, longer ones one loop (the same results). The JIT compiles a
    /// loop once; `convert` unrolls up to 16 steps by default, the form
    /// compilers fuse: pass 16 here to run exactly what `convert` writes.
    #[arg(long, default_value_t = onnx2linalg::JIT_MAX_UNROLLED_STEPS)]
    pub max_unrolled_steps: u64,
}

/// The pipeline and the object cache.
#[derive(Args, Clone)]
pub struct CompileArgs {
    /// How the model is compiled to machine code.
    #[arg(long = "jit-pipeline", value_enum, default_value_t = PipelineArg::Fast)]
    pub pipeline: PipelineArg,
    /// Folder for compiled objects (default: $XDG_CACHE_HOME/onnx2linalg, else
    /// ~/.cache/onnx2linalg): a second run of the same model skips compiling.
    #[arg(long = "cache-dir", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the cache.
    #[arg(long = "no-cache", conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// How hard LLVM works on the fast pipeline's code (same results):
    /// `light` compiles several times faster and runs slower, `minimal`
    /// faster still, `full` vectorises and optimises; `auto` takes `minimal`
    /// for models of under 2 M estimated multiply-adds, `light` under 50 M.
    #[arg(long = "jit-effort", value_enum, default_value_t = EffortArg::Auto)]
    pub effort: EffortArg,
    /// Whether a large model compiles as two parts, one per core (same
    /// results): `auto` splits a model without control flow whose nodes
    /// weigh 40 or more (a convolution 4, a normalisation 3, a contraction
    /// or pooling 2, any other node 1) when a second core is free; `never`
    /// compiles one module.
    #[arg(long = "jit-split", value_enum, default_value_t = SplitArg::Auto)]
    pub split: SplitArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SplitArg {
    /// Two parts for a large model on a machine with two or more cores.
    Auto,
    /// One module.
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EffortArg {
    /// By the model's estimated work.
    Auto,
    /// Fewest LLVM passes (no InstCombine, no hoisting), codegen at -O0.
    Minimal,
    /// Light LLVM passes, codegen at -O0.
    Light,
    /// Vectorisation, codegen at -O2.
    Full,
}

impl JitArgs {
    /// The default limits, with `max_unrolled_steps`.
    pub fn limits(&self) -> onnx2linalg::Limits {
        onnx2linalg::Limits {
            max_unrolled_steps: self.max_unrolled_steps,
            ..Default::default()
        }
    }

    pub fn options(&self) -> RunnerOptions {
        self.compile.options()
    }
}

impl CompileArgs {
    pub fn options(&self) -> RunnerOptions {
        let pipeline = match self.pipeline {
            PipelineArg::Fast => JitPipeline::Fast,
            PipelineArg::Reference => JitPipeline::Reference,
        };
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir
                .clone()
                .or_else(onnx2linalg::default_cache_dir)
        };
        RunnerOptions {
            pipeline,
            cache_dir,
            runs_once: false,
            estimates: None,
            effort: match self.effort {
                EffortArg::Auto => None,
                EffortArg::Minimal => Some(JitEffort::Minimal),
                EffortArg::Light => Some(JitEffort::Light),
                EffortArg::Full => Some(JitEffort::Full),
            },
            split: match self.split {
                SplitArg::Auto => JitSplit::Auto,
                SplitArg::Never => JitSplit::Never,
            },
        }
    }
}

/// The `--timings` lines, on stderr.
pub fn print_timings(import: Duration, compile: &RunnerTimings, execution: Duration) {
    let ms = |d: Duration| format!("{:9.1} ms", d.as_secs_f64() * 1e3);
    let skipped = |d: Duration| {
        if compile.cache_hit && d.is_zero() {
            format!("{:>12}", "(cached)")
        } else {
            ms(d)
        }
    };
    // Two parts compile side by side: their stage times add up to more
    // than the wall time, which the total counts.
    let total = match compile.parts > 1 {
        true => import + compile.compile_wall + execution,
        false => {
            import
                + compile.lowering
                + compile.parse
                + compile.passes
                + compile.translate
                + compile.codegen
                + execution
        }
    };
    let mut lines = vec![
        format!("timings: import            {}", ms(import)),
        format!("timings: lowering          {}", ms(compile.lowering)),
        format!("timings: parse             {}", ms(compile.parse)),
        format!("timings: passes            {}", skipped(compile.passes)),
        format!("timings: LLVM translation  {}", skipped(compile.translate)),
        format!(
            "timings: codegen + link    {}{}",
            ms(compile.codegen),
            if compile.cache_hit {
                "  (object from the cache: link only)"
            } else {
                ""
            }
        ),
        format!(
            "timings: LLVM effort       {:>12}  ({}{})",
            compile.effort.name(),
            match compile.estimated_work {
                Some(w) => format!("{:.1} M multiply-adds estimated", w as f64 / 1e6),
                None => "work not estimated: symbolic shapes".into(),
            },
            match compile.keeps_temporaries {
                true => "; temporaries kept: run once",
                false => "",
            }
        ),
        format!("timings: execution         {}", ms(execution)),
    ];
    if compile.parts > 1 {
        lines.push(format!(
            "timings: compile wall time {}  ({} parts side by side: the stages above add all parts)",
            ms(compile.compile_wall),
            compile.parts
        ));
    }
    lines.push(format!("timings: total             {}", ms(total)));
    eprintln!("{}", lines.join("\n"));
}
