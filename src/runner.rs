//! Runs a canonical graph in-process: lower to MLIR text, compile with the JIT,
//! call with host tensors. Inputs and outputs keep their graph names and types.
use crate::{Error, Graph, LowerOptions, Result, Tensor, TensorType, Weights};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use o2l_jit::Effort as JitEffort;
pub use o2l_jit::Pipeline as JitPipeline;

/// Below this many estimated multiply-adds (`estimated_work`), the fast
/// pipeline compiles with `JitEffort::Light`: the code then runs a few times
/// slower, but on such a module that is milliseconds, while `Full`'s
/// vectorisation and `-O2` codegen cost a small model's fixtures 100 ms or
/// more (ResNet-18 at 224x224, 1.8 G, stays `Full`).
pub const LIGHT_EFFORT_BELOW: u64 = 50_000_000;

/// Below this many estimated multiply-adds the fast pipeline compiles with
/// `JitEffort::Minimal`: such a module runs in well under a millisecond and
/// its compile is most of a `run` (over the model fixtures, first runs 7 %
/// faster than with `Light`; from 3.8 M up, as in the small ResNets, `Light`
/// was as fast or faster: its loop-invariant hoisting pays for itself).
pub const MINIMAL_EFFORT_BELOW: u64 = 2_000_000;

/// `Limits::max_unrolled_steps` of `run` and `check`: LSTM, GRU and RNN
/// over more known steps than this are one loop, which the JIT compiles once
/// (a bidirectional 8-step LSTM tagger's first run: 40 ms instead of 105 ms
/// unrolled). `convert` unrolls up to 16 steps, the form compilers fuse; the
/// results are the same.
pub const JIT_MAX_UNROLLED_STEPS: u64 = 3;

/// How a `Runner` compiles.
#[derive(Clone, Debug, Default)]
pub struct RunnerOptions {
    /// `Fast` (the default) or `Reference` (MLIR's ExecutionEngine at -O2,
    /// weights compiled in: what the fast pipeline is checked against).
    pub pipeline: JitPipeline,
    /// A folder keeping compiled objects (fast pipeline): compiling the same
    /// graph again loads its object from there. `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// The fast pipeline's LLVM effort; `None`: `effort_for` the graph's
    /// estimated multiply-adds (`Minimal` under `MINIMAL_EFFORT_BELOW`,
    /// `Light` under `LIGHT_EFFORT_BELOW`, else `Full`). All give the same
    /// results.
    pub effort: Option<JitEffort>,
    /// The graph is run once by a process about to exit (`run` does): its
    /// code may then leave every temporary buffer allocated instead of
    /// freeing it, which saves the deallocation passes (about 8 % of a small
    /// model's first run). Taken only when `temporaries_bytes` is known and
    /// at most `KEEP_TEMPORARIES_UP_TO`; otherwise the code frees as usual.
    /// The results are the same.
    pub runs_once: bool,
    /// The graph's estimates, when they are better known than from its own
    /// shapes (`check` makes them from the model pinned to its data set's
    /// shapes, while the code stays symbolic); `None`: `Estimates::of` the
    /// graph, which knows nothing of a graph with symbolic inputs (it then
    /// compiles at `Full`, freeing its temporaries).
    pub estimates: Option<Estimates>,
    /// Whether a large graph may compile as two parts side by side
    /// (`crate::parts`).
    pub split: JitSplit,
}

/// Whether a `Runner` may compile a graph as two parts, one per core
/// (`crate::parts::halves`): the same results, about half the compile time
/// on a large graph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JitSplit {
    /// Two parts when the graph is large enough (its nodes weigh
    /// `parts::SPLIT_FROM_WEIGHT` or more), has no control flow, and a
    /// second core is free.
    #[default]
    Auto,
    /// One module, whatever the graph.
    Never,
}

