//! Flattens large multi-dimensional constants before compiling.
//!
//! Why: the translation to LLVM IR builds a `memref.global` of type
//! `memref<512x512x3x3xf32>` as nested LLVM arrays, one `ConstantDataArray` per
//! innermost row plus a `ConstantArray` per outer row: about 800k uniqued LLVM
//! constants for that one weight, which made ResNet-18 spend over 10 s in LLVM.
//! A 1-D constant becomes a single `ConstantDataArray`. So each
//!
//! ```text
//! %cst = arith.constant dense_resource<w> : tensor<64x3x7x7xf32>
//! ```
//!
//! is rewritten (on the text, before parsing) to
//!
//! ```text
//! %cst__o2l_flat = arith.constant dense_resource<w> : tensor<9408xf32>
//! %cst = tensor.expand_shape %cst__o2l_flat [[0, 1, 2, 3]] output_shape [64, 3, 7, 7] : tensor<9408xf32> into tensor<64x3x7x7xf32>
//! ```
//!
//! A resource blob and a hex `dense<"0x...">` literal are raw row-major bytes, so
//! the same payload holds for either type. Only lines of exactly that form are
//! touched (resource or hex payload, static shape, rank >= 2, nothing after the
//! type); anything else is left as written.
use std::borrow::Cow;

const SUFFIX: &str = "__o2l_flat";

pub fn flatten_constants(text: &str) -> Cow<'_, str> {
    if !text.contains("dense_resource<") && !text.contains("dense<\"0x") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4096);
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        match rewrite(line) {
            Some(new) => {
                out.push_str(&new);
                changed = true;
            }
            None => out.push_str(line),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The two-line replacement of one constant line, or None to keep it.
fn rewrite(line: &str) -> Option<String> {
    let body = line.trim_end_matches(['\n', '\r']);
    let indent_len = body.len() - body.trim_start().len();
    let (indent, stmt) = body.split_at(indent_len);
    let (name, rest) = stmt.split_once(" = arith.constant ")?;
    if !name.starts_with('%') || name.contains([' ', ':', '#']) || name.len() < 2 {
        return None;
    }
    let payload_ok = rest.starts_with("dense_resource<") || rest.starts_with("dense<\"0x");
    if !payload_ok {
        return None;
    }
    let (payload, ty) = rest.rsplit_once(" : ")?;
    let inner = ty.strip_prefix("tensor<")?.strip_suffix('>')?;
    let parts: Vec<&str> = inner.split('x').collect();
    let (elem, dims) = parts.split_last()?;
    if dims.len() < 2 || elem.is_empty() || !elem.starts_with(['f', 'i', 'b', 'u', 's']) {
        return None;
    }
    let dims: Vec<u64> = dims
        .iter()
        .map(|d| d.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let count = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d))?;
    // Hex payloads must close right before the type.
    if payload.starts_with("dense<\"0x") && !payload.ends_with("\">") {
        return None;
    }
    if payload.starts_with("dense_resource<") && !payload.ends_with('>') {
        return None;
    }
    let flat_ty = format!("tensor<{count}x{elem}>");
    let flat = format!("{name}{SUFFIX}");
    let reassoc = (0..dims.len())
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let shape = dims
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "{indent}{flat} = arith.constant {payload} : {flat_ty}\n\
         {indent}{name} = tensor.expand_shape {flat} [[{reassoc}]] output_shape [{shape}] : {flat_ty} into {ty}\n"
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_resource_and_hex_constants_only() {
        let text = "  %cst = arith.constant dense_resource<w> : tensor<2x3xf32>\n\
                    %c = arith.constant dense<\"0x0000803F00000040\"> : tensor<1x2xf32>\n\
                    %d = arith.constant dense<1.0> : tensor<2x3xf32>\n\
                    %e = arith.constant dense_resource<v> : tensor<6xf32>\n";
        let out = flatten_constants(text);
        assert_eq!(
            out,
            "  %cst__o2l_flat = arith.constant dense_resource<w> : tensor<6xf32>\n  \
             %cst = tensor.expand_shape %cst__o2l_flat [[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>\n\
             %c__o2l_flat = arith.constant dense<\"0x0000803F00000040\"> : tensor<2xf32>\n\
             %c = tensor.expand_shape %c__o2l_flat [[0, 1]] output_shape [1, 2] : tensor<2xf32> into tensor<1x2xf32>\n\
             %d = arith.constant dense<1.0> : tensor<2x3xf32>\n\
             %e = arith.constant dense_resource<v> : tensor<6xf32>\n"
        );
    }

    #[test]
    fn leaves_dynamic_and_annotated_lines_alone() {
        let text = "%a = arith.constant dense_resource<w> : tensor<?x3xf32>\n\
                    %b = arith.constant dense_resource<w> : tensor<2x3xf32> loc(#loc3)\n";
        assert_eq!(flatten_constants(text), text);
    }
}
