//! Runs linalg-on-tensors MLIR in-process: the pass pipeline down to the LLVM
//! dialect, MLIR's ExecutionEngine, and ranked memref descriptors for tensor I/O.
//!
//! ```no_run
//! # use o2l_canon::{DType, Tensor, TensorType};
//! let mlir = "func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> { return %a : tensor<2xf32> }";
//! let compiled = o2l_jit::compile(mlir, "f")?;
//! let x = Tensor::from_f64s(DType::F32, vec![2], &[1.0, 2.0])?;
//! let out = compiled.run(&[x], &[TensorType::of_known(DType::F32, &[2])])?;
//! # Ok::<(), o2l_canon::Error>(())
//! ```
//!
//! Before parsing, large multi-dimensional constants are made 1-D plus a
//! `tensor.expand_shape` (`flatten`): LLVM builds nested constant arrays slowly.
//! The pass pipeline is `PIPELINE` (documented stage by stage in `pipeline`).
//! From the LLVM dialect on there are two ways (`Pipeline`): the reference,
//! MLIR's ExecutionEngine at `-O2` (what `compile` uses), and the fast one
//! (`compile_with_options`): weights as host buffers (`weights`), LLVM driven
//! through its C API with light IR passes and ORC's LLJIT (`orc`), and the
//! object kept in a cache folder (`cache`). `Compiled::timings` says where the
//! time went.
//!
//! Ownership of results: the pipeline makes every result a buffer the callee
//! allocated (results that would alias an argument or a constant are cloned, see
//! `pipeline`). We copy results out and do not free them: freeing memory the JIT
//! allocated from Rust would tie us to how `memref.alloc` is lowered, and the
//! leak is one copy of the outputs per call, which is acceptable for a test runner.
// Unsafe code is confined to the modules marked `allow(unsafe_code)` below.
#![deny(unsafe_code)]

#[allow(unsafe_code)] // SAFETY comments at each use
mod abi;
mod cache;
pub mod elf;
mod flatten;
#[allow(unsafe_code)] // SAFETY comments at each use
mod half_from_f64;
#[allow(unsafe_code)] // SAFETY comments at each use
mod interchange;
#[allow(unsafe_code)] // SAFETY comments at each use
mod orc;
mod pipeline;
mod signature;
#[allow(unsafe_code)] // SAFETY comments at each use
mod weights;

use melior::{
    Context,
    dialect::DialectRegistry,
    ir::{
        Attribute, Module,
        operation::{OperationLike, OperationMutLike},
    },
    pass::PassManager,
    utility::{
        parse_pass_pipeline, register_all_dialects, register_all_llvm_translations,
        register_all_passes,
    },
};
use o2l_canon::{Error, Result, Tensor, TensorType};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

pub use orc::{LLVM_PASSES, LLVM_PASSES_LIGHT, LLVM_PASSES_MINIMAL};
pub use pipeline::PIPELINE;
pub use signature::{ElemKind, Signature, TypeSig};

/// LLVM optimisation level used by the execution engine.
const OPT_LEVEL: i32 = 2;

/// Which way `compile` goes from the LLVM dialect to machine code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pipeline {
    /// MLIR's ExecutionEngine at `-O2`, weights compiled in as constants:
    /// the reference the fast pipeline is checked against.
    Reference,
    /// LLVM driven stage by stage (`LLVM_PASSES`, then codegen at `-O2`),
    /// weights passed as host buffers, the object cacheable (see `orc`).
    #[default]
    Fast,
}

impl Pipeline {
    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Reference => "reference",
            Pipeline::Fast => "fast",
        }
    }
}

/// How hard the fast pipeline's LLVM stages work (`orc`): what they cost
/// against how fast the code runs. The results are the same bits either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Effort {
    /// `LLVM_PASSES` (vectorisation included), codegen at `-O2`.
    #[default]
    Full,
    /// `LLVM_PASSES_LIGHT` (no vectorisation, no GVN), codegen at `-O0`:
    /// several times less compile time, slower code; for modules whose
    /// execution takes milliseconds.
    Light,
    /// `LLVM_PASSES_MINIMAL` (no InstCombine, no loop-invariant hoisting),
    /// codegen at `-O0`: for modules whose execution takes well under a
    /// millisecond, where those two passes cost more than they save.
    Minimal,
}