/// What a runner's choices are made by: the effort by the work, keeping
/// temporaries by their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimates {
    /// `estimated_work`.
    pub work: Option<u64>,
    /// `temporaries_bytes`.
    pub temporaries: Option<u64>,
}

impl Estimates {
    pub fn of(graph: &Graph) -> Estimates {
        Estimates {
            work: estimated_work(graph),
            temporaries: temporaries_bytes(graph),
        }
    }
}

/// The most a graph's intermediate values may hold for its code to keep its
/// temporaries (`RunnerOptions::runs_once`): 64 MiB, above what every model
/// fixture holds, below what a large model's activations would.
pub const KEEP_TEMPORARIES_UP_TO: u64 = 64 << 20;

/// The bytes the values that `graph`'s nodes compute hold, the cases of a
/// `Switch` included, and a `Loop`'s body once per trip (it allocates anew on
/// every trip); `None` when a shape or a loop's trip count is not a constant.
pub fn temporaries_bytes(graph: &Graph) -> Option<u64> {
    use o2l_canon::ops::{Control, Op};
    // A loop's stacked outputs, and what is computed from them, have its
    // trip count as a dim: the loop names that dim.
    let mut trip_dims: Vec<(&str, u64)> = Vec::new();
    let mut total: u64 = 0;
    for node in &graph.nodes {
        if let Op::Control(control) = &node.op {
            let times = match control {
                Control::Loop { trips, .. } => {
                    let count = constant_trip_count(graph, node)?;
                    trip_dims.push((trips, count));
                    count
                }
                _ => 1,
            };
            for body in control.bodies() {
                total = total.checked_add(temporaries_bytes(body)?.checked_mul(times)?)?;
            }
        }
        for &v in &node.outputs {
            let ty = graph.ty(v);
            let mut bytes = ty.dtype.size_bytes() as u64;
            for dim in &ty.shape {
                let extent = match dim {
                    o2l_canon::Dim::Known(n) => *n,
                    o2l_canon::Dim::Symbol(name) => trip_dims.iter().find(|(d, _)| d == name)?.1,
                };
                bytes = bytes.checked_mul(extent)?;
            }
            total = total.checked_add(bytes)?;
        }
    }
    Some(total)
}

/// A `Loop` node's maximum trip count (its first operand), when a constant.
fn constant_trip_count(graph: &Graph, node: &o2l_canon::Node) -> Option<u64> {
    let count = graph.value(*node.inputs.first()?).constant.as_ref()?;
    u64::try_from(*count.to_i64s().first()?).ok()
}

/// The effort `auto` takes for an estimated work (`estimated_work`; None:
/// unknown, as with symbolic input shapes).
pub fn effort_for(work: Option<u64>) -> JitEffort {
    match work {
        Some(w) if w < MINIMAL_EFFORT_BELOW => JitEffort::Minimal,
        Some(w) if w < LIGHT_EFFORT_BELOW => JitEffort::Light,
        _ => JitEffort::Full,
    }
}

