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
pub mod elf;
mod flatten;
#[allow(unsafe_code)] // SAFETY comments at each use
mod half_from_f64;
mod pipeline;
mod signature;

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

pub use pipeline::PIPELINE;
pub use signature::{ElemKind, Signature, TypeSig};

/// LLVM optimisation level used by the execution engine.
const OPT_LEVEL: i32 = 2;

/// A compiled module, ready to call.
pub struct Compiled {
    // Field order matters: the engine is dropped before the context.
    engine: abi::Engine,
    signature: Signature,
    func: String,
    _context: Context,
}

/// Parses `mlir` (text) and compiles function `func` for calls from the host.
/// A parse or pass failure is a `Verification` error carrying MLIR's diagnostics;
/// a JIT failure (e.g. an unresolved symbol) is `Internal`.
pub fn compile(mlir: &str, func: &str) -> Result<Compiled> {
    if std::env::var_os(CHECK_HOST_SYMBOLS_ENV).is_none() {
        return compile_with(mlir, func, false);
    }
    let compiled = compile_with(mlir, func, true)?;
    let provided = libc_and_libm_exports()?;
    let foreign: Vec<String> = compiled
        .host_symbols()?
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
    // Linking was skipped for the check; do it now, as `compile` does.
    compiled
        .engine
        .lookup_entry(func)
        .map_err(Error::internal)?;
    Ok(compiled)
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
    compile_with(mlir, func, true)?.host_symbols()
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

/// `compile`; with `keep_object`, the engine is returned even when its code
/// does not link, so its object can be inspected.
fn compile_with(mlir: &str, func: &str, keep_object: bool) -> Result<Compiled> {
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    register_all_passes();
    let context = Context::new();
    context.append_dialect_registry(&registry);
    context.load_all_available_dialects();
    register_all_llvm_translations(&context);
    // One model per process and two processes per machine: MLIR threads only add overhead.
    context.enable_multi_threading(false);

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

    let result = (|| {
        // Large constants go 1-D first (see `flatten`); line numbers in parse
        // diagnostics then count the added lines.
        let text = flatten::flatten_constants(mlir);
        let Some(mut module) = Module::parse(&context, &text) else {
            return Err(Error::verification(take("cannot parse the MLIR module")));
        };
        let signature = prepare_function(&context, &mut module, func)?;
        half_from_f64::rewrite(&context, &mut module)?;
        let pm = PassManager::new(&context);
        parse_pass_pipeline(pm.as_operation_pass_manager(), PIPELINE)
            .map_err(|e| Error::internal(format!("JIT pass pipeline does not parse: {e}")))?;
        if pm.run(&mut module).is_err() {
            return Err(Error::verification(take(
                "lowering to the LLVM dialect failed",
            )));
        }
        let engine = abi::Engine::new(&module, OPT_LEVEL, keep_object)
            .map_err(|e| Error::internal(take(&e)))?;
        let linked = engine.lookup_entry(func);
        // An object kept for inspection is wanted most when linking failed:
        // it names the symbols that were missing.
        if !keep_object {
            linked.map_err(|e| Error::internal(take(&e)))?;
        }
        Ok((engine, signature))
    })();
    context.detach_diagnostic_handler(handler);
    let (engine, signature) = result?;
    Ok(Compiled {
        engine,
        signature,
        func: func.to_string(),
        _context: context,
    })
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
        self.engine.dump_object(path_text);
        let object = std::fs::read(&path).map_err(|e| {
            Error::internal(format!(
                "the JIT wrote no object file to {}: {e}",
                path.display()
            ))
        });
        let _ = std::fs::remove_file(&path);
        let names = elf::undefined_symbols(&object?)?;
        Ok(names
            .into_iter()
            .filter(|n| !abi::RUNTIME_SYMBOLS.contains(&n.as_str()))
            .collect())
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
        let results = abi::call(&self.engine, &self.func, &self.signature, inputs, &dtypes)?;
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
