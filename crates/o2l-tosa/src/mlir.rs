//! Reading MLIR: diagnostics, function names, ranked tensor types, the bytes
//! of dense constants and of the file's resource section. The walk over a
//! function's ops is `crate::import`.
use melior::Context;
use melior::ir::attribute::AttributeLike;
use melior::ir::operation::{OperationLike, OperationRef};
use melior::ir::{Attribute, Type};
use o2l_canon::{DType, Dim, Error, Result, Tensor, TensorType};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// MLIR's diagnostics while a context parses or runs passes.
pub(crate) struct Diagnostics {
    seen: Rc<RefCell<Vec<String>>>,
}

impl Diagnostics {
    pub fn attach(context: &Context) -> Self {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        context.attach_diagnostic_handler(move |d| {
            sink.borrow_mut().push(format!("{}: {}", d.location(), d));
            true
        });
        Diagnostics { seen }
    }

    pub fn take(&self) -> Option<String> {
        let all = std::mem::take(&mut *self.seen.borrow_mut());
        (!all.is_empty()).then(|| all.join("; "))
    }
}

/// The `sym_name` of a function.
pub(crate) fn symbol_name(op: &OperationRef) -> Result<String> {
    let a = op
        .attribute("sym_name")
        .map_err(|_| Error::invalid("a func.func without sym_name"))?;
    Ok(a.to_string().trim_matches('"').to_string())
}

/// An element type as MLIR prints it (`f32`, `i8`, `ui8`, `i1`, ...).
pub(crate) fn dtype_of(s: &str) -> Result<DType> {
    Ok(match s {
        "f32" => DType::F32,
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        "f64" => DType::F64,
        "i1" => DType::Bool,
        "i8" => DType::I8,
        "i16" => DType::I16,
        "i32" => DType::I32,
        "i64" => DType::I64,
        "ui8" => DType::U8,
        "ui16" => DType::U16,
        "ui32" => DType::U32,
        "ui64" => DType::U64,
        other => {
            return Err(Error::unsupported(format!(
                "element type {other} is not supported"
            )));
        }
    })
}

/// A ranked tensor type from its printed form, `tensor<2x?x3xf32>`.
pub(crate) fn tensor_type(t: Type) -> Result<TensorType> {
    let s = t.to_string();
    let inner = s
        .strip_prefix("tensor<")
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(|| {
            Error::unsupported(format!("type {s}: only ranked tensors are supported"))
        })?;
    if inner.starts_with('*') {
        return Err(Error::unsupported(format!("unranked tensor {s}")));
    }
    // `tensor<2x3xf32, #encoding>` carries an encoding we do not model.
    if inner.contains(',') {
        return Err(Error::unsupported(format!(
            "tensor type with an encoding: {s}"
        )));
    }
    let mut parts: Vec<&str> = inner.split('x').collect();
    let elem = parts.pop().unwrap_or_default();
    let dtype = dtype_of(elem)?;
    let mut shape = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        shape.push(if *p == "?" {
            Dim::Symbol(format!("d{i}"))
        } else {
            Dim::Known(
                p.parse()
                    .map_err(|_| Error::invalid(format!("bad dim in {s}")))?,
            )
        });
    }
    Ok(TensorType::new(dtype, shape))
}