/// A rough count of a graph's multiply-adds: for each node, its output
/// elements times the length of what each one reduces (MatMul: the shared
/// dim; convolutions: the weight's elements per output channel), or its
/// operands' elements when that is more (reductions, pooling); a loop's body
/// counts once per trip when the trip count is a constant. `None` when an
/// input's shape is symbolic or a loop's trip count is not a constant.
pub fn estimated_work(graph: &Graph) -> Option<u64> {
    use o2l_canon::ops::{Control, Op};
    let elements = |v: o2l_canon::ValueId| graph.ty(v).num_elements().ok().flatten();
    if graph.inputs.iter().any(|&v| elements(v).is_none()) {
        return None;
    }
    // With static inputs, what is still symbolic is a loop's stacked
    // outputs, whose work the loop counts: they count 0 here.
    let sum = |values: &[o2l_canon::ValueId]| {
        values
            .iter()
            .fold(0u64, |a, &v| a.saturating_add(elements(v).unwrap_or(0)))
    };
    let mut total: u64 = 0;
    for node in &graph.nodes {
        let (out, ins) = (sum(&node.outputs), sum(&node.inputs));
        let work = match &node.op {
            Op::Linear(_) => {
                let k = node
                    .inputs
                    .first()
                    .and_then(|&a| graph.ty(a).shape.last().and_then(|d| d.known()))
                    .unwrap_or(1);
                out.saturating_mul(k)
            }
            Op::Conv(_) | Op::QuantizedConv(_) => {
                let per_channel = node.inputs.get(1).and_then(|&w| {
                    let dims = graph.ty(w).known_dims()?;
                    let first = *dims.first()?;
                    (first > 0).then(|| dims.iter().product::<u64>() / first)
                });
                out.saturating_mul(per_channel.unwrap_or(1))
            }
            Op::Control(Control::Loop { body, .. }) => {
                let trips = constant_trip_count(graph, node)?;
                estimated_work(&body.0)?.saturating_mul(trips)
            }
            Op::Control(_) => return None,
            _ => out.max(ins),
        };
        total = total.saturating_add(work);
    }
    Some(total)
}

/// `graph` lowered as MLIR text; with `detached`, the weights' bytes left
/// out of the text and passed beside it (`o2l_linalg::lower_detached`).
fn lower_source(graph: &Graph, options: &LowerOptions, detached: bool) -> Result<o2l_jit::Source> {
    let (text, weights) = match detached {
        true => o2l_linalg::lower_detached(graph, options)?,
        false => (o2l_linalg::lower(graph, options)?, Vec::new()),
    };
    let text = String::from_utf8(text)
        .map_err(|_| Error::internal("the lowering emitted text that is not UTF-8"))?;
    Ok(o2l_jit::Source { text, weights })
}

/// A digest (128 bits, hex) of all the lowering reads: the graph as `Debug`
/// prints it (ops and their attributes, types, names, nested bodies; a
/// constant shows its dtype, dims and size but not its bytes), the bytes of
/// every constant, nested ones included, and the lowering options. Equal
/// digests lower to equal text with the same build of the tool.
pub fn source_digest(graph: &Graph, options: &LowerOptions) -> String {
    use std::hash::Hasher;
    fn feed_constants(graph: &Graph, h: &mut [impl Hasher; 2]) {
        for value in &graph.values {
            if let Some(t) = &value.constant {
                for h in h.iter_mut() {
                    h.write_usize(t.data.len());
                    h.write(&t.data);
                }
            }
        }
        for node in &graph.nodes {
            if let o2l_canon::ops::Op::Control(control) = &node.op {
                for body in control.bodies() {
                    feed_constants(body, h);
                }
            }
        }
    }
    #[allow(deprecated)] // SipHasher: fixed across processes, unlike DefaultHasher
    let mut h = [
        std::hash::SipHasher::new_with_keys(0, 1),
        std::hash::SipHasher::new_with_keys(2, 3),
    ];
    let text = format!("{graph:?}\n{options:?}");
    for h in h.iter_mut() {
        h.write(text.as_bytes());
    }
    feed_constants(graph, &mut h);
    format!("{:016x}{:016x}", h[0].finish(), h[1].finish())
}

/// Where the time of `Runner::with_options` went.
#[derive(Clone, Debug, Default)]
pub struct RunnerTimings {
    /// Lowering the graph to MLIR text.
    pub lowering: Duration,
    /// Parsing the text (and reading the weights' bytes).
    pub parse: Duration,
    /// The MLIR pass pipeline down to the LLVM dialect.
    pub passes: Duration,
    /// Translation to LLVM IR and LLVM's IR passes.
    pub translate: Duration,
    /// Machine code generation and linking.
    pub codegen: Duration,
    /// The compiled object came from the cache.
    pub cache_hit: bool,
    /// The fast pipeline's LLVM effort, and the graph's estimated
    /// multiply-adds it was chosen by (`estimated_work`).
    pub effort: JitEffort,
    pub estimated_work: Option<u64>,
    /// The code leaves its temporaries allocated (`RunnerOptions::runs_once`).
    pub keeps_temporaries: bool,
    /// How many parts the graph compiled as (`JitSplit`): with two, the
    /// stage times above add both parts, which compiled side by side.
    pub parts: usize,
    /// The wall time of lowering and compiling, all parts.
    pub compile_wall: Duration,
}