impl Effort {
    pub fn name(self) -> &'static str {
        match self {
            Effort::Full => "full",
            Effort::Light => "light",
            Effort::Minimal => "minimal",
        }
    }
}

/// How `compile_with_options` compiles.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub pipeline: Pipeline,
    /// The fast pipeline's LLVM effort (the reference ignores it).
    pub effort: Effort,
    /// A folder for compiled objects (fast pipeline only): a module compiled
    /// before with the same text, options, tool version and host CPU is
    /// loaded from there instead of compiled. `None`: no cache.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Leave buffer deallocation out of the fast pipeline
    /// (`pipeline::FAST_PIPELINE_KEEPING_TEMPORARIES`): every buffer the code
    /// allocates stays allocated after each call. For code called once by a
    /// process about to exit; the caller bounds how much that keeps. The
    /// results are the same.
    pub keep_temporaries: bool,
    /// Compile on the calling thread alone: no context made ahead and no
    /// LLVM warm-up on another core (`ContextAhead`, `orc::Warmup`). For
    /// compiles that already run side by side, one per core.
    pub one_thread: bool,
}

/// Where the time of one `compile` went (zero for stages a cache hit skipped).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Parsing the MLIR text (and reading the weights' bytes), from the
    /// moment the text was ready: waiting for the JIT's context, when it
    /// was made on another core meanwhile, counts here.
    pub parse: std::time::Duration,
    /// The MLIR pass pipeline down to the LLVM dialect.
    pub passes: std::time::Duration,
    /// Translation to LLVM IR, and LLVM's IR passes.
    pub translate: std::time::Duration,
    /// Machine code generation and linking.
    pub codegen: std::time::Duration,
    /// The object came from the cache.
    pub cache_hit: bool,
}

enum Code {
    // Field order in `Compiled` matters: the engine is dropped before the context.
    Engine(abi::Engine),
    Orc {
        jit: orc::Jit,
        // Weight buffers the code reads; dropped after the code.
        _blobs: weights::Blobs,
    },
}

/// A compiled module, ready to call.
pub struct Compiled {
    // Field order matters: the code is dropped before the context.
    code: Code,
    signature: Signature,
    func: String,
    timings: Timings,
    // The fast pipeline's object, kept for `host_symbols`.
    object: Option<Vec<u8>>,
    // None for code loaded from the cache without a module.
    _context: Option<Context>,
}

// SAFETY: nothing in a `Compiled` is tied to the thread that made it: the
// MLIR context, LLVM's JIT and the weights' buffers may be moved to another
// thread (`SendContext` moves a context the same way), and a `Compiled` is
// only ever used by the one thread that owns it.
#[allow(unsafe_code)]
unsafe impl Send for Compiled {}

/// Parses `mlir` (text) and compiles function `func` for calls from the host,
/// with the reference pipeline and no cache.
/// A parse or pass failure is a `Verification` error carrying MLIR's diagnostics;
/// a JIT failure (e.g. an unresolved symbol) is `Internal`.
pub fn compile(mlir: &str, func: &str) -> Result<Compiled> {
    compile_with_options(
        mlir,
        func,
        &Options {
            pipeline: Pipeline::Reference,
            effort: Effort::Full,
            ..Default::default()
        },
    )
}

