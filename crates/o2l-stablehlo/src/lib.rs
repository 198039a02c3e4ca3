//! StableHLO programs into the canonical graph. StableHLO is not an upstream
//! MLIR dialect, so the program is read by a small reader of its own
//! (`parse`: the pretty form JAX prints and the generic form, no MLIR
//! needed); the importer (`import`) then walks the chosen function's ops in
//! order, inlines the functions it calls, and maps each op through one
//! table of rules (`map/`), so StableHLO lands on the same canonical ops, and
//! the same lowering, as ONNX and TOSA.
#![deny(unsafe_code)]
mod import;
mod map;
pub mod parse;

use o2l_canon::{Error, Graph, Result};

pub use map::{gap_reason, gaps, rules};
pub use o2l_canon::RuleInfo;

/// Whether `source` (MLIR text) looks like a StableHLO program.
pub fn looks_like_stablehlo(source: &str) -> bool {
    // Producers keep CHLO ops (chlo.erf, chlo.top_k) in StableHLO programs; a
    // function of CHLO ops alone is one too.
    source.contains("stablehlo.") || source.contains("chlo.")
}

/// Imports the function `func` (or the module's public `main`, or its only
/// or first public function) of a StableHLO program given as MLIR text.
pub fn import_text(source: &str, func: Option<&str>) -> Result<Graph> {
    let module = parse::parse_module(source)?;
    import::import_module(&module, func)
}

/// Imports a StableHLO program given as bytes: MLIR text only (StableHLO
/// bytecode needs the dialect, which MLIR does not ship).
pub fn import_bytes(source: &[u8], func: Option<&str>) -> Result<Graph> {
    if source.starts_with(b"ML\xefR") {
        return Err(Error::unsupported(
            "StableHLO bytecode is not supported: pass the program as MLIR text (jax: lowered.as_text())",
        ));
    }
    let text = std::str::from_utf8(source)
        .map_err(|e| Error::invalid(format!("not UTF-8 MLIR text: {e}")))?;
    import_text(text, func)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stablehlo_and_chlo_only_programs_are_detected_and_tosa_is_not() {
        let chlo = "func.func @main(%a: tensor<3xf32>) -> tensor<3xf32> {\n  %0 = chlo.erf %a : tensor<3xf32> -> tensor<3xf32>\n  return %0 : tensor<3xf32>\n}";
        assert!(super::looks_like_stablehlo(chlo));
        assert!(super::looks_like_stablehlo("%0 = stablehlo.add %a, %b"));
        assert!(!super::looks_like_stablehlo("%0 = tosa.add %a, %b"));
    }
}