/// The default cache folder: `$XDG_CACHE_HOME/onnx2linalg`, else
/// `$HOME/.cache/onnx2linalg` (None when neither variable is set).
pub fn default_cache_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("onnx2linalg"))
}

/// A graph compiled for in-process calls.
pub struct Runner {
    /// Called in turn (one, or two: `crate::parts`).
    parts: Vec<Part>,
    input_ids: Vec<o2l_canon::ValueId>,
    output_ids: Vec<o2l_canon::ValueId>,
    inputs: Vec<(String, TensorType)>,
    outputs: Vec<(String, TensorType)>,
    timings: RunnerTimings,
}

/// One compiled function of a graph: the graph values it takes, and those it
/// returns with their types.
struct Part {
    compiled: o2l_jit::Compiled,
    takes: Vec<o2l_canon::ValueId>,
    gives: Vec<(o2l_canon::ValueId, TensorType)>,
}

impl Runner {
    /// Lowers `graph` and compiles it with the default options (fast
    /// pipeline, no cache).
    pub fn new(graph: &Graph) -> Result<Runner> {
        Runner::with_options(graph, &RunnerOptions::default())
    }

    /// Lowers `graph` (text, `dense_resource` weights: the reference pipeline
    /// turns them into LLVM globals, the fast one into host buffers) and
    /// compiles it.
    pub fn with_options(graph: &Graph, runner_options: &RunnerOptions) -> Result<Runner> {
        let options = LowerOptions {
            weights: Weights::Resource,
            ..Default::default()
        };
        Runner::compile(graph, &options, runner_options)
    }

    /// `new` with the module in another form (`--linalg generic`,
    /// `--bufferize`): each form must compute the same results. The output
    /// form (`emit`) is ignored: the JIT reads text.
    pub fn with_lower_options(graph: &Graph, options: &LowerOptions) -> Result<Runner> {
        Runner::compile(graph, options, &RunnerOptions::default())
    }

    fn compile(
        graph: &Graph,
        options: &LowerOptions,
        runner_options: &RunnerOptions,
    ) -> Result<Runner> {
        let start = Instant::now();
        let options = LowerOptions {
            emit: crate::Emit::Text,
            ..options.clone()
        };
        let estimates = runner_options
            .estimates
            .unwrap_or_else(|| Estimates::of(graph));
        let work = estimates.work;
        let effort = runner_options.effort.unwrap_or(effort_for(work));
        let keep_temporaries = runner_options.runs_once
            && estimates
                .temporaries
                .is_some_and(|b| b <= KEEP_TEMPORARIES_UP_TO);
        let jit_options = o2l_jit::Options {
            keep_temporaries,
            pipeline: runner_options.pipeline,
            effort,
            cache_dir: runner_options.cache_dir.clone(),
            one_thread: false,
        };
        let side_by_side = runner_options.split == JitSplit::Auto
            && jit_options.pipeline == JitPipeline::Fast
            && o2l_jit::spare_core();
        // A split graph that fails to compile is compiled whole: the error
        // (or the success) is then the whole graph's.
        let split = side_by_side
            .then(|| crate::parts::halves(graph))
            .flatten()
            .and_then(|halves| compile_side_by_side(&halves, &options, &jit_options).ok());
        let (parts, mut timings) = match split {
            Some(done) => done,
            None => {
                let (compiled, timings) = compile_part(graph, &options, &jit_options)?;
                (vec![Part::of(graph, compiled)], timings)
            }
        };
        timings.effort = effort;
        timings.estimated_work = work;
        timings.keeps_temporaries = keep_temporaries;
        timings.parts = parts.len();
        timings.compile_wall = start.elapsed();
        let named = |ids: &[o2l_canon::ValueId]| {
            ids.iter()
                .map(|&v| (graph.value(v).name.clone(), graph.ty(v).clone()))
                .collect::<Vec<_>>()
        };
        Ok(Runner {
            parts,
            input_ids: graph.inputs.clone(),
            output_ids: graph.outputs.clone(),
            inputs: named(&graph.inputs),
            outputs: named(&graph.outputs),
            timings,
        })
    }