/// `compile` with a choice of pipeline and cache.
pub fn compile_with_options(mlir: &str, func: &str, options: &Options) -> Result<Compiled> {
    let check = std::env::var_os(CHECK_HOST_SYMBOLS_ENV).is_some();
    let entry = match (&options.cache_dir, options.pipeline) {
        (Some(dir), Pipeline::Fast) => {
            cache::Entry::new(dir, cache::Key::Text(mlir), func, options)
        }
        _ => None,
    };
    if !check || options.pipeline == Pipeline::Fast {
        // The fast pipeline checks its object before linking it.
        return compile_with(None, mlir, &[], func, options, check, entry);
    }
    let compiled = compile_with(None, mlir, &[], func, options, true, None)?;
    refuse_foreign(compiled.host_symbols()?)?;
    // Linking was skipped for the check; do it now, as `compile` does.
    if let Code::Engine(engine) = &compiled.code {
        engine.lookup_entry(func).map_err(Error::internal)?;
    }
    Ok(compiled)
}

/// A module's text and, for text whose resource section was left out, the
/// weights' bytes by resource key (what `o2l_linalg::lower_detached` makes).
pub struct Source {
    pub text: String,
    pub weights: Vec<(String, bytes::Bytes)>,
}

/// `compile_with_options` for a module made from something cheaper to hash
/// than its text (a graph and the options it is lowered with): the cache
/// entry is keyed by `source_key`, a digest of that source, and keeps the
/// weights' bytes, so a hit neither calls `source` nor parses anything. On a
/// miss (or without a cache) the JIT's context is prepared on another core
/// while `source` runs. `source(detached)`: the module, its weights' bytes
/// left out of the text when `detached` (the fast pipeline takes them as
/// they are; the reference one reads them from the text).
pub fn compile_source(
    source_key: &str,
    func: &str,
    options: &Options,
    source: impl FnOnce(bool) -> Result<Source>,
) -> Result<Compiled> {
    if options.pipeline == Pipeline::Reference {
        return compile_with_options(&source(false)?.text, func, options);
    }
    let check = std::env::var_os(CHECK_HOST_SYMBOLS_ENV).is_some();
    let entry = options
        .cache_dir
        .as_ref()
        .and_then(|dir| cache::Entry::new(dir, cache::Key::Source(source_key), func, options));
    // On a miss (or without a cache), the JIT's MLIR context is prepared on
    // another core while the caller makes the source (`ContextAhead`).
    let compile_the_source = |entry: Option<cache::Entry>| {
        let ahead = match options.one_thread {
            true => None,
            false => ContextAhead::start(options),
        };
        let source = source(true)?;
        let (text, weights) = (&source.text, &source.weights);
        compile_with(ahead, text, weights, func, options, check, entry)
    };
    let Some(entry) = entry else {
        return compile_the_source(None);
    };
    let start = Instant::now();
    if let Some(hit) = entry.load()
        && let Some(blobs) = hit.blobs
    {
        let read = start.elapsed();
        let start = Instant::now();
        if let Some(jit) = link_cached(&hit.object, &hit.weights, &blobs, check) {
            return Ok(Compiled {
                code: Code::Orc { jit, _blobs: blobs },
                signature: hit.signature,
                func: func.to_string(),
                timings: Timings {
                    parse: read,
                    codegen: start.elapsed(),
                    cache_hit: true,
                    ..Default::default()
                },
                object: None,
                _context: None,
            });
        }
    }
    // A miss, or an entry without the weights' bytes (they come with the
    // source then), or one that does not load.
    compile_the_source(Some(entry))
}

/// The dialects the JIT's parser and passes load on a typical model:
/// loaded ahead when the context is prepared on another thread. Loading
/// one more than a module needs changes nothing but the time.
const PRELOADED_DIALECTS: [&str; 14] = [
    "builtin",
    "func",
    "linalg",
    "tensor",
    "arith",
    "math",
    "scf",
    "bufferization",
    "memref",
    "cf",
    "index",
    "ub",
    "affine",
    "llvm",
];

/// The JIT's MLIR context made on another thread while this one lowers
/// the graph to text: every dialect registered, the common ones loaded,
/// the LLVM translations and MLIR's passes registered, and the fast
/// pipeline's passes ready (`PreparedPasses`). On the smallest models this
/// takes longer than the lowering and the compile waits for it
/// (`Timings::parse` counts the wait).
///
/// Once the context is handed over, the same thread goes on with LLVM's
/// warm-up (`orc::Warmup`) while this one parses and runs the passes: one
/// thread instead of a second one started after the hand-over, whose start
/// the smallest models waited for (about a millisecond). Dropping it waits
/// for the thread.
struct ContextAhead(Option<(std::thread::JoinHandle<orc::Warm>, Receiver<SendContext>)>);

