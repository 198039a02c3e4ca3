//! StableHLO programs into the canonical graph. StableHLO is not an upstream
//! MLIR dialect, so the program is read by a small reader of its own
//! (`parse`: the pretty form JAX prints and the generic form, no MLIR
//! needed); the importer (`import`) then walks the chosen function's ops in
//! order, inlines the functions it calls, and maps each op through one
//! table of rules (`map/`), so StableHLO lands on the same canonical ops, and
//! the same lowering, as ONNX and TOSA.
mod import;
mod map;
pub mod parse;

use o2l_canon::{Error, Graph, Result};

pub use map::{gap_reason, gaps, rules};
pub use o2l_canon::RuleInfo;

/// Whether `source` (MLIR text) looks like a StableHLO program.
pub fn looks_like_stablehlo(source: &str) -> bool {
    source.contains("stablehlo.")
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
    use super::*;

    const WHILE: &str = include_str!("../../../tests/stablehlo/op_while/program.mlir");
    const ATTENTION: &str = include_str!("../../../tests/stablehlo/model_attention/program.mlir");
    const GATHER: &str = include_str!("../../../tests/stablehlo/op_gather_generic/program.mlir");

    #[test]
    fn imports_pretty_and_generic_programs() {
        for text in [WHILE, ATTENTION, GATHER] {
            let g = import_text(text, None).unwrap();
            assert!(!g.nodes.is_empty());
            assert_eq!(g.name, "main");
        }
        assert!(looks_like_stablehlo(WHILE));
    }

    #[test]
    fn reports_every_unsupported_op_with_its_line() {
        let text = r#"module {
  func.func public @main(%arg0: tensor<2xui64>, %arg1: tensor<3xf32>) -> (tensor<3xui32>, tensor<3xf32>) {
    %s, %bits = stablehlo.rng_bit_generator %arg0, algorithm = DEFAULT : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3xui32>)
    %0 = stablehlo.custom_call @my_kernel(%arg1) : (tensor<3xf32>) -> tensor<3xf32>
    return %bits, %0 : tensor<3xui32>, tensor<3xf32>
  }
}"#;
        let e = import_text(text, None).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported);
        assert!(
            e.message
                .contains("stablehlo.rng_bit_generator at line 3: not supported"),
            "{e}"
        );
        assert!(
            e.message
                .contains("stablehlo.custom_call target \"my_kernel\" at line 4"),
            "{e}"
        );
        assert!(import_bytes(b"ML\xefR\x00", None).is_err());
    }

    #[test]
    fn errors_name_the_op_and_line() {
        let text = "func.func @main(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {\n  %0 = stablehlo.transpose %a, dims = [0, 5] : (tensor<2x3xf32>) -> tensor<3x2xf32>\n  return %0 : tensor<3x2xf32>\n}\n";
        let e = import_text(text, None).unwrap_err();
        assert!(
            e.to_string().starts_with("stablehlo.transpose at line 2:"),
            "{e}"
        );
    }

    /// Mutated and truncated programs give errors, never panics.
    #[test]
    fn mutations_never_panic() {
        let mut state = 0x9e3779b97f4a7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"%@#^:=,()[]{}<>\"x0123456789-. \nabcf";
        for text in [WHILE, ATTENTION, GATHER] {
            let bytes = text.as_bytes();
            for _ in 0..300 {
                let mut m = bytes.to_vec();
                for _ in 0..1 + next() % 3 {
                    let at = (next() % m.len() as u64) as usize;
                    m[at] = alphabet[(next() % alphabet.len() as u64) as usize];
                }
                let cut = (next() % (m.len() as u64 + 1)) as usize;
                if next() % 4 == 0 {
                    m.truncate(cut);
                }
                let _ = import_bytes(&m, None);
            }
        }
    }
}