    /// Where the time of compiling went.
    pub fn timings(&self) -> &RunnerTimings {
        &self.timings
    }

    /// Graph inputs, in call order: name and type.
    pub fn inputs(&self) -> &[(String, TensorType)] {
        &self.inputs
    }

    /// Graph outputs, in result order: name and type.
    pub fn outputs(&self) -> &[(String, TensorType)] {
        &self.outputs
    }

    /// Calls the compiled graph. Inputs must match `inputs()` in order, dtype and
    /// known dims; symbolic output dims come from the run.
    pub fn run(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::invalid(format!(
                "expected {} inputs ({}), got {}",
                self.inputs.len(),
                self.describe_inputs(),
                inputs.len()
            )));
        }
        for ((name, ty), t) in self.inputs.iter().zip(inputs) {
            let fits = t.dtype == ty.dtype
                && t.dims.len() == ty.rank()
                && t.dims
                    .iter()
                    .zip(&ty.shape)
                    .all(|(&d, want)| want.known().is_none_or(|w| w == d));
            if !fits {
                return Err(Error::invalid(format!(
                    "input \"{name}\": expected {ty}, got {} {:?}",
                    t.dtype, t.dims
                )));
            }
        }
        if let [part] = &self.parts[..] {
            let types: Vec<TensorType> = part.gives.iter().map(|(_, t)| t.clone()).collect();
            return part.compiled.run(inputs, &types);
        }
        // Each part takes graph inputs and what the parts before it gave.
        let mut known: std::collections::HashMap<o2l_canon::ValueId, Tensor> =
            self.input_ids.iter().copied().zip(inputs.iter().cloned()).collect();
        for part in &self.parts {
            let args = part
                .takes
                .iter()
                .map(|id| known.get(id).cloned())
                .collect::<Option<Vec<Tensor>>>()
                .ok_or_else(|| Error::internal("a part takes a value no part before it gave"))?;
            let types: Vec<TensorType> = part.gives.iter().map(|(_, t)| t.clone()).collect();
            let results = part.compiled.run(&args, &types)?;
            known.extend(part.gives.iter().map(|(id, _)| *id).zip(results));
        }
        self.output_ids
            .iter()
            .map(|id| known.get(id).cloned())
            .collect::<Option<Vec<Tensor>>>()
            .ok_or_else(|| Error::internal("a graph output no part gave"))
    }

    /// `x: tensor<1x3xf32>, y: tensor<?xi64>`, for messages.
    pub fn describe_inputs(&self) -> String {
        self.inputs
            .iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Part {
    fn of(graph: &Graph, compiled: o2l_jit::Compiled) -> Part {
        Part {
            compiled,
            takes: graph.inputs.clone(),
            gives: graph
                .outputs
                .iter()
                .map(|&v| (v, graph.ty(v).clone()))
                .collect(),
        }
    }
}

/// Lowers and compiles one graph (the whole, or a part): the code and where
/// the time went (the effort and estimates are the caller's to fill in).
fn compile_part(
    graph: &Graph,
    options: &LowerOptions,
    jit_options: &o2l_jit::Options,
) -> Result<(o2l_jit::Compiled, RunnerTimings)> {
    let func = o2l_linalg::function_name(graph);
    // With a cache, the entry is keyed by the graph: a hit skips the
    // lowering too (and the weights' trip through hex text). Hashing
    // the graph counts as lowering time.
    let start = Instant::now();
    let key = match jit_options.cache_dir {
        Some(_) => source_digest(graph, options),
        None => String::new(),
    };
    let mut lowering = start.elapsed();
    let compiled = o2l_jit::compile_source(&key, &func, jit_options, |detached| {
        let start = Instant::now();
        let source = lower_source(graph, options, detached);
        lowering += start.elapsed();
        source
    })?;
    let t = compiled.timings();
    let timings = RunnerTimings {
        lowering,
        parse: t.parse,
        passes: t.passes,
        translate: t.translate,
        codegen: t.codegen,
        cache_hit: t.cache_hit,
        ..Default::default()
    };
    Ok((compiled, timings))
}

/// Both halves of a graph compiled at once, the second on another thread,
/// each on its thread alone (`o2l_jit::Options::one_thread`); the stage
/// times add both.
fn compile_side_by_side(
    halves: &[Graph; 2],
    options: &LowerOptions,
    jit_options: &o2l_jit::Options,
) -> Result<(Vec<Part>, RunnerTimings)> {
    let alone = o2l_jit::Options {
        one_thread: true,
        ..jit_options.clone()
    };
    let [first, second] = halves;
    let (a, b) = std::thread::scope(|s| {
        // The stack the main thread has (MLIR and LLVM recurse on large
        // modules), not a spawned thread's 2 MiB.
        let b = std::thread::Builder::new()
            .name("o2l-compile-part".into())
            .stack_size(8 << 20)
            .spawn_scoped(s, || compile_part(second, options, &alone));
        let a = compile_part(first, options, &alone);
        let b = match b {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(Error::internal("compiling a part panicked"))),
            Err(e) => Err(Error::internal(format!("no thread for a part: {e}"))),
        };
        (a, b)
    });
    let ((a, ta), (b, tb)) = (a?, b?);
    let timings = RunnerTimings {
        lowering: ta.lowering + tb.lowering,
        parse: ta.parse + tb.parse,
        passes: ta.passes + tb.passes,
        translate: ta.translate + tb.translate,
        codegen: ta.codegen + tb.codegen,
        cache_hit: ta.cache_hit && tb.cache_hit,
        ..Default::default()
    };
    Ok((vec![Part::of(first, a), Part::of(second, b)], timings))
}