/// The passes first: they are dropped before the context they live in.
struct SendContext(Option<PreparedPasses>, Context);

// SAFETY: an MLIR context (and a pass manager in it) has no tie to the
// thread that made it; this one is made on one thread and then only ever
// used by the thread it is moved to, never by two at once.
#[allow(unsafe_code)]
unsafe impl Send for SendContext {}

impl ContextAhead {
    /// None on a machine with one CPU (the thread would only compete).
    /// The passes are those of `options`, the warm-up at its effort.
    fn start(options: &Options) -> Option<ContextAhead> {
        if !spare_core() {
            return None;
        }
        let (effort, keep_temporaries) = (options.effort, options.keep_temporaries);
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("o2l-mlir-context".into())
            .spawn(move || {
                let context = jit_context();
                for dialect in PRELOADED_DIALECTS {
                    context.get_or_load_dialect(dialect);
                }
                // Safe beside other threads: every registration goes
                // through this Once, which the compile waits on before
                // reading the registry.
                o2l_canon::register_mlir_passes_once(register_all_passes);
                // A compile that failed before taking it only drops it.
                let passes = PreparedPasses::new(&context, keep_temporaries);
                let _ = send.send(SendContext(passes, context));
                orc::Warm::make(effort)
            })
            .ok()
            .map(|h| ContextAhead(Some((h, receive))))
    }

    /// The context, its prepared passes and the warm-up still under way.
    fn take(mut self) -> Option<(Context, Option<PreparedPasses>, orc::Warmup)> {
        let (handle, receive) = self.0.take()?;
        let warmup = orc::Warmup::of_thread(handle);
        let SendContext(passes, context) = receive.recv().ok()?;
        Some((context, passes, warmup))
    }
}

/// The fast pipeline's pass manager, run once on an empty module: each pass
/// has then collected its patterns (canonicalization's and the conversions',
/// about a millisecond on any model), and running it on the model does not
/// do that again. Patterns come from the dialects loaded when they are
/// collected, so a module whose parse loaded another dialect gets a pass
/// manager made afresh (`fits`).
struct PreparedPasses {
    raw: mlir_sys::MlirPassManager,
    loaded_dialects: isize,
    keep_temporaries: bool,
}

impl PreparedPasses {
    fn new(context: &Context, keep_temporaries: bool) -> Option<PreparedPasses> {
        let pm = pass_manager(context, Pipeline::Fast, keep_temporaries).ok()?;
        let mut empty = Module::new(melior::ir::Location::unknown(context));
        pm.run(&mut empty).ok()?;
        Some(PreparedPasses {
            raw: pm.into_raw(),
            loaded_dialects: loaded_dialects(context),
            keep_temporaries,
        })
    }

    /// Whether these are the passes `options` asks for and their patterns
    /// cover the dialects `context` has loaded.
    fn fits(&self, context: &Context, options: &Options) -> bool {
        options.pipeline == Pipeline::Fast
            && options.keep_temporaries == self.keep_temporaries
            && loaded_dialects(context) == self.loaded_dialects
    }

    /// The pass manager, for a module in the context it was made in.
    #[allow(unsafe_code)]
    fn into_pass_manager<'c>(self, _context: &'c Context) -> PassManager<'c> {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: `raw` was made in `_context` (the caller's contract) and
        // is owned here alone: `forget` above skips this value's drop.
        unsafe { PassManager::from_raw(raw) }
    }
}

impl Drop for PreparedPasses {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: owned here alone (see `into_pass_manager`), and dropped
        // before its context (`SendContext`'s field order, `compile_with`).
        unsafe { mlir_sys::mlirPassManagerDestroy(self.raw) }
    }
}

