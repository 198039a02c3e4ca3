//! onnx2linalg: ONNX models in, verified linalg-on-tensors MLIR out.
//!
//! ```no_run
//! let mlir = onnx2linalg::convert(
//!     std::path::Path::new("model.onnx"),
//!     &onnx2linalg::ConvertOptions::default(),
//! )?;
//! print!("{}", String::from_utf8_lossy(&mlir));
//! # Ok::<(), onnx2linalg::Error>(())
//! ```
//!
//! The pipeline, one crate per stage: `o2l-onnx` (decode and map onto the
//! canonical op table) -> `o2l-canon` (graph, inference, folding) ->
//! `o2l-linalg` (lowering with MLIR) -> `o2l-jit` (run the result).
#![deny(unsafe_code)]

use std::path::Path;

pub mod batch;
pub mod check;
pub mod npy;
pub mod ops_table;
// Calls the C API / the OS: SAFETY comments at each use.
#[allow(unsafe_code)]
pub mod output;
pub mod parts;
mod runner;

pub use runner::{
    Estimates, JIT_MAX_UNROLLED_STEPS, JitEffort, JitPipeline, JitSplit, KEEP_TEMPORARIES_UP_TO,
    LIGHT_EFFORT_BELOW, MINIMAL_EFFORT_BELOW, RunOptions, RunOutput, Runner, RunnerOptions,
    RunnerTimings, default_cache_dir, effort_for, estimated_work, run_model, source_digest,
    temporaries_bytes,
};

/// This build's version (the workspace's Cargo version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version of the MLIR/LLVM this build links (statically), as its
/// `llvm-config --version` printed it at build time.
pub const MLIR_VERSION: &str = env!("O2L_MLIR_VERSION");

/// What `onnx2linalg --version` prints after the command's name.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (MLIR/LLVM ",
    env!("O2L_MLIR_VERSION"),
    ", linked statically)"
);

/// An error as the command line prints it after `error: `: on one line (names
/// read from a model may hold newlines or other control characters, which are
/// shown escaped), with the `--bind` hint when a run-time value would have to
/// be a constant.
pub fn error_line(e: &Error) -> String {
    let line = match &e.runtime_value {
        Some(v) => format!("{e} (to fix \"{v}\" at a value: --bind {v}=FILE)"),
        None => e.to_string(),
    };
    line.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

pub use o2l_canon::{
    DType, Dim, Error, ErrorKind, Graph, Limits, Origin, Result, Tensor, TensorType,
};
pub use o2l_linalg::{Emit, LinalgForm, LowerOptions, Weights};
pub use o2l_onnx::{ImportOptions, Imported};

/// Everything that shapes one conversion.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// The source op set (None: detect it from the file).
    pub from: Option<Frontend>,
    pub import: ImportOptions,
    pub lower: LowerOptions,
}

/// The op set a source file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frontend {
    /// An ONNX protobuf.
    Onnx,
    /// An MLIR program (text or bytecode) in the `tosa` dialect.
    Tosa,
    /// An MLIR program in the `stablehlo` dialect.
    StableHlo,
}

/// Reads an ONNX model and maps it onto the canonical graph.
pub fn import_onnx(path: &Path, options: &ImportOptions) -> Result<Graph> {
    import_onnx_with_warnings(path, options).map(|i| i.graph)
}

/// `import_onnx`, with the import's warnings (declared shapes the computed
/// ones overrule, dim names given two sizes), each naming the file.
pub fn import_onnx_with_warnings(path: &Path, options: &ImportOptions) -> Result<Imported> {
    let file = path.display().to_string();
    let mut imported =
        o2l_onnx::import_with_warnings(path, options).map_err(|e| e.in_file(file.clone()))?;
    for w in imported
        .warnings
        .iter_mut()
        .chain(imported.quantization.iter_mut())
    {
        *w = format!("{file}: {w}");
    }
    Ok(imported)
}

