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