/// How `run_model` reads a model before running it.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The source op set (None: detect it from the file).
    pub from: Option<crate::Frontend>,
    /// Input pinning, bound inputs, limits. Symbolic input dims that
    /// `input_shapes` leaves open are pinned to the shapes of the given inputs,
    /// unless `dynamic`.
    pub import: crate::ImportOptions,
    /// Keep symbolic input dims symbolic: convert once to a function with `?`
    /// dims and call it at the shapes of the given inputs.
    pub dynamic: bool,
    /// How the graph is compiled (pipeline, cache).
    pub runner: RunnerOptions,
    /// Leave the compiled code, its MLIR context and LLVM's JIT allocated
    /// when done (for a process about to exit: freeing them takes longer
    /// than a small model's execution). The memory stays in use until the
    /// process ends.
    pub leak_compiled: bool,
}

/// What `run_model` gives back.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The graph outputs, in order, with their names.
    pub outputs: Vec<(String, Tensor)>,
    /// The import's warnings, each naming the file.
    pub warnings: Vec<String>,
    /// Time spent importing the model, compiling it (by stage) and calling it.
    pub import_time: Duration,
    pub compile_timings: RunnerTimings,
    pub run_time: Duration,
}

/// Reads the model at `path`, compiles it and calls it on `inputs` (by graph
/// input name, each given once): what `onnx2linalg run` does before writing
/// files. NumPy has no bfloat16, so an f32 value given for a bf16 input is
/// rounded to bf16.
pub fn run_model(
    path: &std::path::Path,
    inputs: Vec<(String, Tensor)>,
    options: &RunOptions,
) -> Result<RunOutput> {
    use crate::{DType, Dim, Frontend};
    let in_model = |e: Error| e.in_file(path.display().to_string());
    let mut given: std::collections::BTreeMap<String, Tensor> = Default::default();
    for (name, t) in inputs {
        if given.contains_key(&name) {
            return Err(Error::invalid(format!("input \"{name}\" is given twice")));
        }
        given.insert(name, t);
    }

    // Pin symbolic input dims to the given data before importing, so the import
    // (which may need static shapes) and the lowering see them.
    let mut import = options.import.clone();
    let frontend = match options.from {
        Some(f) => f,
        None => crate::detect_frontend(path)?,
    };
    if frontend == Frontend::Onnx && !options.dynamic {
        for (name, ty) in crate::onnx_inputs(path)? {
            let symbolic = ty.shape.iter().any(|d| matches!(d, Dim::Symbol(_)));
            let explicit = import.input_shapes.iter().any(|(n, _)| n == &name);
            if let (true, false, Some(t)) = (symbolic, explicit, given.get(&name)) {
                import.input_shapes.push((name, t.dims.clone()));
            }
        }
    }
    let import_start = Instant::now();
    let imported = crate::import_model_with_warnings(path, Some(frontend), &import)?;
    let import_time = import_start.elapsed();
    let graph = imported.graph;

    let runner = Runner::with_options(&graph, &options.runner).map_err(in_model)?;
    let missing: Vec<&str> = runner
        .inputs()
        .iter()
        .filter(|(n, _)| !given.contains_key(n))
        .map(|(n, _)| n.as_str())
        .collect();
    let extra: Vec<&str> = given
        .keys()
        .filter(|n| !runner.inputs().iter().any(|(m, _)| m == *n))
        .map(|n| n.as_str())
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing --input for {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            parts.push(format!("unknown input {}", extra.join(", ")));
        }
        return Err(in_model(Error::invalid(format!(
            "{}; expected inputs: {}",
            parts.join("; "),
            runner.describe_inputs()
        ))));
    }
    let mut ordered: Vec<Tensor> = Vec::with_capacity(runner.inputs().len());
    for (name, ty) in runner.inputs() {
        let Some(t) = given.remove(name) else {
            continue;
        };
        if ty.dtype == DType::BF16 && t.dtype == DType::F32 {
            ordered.push(Tensor::from_f64s(
                DType::BF16,
                t.dims.clone(),
                &t.to_f64s(),
            )?);
        } else {
            ordered.push(t);
        }
    }
    let run_start = Instant::now();
    let outputs = runner.run(&ordered).map_err(in_model)?;
    let run_time = run_start.elapsed();
    let done = RunOutput {
        import_time,
        compile_timings: runner.timings().clone(),
        run_time,
        outputs: runner
            .outputs()
            .iter()
            .map(|(n, _)| n.clone())
            .zip(outputs)
            .collect(),
        warnings: imported.warnings,
    };
    if options.leak_compiled {
        std::mem::forget(runner);
    }
    Ok(done)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{
        JitEffort, KEEP_TEMPORARIES_UP_TO, LIGHT_EFFORT_BELOW, MINIMAL_EFFORT_BELOW, effort_for,
        estimated_work, source_digest, temporaries_bytes,
    };
    use crate::{Graph, LowerOptions};
    use o2l_canon::ops::{Control, Op};
    use std::sync::Arc;

    /// A model fixture imported as `run` imports it (recurrences as loops).
    fn fixture(name: &str) -> Graph {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/models")
            .join(format!("{name}.onnx"));
        let options = crate::ImportOptions {
            limits: crate::Limits {
                max_unrolled_steps: super::JIT_MAX_UNROLLED_STEPS,
                ..Default::default()
            },
            ..Default::default()
        };
        crate::import_model(&path, None, &options).unwrap()
    }

    /// Flips one bit of the first constant of `graph` that has bytes.
    fn flip_a_weight(graph: &mut Graph) -> bool {
        for value in &mut graph.values {
            if let Some(t) = &mut value.constant
                && !t.data.is_empty()
            {
                let mut bytes = t.data.to_vec();
                bytes[0] ^= 1;
                t.data = bytes.into();
                return true;
            }
        }
        false
    }

    /// The cache key of `run`: equal for the same graph imported twice, and
    /// different when a weight (also one inside a loop body), an attribute
    /// or the lowering options differ.
    #[test]
    fn the_source_digest_sees_weights_bodies_and_options() {
        let options = LowerOptions::default();
        let mlp = fixture("mlp_op17");
        let digest = source_digest(&mlp, &options);
        assert_eq!(digest, source_digest(&fixture("mlp_op17"), &options));
        let mut changed = mlp.clone();
        assert!(flip_a_weight(&mut changed));
        assert_ne!(digest, source_digest(&changed, &options));
        let mut renamed = mlp.clone();
        renamed.values[renamed.outputs[0].0 as usize].name.push('x');
        assert_ne!(digest, source_digest(&renamed, &options));
        let generic = LowerOptions {
            linalg: crate::LinalgForm::Generic,
            ..Default::default()
        };
        assert_ne!(digest, source_digest(&mlp, &generic));

        // A recurrent layer over known steps is a Loop: its body's weights count.
        let lstm = fixture("lstm_tagger_op17");
        let digest = source_digest(&lstm, &options);
        let mut changed = lstm.clone();
        let body = changed
            .nodes
            .iter_mut()
            .find_map(|n| match &mut n.op {
                Op::Control(Control::Loop { body, .. }) => Some(body),
                _ => None,
            })
            .unwrap();
        assert!(flip_a_weight(Arc::make_mut(&mut body.0)));
        assert_ne!(digest, source_digest(&changed, &options));
    }

    #[test]
    fn auto_effort_follows_the_estimated_work() {
        let fixture_work = |name: &str| estimated_work(&fixture(name));
        // mlp_op17 (0.1 M) and the small ResNets (3.8 M) fall on either
        // side of the minimal effort's bound.
        assert_eq!(effort_for(fixture_work("mlp_op17")), JitEffort::Minimal);
        assert_eq!(
            effort_for(fixture_work("resnet_small_op17")),
            JitEffort::Light
        );
        assert_eq!(
            effort_for(Some(MINIMAL_EFFORT_BELOW - 1)),
            JitEffort::Minimal
        );
        assert_eq!(effort_for(Some(MINIMAL_EFFORT_BELOW)), JitEffort::Light);
        assert_eq!(effort_for(Some(LIGHT_EFFORT_BELOW)), JitEffort::Full);
        assert_eq!(effort_for(None), JitEffort::Full);
    }

    #[test]
    fn temporaries_are_counted_unless_a_loop_makes_them_anew() {
        // mlp_op17: a few f32 values of a batch of 4 (9,696 bytes).
        let mlp = temporaries_bytes(&fixture("mlp_op17")).unwrap();
        assert_eq!(mlp, 9696);
        let resnet = temporaries_bytes(&fixture("resnet_small_op17")).unwrap();
        assert!(resnet > mlp && resnet <= KEEP_TEMPORARIES_UP_TO, "{resnet}");
        // `run` imports the tagger's LSTMs as loops over 8 steps: their
        // bodies count once per step.
        let lstm = fixture("lstm_tagger_op17");
        let with_loops = temporaries_bytes(&lstm).unwrap();
        let body = lstm
            .nodes
            .iter()
            .find_map(|n| match &n.op {
                Op::Control(Control::Loop { body, .. }) => {
                    Some(temporaries_bytes(&body.0).unwrap())
                }
                _ => None,
            })
            .unwrap();
        assert!(with_loops > 8 * body, "{with_loops} {body}");
    }
}