#[allow(unsafe_code)]
fn loaded_dialects(context: &Context) -> isize {
    // SAFETY: a live context.
    unsafe { mlir_sys::mlirContextGetNumLoadedDialects(context.to_raw()) }
}

/// A pass manager with the pipeline's passes (the fast one verifies the
/// module once at the end, not after each pass; see `compile_with`).
fn pass_manager(
    context: &Context,
    pipeline: Pipeline,
    keep_temporaries: bool,
) -> Result<PassManager<'_>> {
    let pm = PassManager::new(context);
    let passes = match pipeline {
        Pipeline::Fast => pipeline::fast_pipeline(keep_temporaries),
        Pipeline::Reference => PIPELINE,
    };
    parse_pass_pipeline(pm.as_operation_pass_manager(), passes)
        .map_err(|e| Error::internal(format!("JIT pass pipeline does not parse: {e}")))?;
    if pipeline == Pipeline::Fast {
        pm.enable_verifier(false);
    }
    Ok(pm)
}

impl Drop for ContextAhead {
    fn drop(&mut self) {
        if let Some((handle, _)) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// Whether this process may use two or more CPUs (read once: the standard
/// library reads the cgroup's quota files every time it is asked).
pub fn spare_core() -> bool {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) >= 2
}

/// A context for the JIT (`register_for_jit`).
fn jit_context() -> Context {
    let context = bare_context();
    register_for_jit(&context);
    context
}

/// Registers every dialect and the LLVM translations. Dialects load as the
/// parser and the passes meet them: loading all ~60 up front cost more than
/// the rest of a small model's compilation, and every canonicalization then
/// collected the patterns of all of them.
fn register_for_jit(context: &Context) {
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    context.append_dialect_registry(&registry);
    register_all_llvm_translations(context);
}

/// A context with nothing registered (enough for a cache hit).
fn bare_context() -> Context {
    let context = Context::new();
    // One model per process and two processes per machine: MLIR threads only add overhead.
    context.enable_multi_threading(false);
    context
}

/// Fails naming the symbols (of those the code takes from the host) that
/// neither libc nor libm export.
fn refuse_foreign(needed: Vec<String>) -> Result<()> {
    let provided = libc_and_libm_exports()?;
    let foreign: Vec<String> = needed
        .into_iter()
        .filter(|s| provided.binary_search(s).is_err())
        .collect();
    if !foreign.is_empty() {
        return Err(Error::internal(format!(
            "the compiled code needs symbols that are neither in libc nor in libm \
             (a stock machine may lack them): {}",
            foreign.join(", ")
        )));
    }
    Ok(())
}

/// When this environment variable is set (`scripts/test.sh` sets it), every
/// `compile` also checks that the compiled code takes nothing from the host
/// process beyond libc and libm, and fails naming any other symbol: a helper
/// found only in a newer compiler runtime would work here and fail on a
/// stock machine.
pub const CHECK_HOST_SYMBOLS_ENV: &str = "O2L_JIT_CHECK_HOST_SYMBOLS";

/// The symbols the code compiled from `mlir` takes from the host process
/// (sorted): what the JIT resolves by name in the process it runs in, beyond
/// the runtime it defines itself. A stock machine must have every one of them,
/// so they should come from the C library and libm only.
pub fn host_symbols(mlir: &str, func: &str) -> Result<Vec<String>> {
    let options = Options {
        pipeline: Pipeline::Reference,
        effort: Effort::Full,
        ..Default::default()
    };
    compile_with(None, mlir, &[], func, &options, true, None)?.host_symbols()
}

/// Every symbol the C library and libm of this machine export (read once).
pub fn libc_and_libm_exports() -> Result<&'static [String]> {
    static EXPORTS: std::sync::OnceLock<std::result::Result<Vec<String>, String>> =
        std::sync::OnceLock::new();
    let read = || -> std::result::Result<Vec<String>, String> {
        let mut all = Vec::new();
        for lib in ["libc.so.6", "libm.so.6"] {
            let path = [
                "/lib/x86_64-linux-gnu",
                "/usr/lib/x86_64-linux-gnu",
                "/lib64",
                "/usr/lib64",
            ]
            .iter()
            .map(|d| std::path::Path::new(d).join(lib))
            .find(|p| p.exists())
            .ok_or_else(|| format!("{lib} not found in the usual library folders"))?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            all.extend(elf::exported_symbols(&bytes).map_err(|e| e.to_string())?);
        }
        all.sort();
        all.dedup();
        Ok(all)
    };
    match EXPORTS.get_or_init(read) {
        Ok(v) => Ok(v),
        Err(e) => Err(Error::internal(format!(
            "reading libc's and libm's exports: {e}"
        ))),
    }
}

