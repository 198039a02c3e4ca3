//! TOSA programs into the canonical graph. MLIR parses the program (TOSA is
//! an upstream dialect); the importer walks the function's ops in order and
//! maps each through one table of rules (`map/`), so TOSA lands on the same
//! canonical ops, and the same lowering, as ONNX. Layouts (NHWC, OHWI) and
//! TOSA's own conventions (zero points, `mul` shift, `clamp` bounds) are made
//! explicit here.
#![deny(unsafe_code)]
mod import;
mod map;
// Calls the C API / maps files: SAFETY comments at each use.
#[allow(unsafe_code)]
mod mlir;
mod printed;

use melior::Context;
use melior::dialect::DialectRegistry;
use melior::ir::Module;
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationLike;
use melior::utility::register_all_dialects;
use o2l_canon::{Error, Graph, Result};

pub use map::{SPEC_OPS, gap_reason, rules};
pub use o2l_canon::RuleInfo;

/// A context that knows every upstream dialect (TOSA among them).
fn context() -> Context {
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    let context = Context::new_with_registry(&registry, false);
    context.load_all_available_dialects();
    context
}

/// Whether `source` (MLIR text) looks like a TOSA program.
pub fn looks_like_tosa(source: &str) -> bool {
    source.contains("tosa.")
}

/// Imports the function `func` (or the module's only / first function) of a
/// TOSA program given as MLIR text.
pub fn import_text(source: &str, func: Option<&str>) -> Result<Graph> {
    // MLIR text never holds a NUL; the parser's C string would end at one.
    if let Some(at) = source.find('\0') {
        return Err(Error::invalid(format!(
            "not MLIR text: a NUL byte at offset {at}"
        )));
    }
    mlir::check_resource_alignments(source)?;
    let context = context();
    let diagnostics = mlir::Diagnostics::attach(&context);
    let module = Module::parse(&context, source).ok_or_else(|| {
        Error::invalid(format!(
            "not a valid MLIR module: {}",
            diagnostics.take().unwrap_or_else(|| "parse failed".into())
        ))
    })?;
    let mut chosen = None;
    let mut op = module.body().first_operation();
    while let Some(o) = op {
        if o.name().as_string_ref().as_str().ok() == Some("func.func") {
            let name = mlir::symbol_name(&o)?;
            let wanted = func.is_none_or(|f| f == name);
            if wanted && chosen.is_none() {
                chosen = Some((o, name));
            }
        }
        op = o.next_in_block();
    }
    let Some((f, name)) = chosen else {
        return Err(Error::invalid(match func {
            Some(n) => format!("the module has no function @{n}"),
            None => "the module has no func.func".to_string(),
        }));
    };
    let resources = mlir::resource_blobs(source)?;
    import::import_function(&f, &name, &resources)
}

/// Imports a TOSA program given as MLIR text or bytecode.
pub fn import_bytes(source: &[u8], func: Option<&str>) -> Result<Graph> {
    match std::str::from_utf8(source) {
        Ok(text) if !source.starts_with(b"ML\xefR") => import_text(text, func),
        _ => {
            // Bytecode: printed back to text by MLIR, then read as text.
            let context = context();
            let diagnostics = mlir::Diagnostics::attach(&context);
            let module = mlir::parse_bytes(&context, source);
            let module = module.ok_or_else(|| {
                Error::invalid(format!(
                    "neither MLIR text nor valid MLIR bytecode: {}",
                    diagnostics.take().unwrap_or_default()
                ))
            })?;
            import_text(&module.as_operation().to_string(), func)
        }
    }
}