/// The op set of `path`: MLIR bytecode, or MLIR text naming `tosa.` or
/// `stablehlo.` (or `chlo.`) ops, else ONNX.
pub fn detect_frontend(path: &Path) -> Result<Frontend> {
    use std::io::Read;
    let mut head = Vec::with_capacity(1 << 16);
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    let mlir_ext = path
        .extension()
        .is_some_and(|e| e == "mlir" || e == "mlirbc");
    let bytecode = head.starts_with(b"ML\xefR");
    if !mlir_ext && !bytecode {
        return Ok(Frontend::Onnx);
    }
    if bytecode {
        // The dialect names are in the bytecode's string section.
        let text = String::from_utf8_lossy(&head);
        return Ok(if text.contains("stablehlo") {
            Frontend::StableHlo
        } else {
            Frontend::Tosa
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    if o2l_stablehlo::looks_like_stablehlo(&text) {
        Ok(Frontend::StableHlo)
    } else if o2l_tosa::looks_like_tosa(&text) {
        Ok(Frontend::Tosa)
    } else {
        Err(Error::unsupported(format!(
            "{}: an MLIR file with neither tosa nor stablehlo ops (use --from)",
            path.display()
        )))
    }
}

/// Reads a model of any supported op set (`from`, or detected) into the
/// canonical graph. Input pinning and bindings apply to ONNX models.
pub fn import_model(path: &Path, from: Option<Frontend>, options: &ImportOptions) -> Result<Graph> {
    import_model_with_warnings(path, from, options).map(|i| i.graph)
}

/// `import_model`, with the import's warnings, each naming the file (only
/// the ONNX frontend has any).
pub fn import_model_with_warnings(
    path: &Path,
    from: Option<Frontend>,
    options: &ImportOptions,
) -> Result<Imported> {
    let from = match from {
        Some(f) => f,
        None => detect_frontend(path)?,
    };
    let in_file = |e: Error| e.in_file(path.display().to_string());
    match from {
        Frontend::Onnx => import_onnx_with_warnings(path, options),
        _ if !options.dims.is_empty() => Err(in_file(Error::unsupported(
            "--dim applies to ONNX models (their inputs' dim_params)",
        ))),
        Frontend::Tosa => {
            if !options.input_shapes.is_empty() || !options.bind_inputs.is_empty() {
                return Err(in_file(Error::unsupported(
                    "--input-shape and --bind apply to ONNX models",
                )));
            }
            let bytes = std::fs::read(path)
                .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
            o2l_tosa::import_bytes(&bytes, None)
                .map(no_warnings)
                .map_err(in_file)
        }
        Frontend::StableHlo => {
            if !options.input_shapes.is_empty() || !options.bind_inputs.is_empty() {
                return Err(in_file(Error::unsupported(
                    "--input-shape and --bind apply to ONNX models",
                )));
            }
            let bytes = std::fs::read(path)
                .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
            o2l_stablehlo::import_bytes(&bytes, None)
                .map(no_warnings)
                .map_err(in_file)
        }
    }
}

fn no_warnings(graph: Graph) -> Imported {
    Imported {
        graph,
        warnings: Vec::new(),
        quantization: Vec::new(),
    }
}

/// A model's runtime inputs and their declared types, without mapping any node
/// (to choose `ImportOptions::input_shapes` before importing).
pub fn onnx_inputs(path: &Path) -> Result<Vec<(String, TensorType)>> {
    o2l_onnx::graph_inputs(path).map_err(|e| e.in_file(path.display().to_string()))
}

/// A model's runtime inputs as an import with `options` declares them
/// (`input_shapes` and `dims` applied, bound inputs left out): the symbolic
/// dims left are the ones that stay dynamic.
pub fn onnx_pinned_inputs(
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<(String, TensorType)>> {
    o2l_onnx::pinned_inputs(path, options).map_err(|e| e.in_file(path.display().to_string()))
}

pub use o2l_onnx::{dim_param, dim_params};

/// Reads one serialized ONNX `TensorProto` file (backend-test `input_N.pb`).
pub fn read_tensor_file(path: &Path) -> Result<Tensor> {
    o2l_onnx::read_tensor_file(path).map_err(|e| e.in_file(path.display().to_string()))
}

/// Lowers a canonical graph to verified MLIR (text or bytecode, per `options`).
pub fn lower(graph: &Graph, options: &LowerOptions) -> Result<Vec<u8>> {
    o2l_linalg::lower(graph, options)
}

/// `lower`, streaming the module to `out` (no second in-memory copy of the weights).
pub fn lower_into(
    graph: &Graph,
    options: &LowerOptions,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    o2l_linalg::lower_into(graph, options, out)
}

/// ONNX file to verified MLIR bytes.
pub fn convert(path: &Path, options: &ConvertOptions) -> Result<Vec<u8>> {
    let graph = import_model(path, options.from, &options.import)?;
    lower(&graph, &options.lower).map_err(|e| e.in_file(path.display().to_string()))
}

/// The name of the `func.func` that `lower` emits for `graph`.
pub fn function_name(graph: &Graph) -> String {
    o2l_linalg::function_name(graph)
}