/// `compile`; with `keep_object`, the code is returned even when it does not
/// link (reference pipeline), so its object can be inspected; the fast
/// pipeline then keeps its object beside the code. `cache`: the entry the
/// fast pipeline loads from and stores into; `ahead`: a context prepared on
/// another thread, if any; `detached`: weights' bytes the text leaves out
/// (`Source`).
fn compile_with(
    ahead: Option<ContextAhead>,
    mlir: &str,
    detached: &[(String, bytes::Bytes)],
    func: &str,
    options: &Options,
    keep_object: bool,
    cache: Option<cache::Entry>,
) -> Result<Compiled> {
    // Waiting for a context made ahead counts as parsing time.
    let parse_start = Instant::now();
    let prepared = ahead.and_then(ContextAhead::take);
    let registered = prepared.is_some();
    // Declared after the context: dropped before it.
    let (context, mut prepared_passes, mut warmup_ahead) = match prepared {
        Some((context, passes, warmup)) => (context, passes, Some(warmup)),
        None => (bare_context(), None, None),
    };

    let diagnostics = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = diagnostics.clone();
    let handler = context.attach_diagnostic_handler(move |d| {
        sink.borrow_mut().push(format!("{}: {}", d.location(), d));
        true
    });
    let take = |what: &str| -> String {
        let lines: Vec<String> = diagnostics.borrow_mut().drain(..).collect();
        if lines.is_empty() {
            what.to_string()
        } else {
            format!("{what}: {}", lines.join("; "))
        }
    };

    let mut timings = Timings::default();
    let result = (|| {
        let start = parse_start;
        let fast = options.pipeline == Pipeline::Fast;
        let cache = cache.filter(|_| fast);
        // A hit needs neither the dialects nor a parse: the entry has the
        // signature, the object and its weights' keys (and maybe bytes).
        if let Some(hit) = cache.as_ref().and_then(|c| c.load()) {
            let blobs = hit
                .blobs
                .unwrap_or_else(|| weights::Blobs::with_detached(mlir, detached));
            timings.parse = start.elapsed();
            let start = Instant::now();
            // An entry that does not load (damaged, or naming a weight this
            // text lacks) is a miss: compile, and the entry is written anew.
            if let Some(jit) = link_cached(&hit.object, &hit.weights, &blobs, keep_object) {
                timings.codegen = start.elapsed();
                timings.cache_hit = true;
                return Ok((Code::Orc { jit, _blobs: blobs }, hit.signature, None));
            }
        }

        // LLVM's fixed costs go on another core meanwhile (`orc::Warmup`),
        // the thread that made the context if there was one.
        let warmup = if fast {
            warmup_ahead
                .take()
                .or_else(|| match options.one_thread {
                    true => None,
                    false => orc::Warmup::start(options.effort),
                })
        } else {
            None
        };
        let blobs = if fast {
            weights::Blobs::with_detached(mlir, detached)
        } else {
            weights::Blobs::default()
        };
        if !registered {
            register_for_jit(&context);
        }
        // Large constants go 1-D first (see `flatten`); line numbers in parse
        // diagnostics then count the added lines.
        let text = flatten::flatten_constants(mlir);
        let Some(mut module) = Module::parse(&context, &text) else {
            return Err(Error::verification(take("cannot parse the MLIR module")));
        };
        let signature = prepare_function(&context, &mut module, func)?;
        timings.parse = start.elapsed();

        half_from_f64::rewrite(&context, &mut module)?;
        let start = Instant::now();
        // Registered for the pipeline's text only: a cache hit skips it.
        o2l_canon::register_mlir_passes_once(register_all_passes);
        if fast {
            interchange::apply(&context, &mut module).map_err(|e| Error::internal(take(&e)))?;
        }
        // The fast pipeline verifies the module once, after the last pass:
        // verifying after each of the ~25 passes was a quarter of a small
        // BERT's compile time. What a pass would have caught is still caught,
        // only named less precisely.
        let pm = match prepared_passes.take().filter(|p| p.fits(&context, options)) {
            Some(prepared) => prepared.into_pass_manager(&context),
            None => pass_manager(&context, options.pipeline, options.keep_temporaries)?,
        };
        if pm.run(&mut module).is_err() {
            return Err(Error::verification(take(
                "lowering to the LLVM dialect failed",
            )));
        }
        if fast && !module.as_operation().verify() {
            return Err(Error::verification(take(
                "the module lowered to the LLVM dialect does not verify",
            )));
        }
        timings.passes = start.elapsed();

        if fast {
            let externals = weights::externalize(&context, &mut module, &blobs)?;
            let (object, t, empty) = orc::compile(&module, func, options.effort, warmup)
                .map_err(|e| Error::internal(take(&e)))?;
            timings.translate = t.translate + t.optimize;
            let start = Instant::now();
            let symbols = weight_symbols(&externals, &blobs)?;
            if keep_object {
                check_object(&object, &externals)?;
            }
            if let Some(c) = &cache {
                // A cache that cannot be written is only a slower next run.
                let _ = c.store(&object, &externals, &signature, &blobs);
            }
            let linked = match empty {
                Some(empty) => empty.link(&object, &symbols),
                None => orc::Jit::load(&object, &symbols),
            };
            let jit = linked.map_err(|e| Error::internal(take(&e)));
            timings.codegen = t.codegen + start.elapsed();
            let kept = keep_object.then_some(object);
            return Ok((
                Code::Orc {
                    jit: jit?,
                    _blobs: blobs,
                },
                signature,
                kept,
            ));
        }

        let start = Instant::now();
        let engine = abi::Engine::new(&module, OPT_LEVEL, keep_object)
            .map_err(|e| Error::internal(take(&e)))?;
        timings.translate = start.elapsed();
        let start = Instant::now();
        let linked = engine.lookup_entry(func);
        timings.codegen = start.elapsed();
        // An object kept for inspection is wanted most when linking failed:
        // it names the symbols that were missing.
        if !keep_object {
            linked.map_err(|e| Error::internal(take(&e)))?;
        }
        Ok((Code::Engine(engine), signature, None))
    })();
    context.detach_diagnostic_handler(handler);
    let (code, signature, object) = result?;
    Ok(Compiled {
        code,
        signature,
        func: func.to_string(),
        timings,
        object,
        _context: Some(context),
    })
}