/// The contents of a dense elements attribute of type `ty`.
pub(crate) fn dense_tensor(
    attr: Attribute,
    ty: &TensorType,
    resources: &Resources,
) -> Result<Tensor> {
    let dims = ty
        .known_dims()
        .ok_or_else(|| Error::invalid(format!("a constant of symbolic type {ty}")))?;
    let raw = attr.to_raw();
    // SAFETY: `raw` is a live attribute of the parsed module; the calls only
    // read it, and the data pointer is valid while the context lives.
    unsafe {
        if mlir_sys::mlirAttributeIsADenseResourceElements(raw) {
            // The blob is read from the file's resource section, never through
            // MLIR's getters (they assume a blob of the right size exists).
            // `dense_resource<KEY> : tensor<..>`, as MLIR prints it.
            let printed = attr.to_string();
            let name = printed
                .strip_prefix("dense_resource<")
                .and_then(|r| r.split_once('>'))
                .map(|(k, _)| k.trim_matches('"').to_string())
                .unwrap_or_default();
            let Some(bytes) = resources.get(&name) else {
                return Err(Error::invalid(format!(
                    "dense_resource<{name}> has no data in the file's resource section"
                )));
            };
            let want =
                o2l_canon::shape::element_count(&dims)?.checked_mul(ty.dtype.size_bytes() as u64);
            if want != Some(bytes.len() as u64) {
                return Err(Error::invalid(format!(
                    "dense_resource<{name}> holds {} bytes, {ty} needs {want:?}",
                    bytes.len()
                )));
            }
            return Tensor::new(ty.dtype, dims, bytes.clone().into());
        }
        if !mlir_sys::mlirAttributeIsADenseElements(raw) {
            return Err(Error::unsupported(format!(
                "constant {}: only dense elements are supported",
                attr
            )));
        }
        let n: u64 = dims.iter().product();
        if ty.dtype == DType::Bool {
            // i1 is bit-packed in MLIR's storage: read element by element.
            let splat = mlir_sys::mlirDenseElementsAttrIsSplat(raw);
            let v: Vec<i64> = (0..n)
                .map(|i| {
                    let at = if splat { 0 } else { i as isize };
                    i64::from(mlir_sys::mlirDenseElementsAttrGetBoolValue(raw, at))
                })
                .collect();
            return Tensor::from_i64s(DType::Bool, dims, &v);
        }
        let size = ty.dtype.size_bytes();
        let data = mlir_sys::mlirDenseElementsAttrGetRawData(raw) as *const u8;
        let bytes: Vec<u8> = if mlir_sys::mlirDenseElementsAttrIsSplat(raw) {
            let one = std::slice::from_raw_parts(data, size);
            one.repeat(n as usize)
        } else {
            std::slice::from_raw_parts(data, n as usize * size).to_vec()
        };
        Tensor::new(ty.dtype, dims, bytes.into())
    }
}

/// The largest resource alignment accepted. MLIR allocates each hex blob with
/// the alignment its first four bytes name; producers write 4 to 64, and a
/// zero, a non-power of two or a huge value makes that allocation abort the
/// process, so the text is checked before MLIR parses it.
const MAX_RESOURCE_ALIGNMENT: u32 = 1 << 16;

/// Checks the alignment word of every hex blob in the text's file metadata
/// (`{-# ... #-}` sections), before MLIR reads them.
pub(crate) fn check_resource_alignments(text: &str) -> Result<()> {
    let mut rest = text;
    while let Some(start) = rest.find("{-#") {
        let section = &rest[start..];
        let end = section.find("#-}").map_or(section.len(), |e| e + 3);
        for literal in string_literals(&section[..end]) {
            let Some(hex) = literal.strip_prefix("0x") else {
                continue;
            };
            let word = hex
                .get(..8)
                .and_then(|w| u32::from_str_radix(w, 16).ok())
                .map(u32::swap_bytes);
            match word {
                Some(align) if align.is_power_of_two() && align <= MAX_RESOURCE_ALIGNMENT => {}
                Some(align) => {
                    return Err(Error::invalid(format!(
                        "a resource blob declares alignment {align}; it must be a power of \
                         two no larger than {MAX_RESOURCE_ALIGNMENT}"
                    )));
                }
                None => {
                    return Err(Error::invalid(
                        "a resource blob is shorter than its four-byte alignment word",
                    ));
                }
            }
        }
        rest = &section[end..];
    }
    Ok(())
}