/// Links a cache entry's object to its weights' buffers; None when it does
/// not load (damaged, naming a weight `blobs` lacks, or, with `check`,
/// taking a symbol from the host that libc and libm do not have).
fn link_cached(
    object: &[u8],
    weights: &[(String, String)],
    blobs: &weights::Blobs,
    check: bool,
) -> Option<orc::Jit> {
    (!check || check_object(object, weights).is_ok())
        .then(|| weight_symbols(weights, blobs).ok())
        .flatten()
        .and_then(|symbols| orc::Jit::load(object, &symbols).ok())
}

/// Fails if the fast pipeline's `object` takes from the host anything but
/// libc, libm, the runtime and its weights.
fn check_object(object: &[u8], weights: &[(String, String)]) -> Result<()> {
    let defined: Vec<&str> = weights.iter().map(|(s, _)| s.as_str()).collect();
    refuse_foreign(
        elf::undefined_symbols(object)?
            .into_iter()
            .filter(|n| {
                !abi::RUNTIME_SYMBOLS.contains(&n.as_str()) && !defined.contains(&n.as_str())
            })
            .collect(),
    )
}

/// The addresses of the weight buffers for (symbol, resource key) pairs.
fn weight_symbols(
    externals: &[(String, String)],
    blobs: &weights::Blobs,
) -> Result<Vec<(String, usize)>> {
    externals
        .iter()
        .map(|(symbol, key)| {
            let blob = blobs.get(key).ok_or_else(|| {
                Error::internal(format!("no bytes for the weight \"{key}\" of {symbol}"))
            })?;
            Ok((symbol.clone(), blob.address()))
        })
        .collect()
}