/// The decoded contents of the `"..."` literals in `text` (MLIR's escapes:
/// `\\`, `\"`, `\n`, `\t` and two hex digits).
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => literal.push('\n'),
                    Some('t') => literal.push('\t'),
                    Some(h) if h.is_ascii_hexdigit() => {
                        let pair: String = [Some(h), chars.next()].into_iter().flatten().collect();
                        if let Ok(b) = u8::from_str_radix(&pair, 16) {
                            literal.push(char::from(b));
                        }
                    }
                    Some(other) => literal.push(other),
                    None => break,
                },
                other => literal.push(other),
            }
        }
        out.push(literal);
    }
    out
}

/// The hex blobs of a text module's `{-# dialect_resources: { builtin: {
/// key: "0x..." } } #-}` section, by key, without their alignment word.
pub(crate) type Resources = HashMap<String, Vec<u8>>;

pub(crate) fn resource_blobs(text: &str) -> Result<Resources> {
    let mut out = Resources::new();
    let Some(start) = text.rfind("{-#") else {
        return Ok(out);
    };
    let section = &text[start..];
    let Some(builtin) = section.find("builtin:").map(|i| &section[i + 8..]) else {
        return Ok(out);
    };
    let Some(open) = builtin.find('{') else {
        return Ok(out);
    };
    let body = &builtin[open + 1..];
    let body = &body[..body.find('}').unwrap_or(body.len())];
    for entry in body.split(',') {
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches('"').to_string();
        let hex = value.trim().trim_matches('"');
        let Some(hex) = hex.strip_prefix("0x") else {
            return Err(Error::invalid(format!(
                "resource \"{key}\" is not a hex blob"
            )));
        };
        if hex.len() % 2 != 0 || hex.len() < 8 {
            return Err(Error::invalid(format!(
                "resource \"{key}\" has a malformed hex blob"
            )));
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect();
        let Some(bytes) = bytes else {
            return Err(Error::invalid(format!(
                "resource \"{key}\" has a malformed hex blob"
            )));
        };
        // The first four bytes are the blob's alignment.
        out.insert(key, bytes[4..].to_vec());
    }
    Ok(out)
}

/// Parses MLIR text or bytecode from bytes (melior parses only `&str`).
pub(crate) fn parse_bytes<'c>(
    context: &'c melior::Context,
    source: &[u8],
) -> Option<melior::ir::Module<'c>> {
    let raw = mlir_sys::MlirStringRef {
        data: source.as_ptr() as *const std::ffi::c_char,
        length: source.len(),
    };
    // SAFETY: `raw` points at `source`, alive for the call; the module
    // returned is owned by the `Module` made from it.
    unsafe {
        let m = mlir_sys::mlirModuleCreateParse(context.to_raw(), raw);
        if m.ptr.is_null() {
            None
        } else {
            Some(melior::ir::Module::from_raw(m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(blob: &str) -> String {
        format!(
            "func.func @f() {{ return }}\n{{-#\n dialect_resources: {{ builtin: {{ w: \"{blob}\" }} }}\n#-}}\n"
        )
    }

    #[test]
    fn resource_alignments_are_checked_before_mlir_reads_them() {
        assert!(check_resource_alignments(&program("0x040000000000803F")).is_ok());
        assert!(check_resource_alignments(&program("0x400000000000803F")).is_ok());
        for (blob, says) in [
            ("0x000000000000803F", "alignment 0"),
            ("0x030000000000803F", "alignment 3"),
            ("0x00000080", "alignment 2147483648"),
            ("0x0400", "shorter than"),
            // An escaped hex digit is decoded as MLIR decodes it.
            ("\\30x00000000", "alignment 0"),
        ] {
            let err = check_resource_alignments(&program(blob)).unwrap_err();
            assert!(err.message.contains(says), "{blob}: {}", err.message);
        }
        // Strings outside the file metadata are not resources.
        assert!(check_resource_alignments("\"0x00000000\"").is_ok());
    }
}