/// Finds `func`, reads its signature and asks for its C interface wrapper.
fn prepare_function(context: &Context, module: &mut Module, func: &str) -> Result<Signature> {
    let body = module.body();
    let mut op = melior::ir::BlockLike::first_operation_mut(&body);
    while let Some(mut current) = op {
        let is_func = current.name().as_string_ref().as_str().ok() == Some("func.func");
        let name_matches = current
            .attribute("sym_name")
            .ok()
            .and_then(|a| melior::ir::attribute::StringAttribute::try_from(a).ok())
            .map(|s| s.value() == func)
            .unwrap_or(false);
        if is_func && name_matches {
            let signature = signature::read(context, &current)?;
            if !current.has_attribute("llvm.emit_c_interface") {
                current.set_attribute("llvm.emit_c_interface", Attribute::unit(context));
            }
            return Ok(signature);
        }
        op = current.next_in_block_mut();
    }
    Err(Error::invalid(format!(
        "the MLIR module has no func.func named \"{func}\""
    )))
}

impl Compiled {
    /// The undefined symbols of the compiled object, less the runtime the
    /// engine defines itself (needs an engine that kept its object).
    fn host_symbols(&self) -> Result<Vec<String>> {
        static DUMPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "o2l-jit-{}-{}.o",
            std::process::id(),
            DUMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let path_text = path
            .to_str()
            .ok_or_else(|| Error::internal("the temporary directory's path is not UTF-8"))?;
        let object = match (&self.code, &self.object) {
            (_, Some(object)) => Ok(object.clone()),
            (Code::Engine(engine), None) => {
                engine.dump_object(path_text);
                let object = std::fs::read(&path).map_err(|e| {
                    Error::internal(format!(
                        "the JIT wrote no object file to {}: {e}",
                        path.display()
                    ))
                });
                let _ = std::fs::remove_file(&path);
                object
            }
            (Code::Orc { .. }, None) => Err(Error::internal(
                "the object of code loaded from the cache is not kept",
            )),
        };
        let names = elf::undefined_symbols(&object?)?;
        Ok(names
            .into_iter()
            .filter(|n| !abi::RUNTIME_SYMBOLS.contains(&n.as_str()))
            .collect())
    }

    /// Where the time of compiling went.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// The argument and result types of the compiled function.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Calls the function with `inputs`; `outputs` gives the result types (symbolic
    /// dims are read from the returned descriptors).
    pub fn run(&self, inputs: &[Tensor], outputs: &[TensorType]) -> Result<Vec<Tensor>> {
        self.signature.check_inputs(inputs)?;
        self.signature.check_outputs(outputs)?;
        let dtypes: Vec<_> = outputs.iter().map(|t| t.dtype).collect();
        let callee = match &self.code {
            Code::Engine(engine) => abi::Callee::Engine(engine, &self.func),
            Code::Orc { jit, .. } => abi::Callee::Packed(jit.entry()),
        };
        let results = abi::call(callee, &self.signature, inputs, &dtypes)?;
        for (k, (t, ty)) in results.iter().zip(outputs).enumerate() {
            let fits = t.dims.len() == ty.rank()
                && t.dims
                    .iter()
                    .zip(&ty.shape)
                    .all(|(&d, want)| want.known().is_none_or(|w| w == d));
            if !fits {
                return Err(Error::internal(format!(
                    "result {k}: expected {ty}, the function returned shape {:?}",
                    t.dims
                )));
            }
        }
        Ok(results)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
